package io.github.fieldcrypt;

/**
 * A stored value could not be decrypted.
 *
 * <p>Either it is not a fieldcrypt value at all ({@link Reason#NOT_CIPHERTEXT}: plaintext that was
 * never migrated, or a truncated or corrupted value), or it is one and fails authentication
 * ({@link Reason#AUTHENTICATION_FAILED}): it was altered, copied from another column or tenant,
 * or written under a different key with the same id. The two cannot be told apart further by
 * design; AES-GCM reveals nothing else.
 */
public class DecryptionException extends FieldcryptException {
  private static final long serialVersionUID = 1L;

  /** Why decryption failed. */
  public enum Reason {
    /** The value does not parse as a fieldcrypt v1 ciphertext. */
    NOT_CIPHERTEXT,
    /** The value parses as v1 but does not authenticate under its key and this context. */
    AUTHENTICATION_FAILED
  }

  private final Reason reason;

  public DecryptionException(Reason reason, String message, String context, Integer keyId) {
    super(message, context, keyId, null);
    this.reason = reason;
  }

  public Reason getReason() {
    return reason;
  }
}
