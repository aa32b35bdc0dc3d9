package io.github.fieldcrypt.crypto;

import java.security.GeneralSecurityException;

/**
 * A Fernet token could not be read. The message is one of a few fixed sentences that describe
 * the token's defect ("does not verify under any of the 2 Fernet keys"), meant to follow
 * "the stored value ..." in a caller's message; it never contains the token, its parts or the
 * plaintext.
 */
public final class FernetException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  /** Why the token was refused. */
  public enum Reason {
    /** Not URL-safe base64 with padding, a version byte other than 0x80, or impossible lengths. */
    MALFORMED,
    /** The HMAC verifies under none of the keys: altered, or made with another key. */
    NOT_AUTHENTIC,
    /** The HMAC verifies but the PKCS#7 padding inside is invalid: made by a faulty writer. */
    BAD_PADDING,
    /** Older than the time-to-live. */
    EXPIRED,
    /** Stamped further in the future than the allowed clock skew (checked with a time-to-live only). */
    FUTURE_TIMESTAMP,
    /** The token reads, but its plaintext is not UTF-8 text ({@link Fernet#decryptText} only). */
    NOT_UTF8
  }

  private final Reason reason;
  private final int keyIndex;

  FernetException(Reason reason, String message, int keyIndex) {
    super(message);
    this.reason = reason;
    this.keyIndex = keyIndex;
  }

  public Reason reason() {
    return reason;
  }

  /**
   * The position (0 = the first, writing key) of the key whose HMAC verified, for
   * {@link Reason#BAD_PADDING}, {@link Reason#EXPIRED} and {@link Reason#FUTURE_TIMESTAMP};
   * -1 otherwise.
   */
  public int keyIndex() {
    return keyIndex;
  }
}
