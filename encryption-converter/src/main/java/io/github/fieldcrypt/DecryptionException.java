package io.github.fieldcrypt;

/**
 * A stored value could not be decrypted.
 *
 * <p>Either it is not a fieldcrypt value at all ({@link Reason#NOT_CIPHERTEXT}: plaintext that was
 * never migrated, or a truncated or corrupted value), or it is one and fails authentication
 * ({@link Reason#AUTHENTICATION_FAILED}): it was altered, copied from another column or tenant,
 * or written under a different key with the same id. The two cannot be told apart further by
 * design; AES-GCM reveals nothing else. Reading Fernet tokens ({@code fieldcrypt.read-fernet})
 * adds {@link Reason#MALFORMED_TOKEN}, {@link Reason#BAD_PADDING}, {@link Reason#EXPIRED} and
 * {@link Reason#NOT_UTF8}.
 */
public class DecryptionException extends FieldcryptException {
  private static final long serialVersionUID = 1L;

  /** Why decryption failed. */
  public enum Reason {
    /** The value does not parse as a fieldcrypt v1 ciphertext. */
    NOT_CIPHERTEXT,
    /**
     * The value parses as v1 but does not authenticate under its key and this context; or, with
     * Fernet reads on, a Fernet token whose HMAC verifies under none of the Fernet keys.
     */
    AUTHENTICATION_FAILED,
    /**
     * Fernet reads: the value starts like a Fernet token but is not a well-formed one (not
     * URL-safe base64 with padding, or impossible lengths): damaged or truncated.
     */
    MALFORMED_TOKEN,
    /** Fernet reads: the token's HMAC verifies, but the padding inside is invalid (a faulty writer). */
    BAD_PADDING,
    /**
     * Fernet reads with {@code fieldcrypt.fernet-ttl}: the token is older than the time-to-live,
     * or stamped more than 60 seconds in the future.
     */
    EXPIRED,
    /** Fernet reads: the token reads, but its plaintext is bytes that are not UTF-8 text. */
    NOT_UTF8
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
