package io.github.fieldcrypt.keys.envelope;

import java.util.Locale;

/** The state of a tenant data key, as kept in the {@code state} column. */
public enum KeyState {
  /** Encrypts the tenant's new values (one per tenant) and decrypts. */
  ACTIVE,
  /** Replaced by a newer key; still decrypts the values written under it. */
  RETIRED,
  /** Crypto-shredded: the wrapped key is gone, values written under it cannot be decrypted. */
  DESTROYED;

  /** The text stored in the {@code state} column: {@code active}, {@code retired}, {@code destroyed}. */
  public String columnValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  static KeyState ofColumn(String text) {
    for (KeyState state : values()) {
      if (state.columnValue().equals(text)) {
        return state;
      }
    }
    throw new IllegalStateException("Unknown state '" + text + "' in the data key table: expected active, retired or destroyed");
  }
}
