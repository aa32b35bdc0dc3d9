package io.github.fieldcrypt.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One audit event of tenant data key management, for {@link KeyAuditListener}s.
 *
 * <p><b>Security:</b> holds the tenant, key ids and the key's fingerprint (hex of the first 8
 * bytes of SHA-256 over the key, as in {@code DataKey#fingerprint()}), never key material;
 * {@link #toString()} is the audit log line.
 *
 * @param type what happened
 * @param at when (the store's clock)
 * @param tenant the tenant the data key belongs to
 * @param keyId the data key's id within the tenant
 * @param fingerprint the data key's fingerprint
 * @param masterKeyId the master key that wraps (or unwrapped) the data key; {@code null} for
 *     {@link Type#KEY_DESTROYED}
 * @param previousKeyId for {@link Type#KEY_ROTATED}: the key it replaces as active, else {@code null}
 * @param previousMasterKeyId for {@link Type#KEY_REWRAPPED}: the master key that wrapped it before,
 *     else {@code null}
 */
public record KeyEvent(Type type, Instant at, String tenant, int keyId, String fingerprint, Integer masterKeyId,
    Integer previousKeyId, Integer previousMasterKeyId) {

  /** The kinds of key operations. */
  public enum Type {
    /** A tenant's first data key was created (on its first write). */
    KEY_CREATED("key-created"),
    /** A new active data key replaces the tenant's previous one (manual or scheduled rotation). */
    KEY_ROTATED("key-rotated"),
    /** A data key stopped being active; it still decrypts the values written under it. */
    KEY_RETIRED("key-retired"),
    /** A data key was destroyed (crypto-shredding); its values cannot be decrypted any more. */
    KEY_DESTROYED("key-destroyed"),
    /** A master key unwrapped a data key (a cache miss, the start-up check, a master key rotation). */
    KEY_UNWRAPPED("key-unwrapped"),
    /** A data key was rewrapped under another master key (master key rotation). */
    KEY_REWRAPPED("key-rewrapped");

    private final String label;

    Type(String label) {
      this.label = label;
    }

    /** The name in the audit log line, e.g. {@code key-created}. */
    public String label() {
      return label;
    }
  }

  public KeyEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(tenant, "tenant");
  }

  /** The audit log line: {@code key-rotated tenant=acme key=2 fingerprint=… master=1 previous-key=1}. */
  @Override
  public String toString() {
    StringBuilder line = new StringBuilder(type.label()).append(" tenant=").append(quoted(tenant)).append(" key=").append(keyId);
    if (fingerprint != null) {
      line.append(" fingerprint=").append(fingerprint);
    }
    if (masterKeyId != null) {
      line.append(" master=").append(masterKeyId);
    }
    if (previousKeyId != null) {
      line.append(" previous-key=").append(previousKeyId);
    }
    if (previousMasterKeyId != null) {
      line.append(" previous-master=").append(previousMasterKeyId);
    }
    return line.append(" at=").append(at).toString();
  }

  /** The tenant as it is when it is a plain token, else in double quotes with {@code "} and backslash escaped. */
  private static String quoted(String tenant) {
    if (!tenant.isEmpty() && tenant.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || "._:@-".indexOf(c) >= 0))) {
      return tenant;
    }
    return '"' + tenant.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
