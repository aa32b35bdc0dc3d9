package io.github.fieldcrypt;

/**
 * A tenant's data key was destroyed (crypto-shredding): the values written under it can never be
 * decrypted again, by design. Thrown when such a value is read, and when a write asks for a key of
 * a tenant whose keys were destroyed.
 *
 * <p>Unlike {@link UnknownKeyException} this is not a configuration mistake to repair: the key is
 * gone. The message names the tenant and the key id, never data.
 */
public class KeyDestroyedException extends FieldcryptException {
  private static final long serialVersionUID = 1L;

  private final String tenant;

  /** For the data key {@code keyId} of {@code tenant}, with a message that says so. */
  public KeyDestroyedException(String tenant, int keyId) {
    this("The data key " + keyId + " of tenant '" + tenant + "' was destroyed (crypto-shredding):"
        + " values written under it cannot be decrypted any more", null, tenant, keyId);
  }

  /** With an own message and the context ({@code "<table>.<column>"}) of the value being read. */
  public KeyDestroyedException(String message, String context, String tenant, int keyId) {
    super(message, context, keyId, null);
    this.tenant = tenant;
  }

  /** The tenant whose key was destroyed. */
  public String getTenant() {
    return tenant;
  }
}
