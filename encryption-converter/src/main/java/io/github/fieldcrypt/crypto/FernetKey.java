package io.github.fieldcrypt.crypto;

import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * One Fernet key: 32 bytes, the first 16 the HMAC-SHA256 signing key, the last 16 the AES-128
 * encryption key, written as URL-safe base64 (what Python's {@code Fernet.generate_key()} gives,
 * 44 characters ending in {@code =}).
 *
 * <p><b>Security:</b> {@link #toString()} prints a short fingerprint (the first 8 bytes of
 * SHA-256 over the 32 key bytes, enough to tell two keys apart and useless to recover one), never
 * key material; parse errors give lengths, never the text. The two halves leave only as
 * {@link SecretKey}s, for the MAC and the cipher.
 */
public final class FernetKey {
  /** Key length in bytes: 16 signing, 16 encryption. */
  public static final int LENGTH = 32;

  private final SecretKey signingKey;
  private final SecretKey encryptionKey;
  private final String fingerprint;

  private FernetKey(byte[] keyBytes) {
    this.signingKey = new SecretKeySpec(keyBytes, 0, 16, "HmacSHA256");
    this.encryptionKey = new SecretKeySpec(keyBytes, 16, 16, "AES");
    this.fingerprint = KeyFingerprint.of(keyBytes);
  }

  /**
   * Makes a key from its 32 raw bytes. The array is copied; callers should wipe theirs.
   *
   * @throws IllegalArgumentException when the key is not 32 bytes (the message gives the
   *     length, not the bytes)
   */
  public static FernetKey of(byte[] keyBytes) {
    if (keyBytes == null || keyBytes.length != LENGTH) {
      throw new IllegalArgumentException("Invalid Fernet key size " + (keyBytes == null ? 0 : keyBytes.length)
          + " bytes; a Fernet key is 32 bytes (44 characters of URL-safe base64)");
    }
    return new FernetKey(keyBytes);
  }

  /**
   * Parses a key as Python prints it: URL-safe base64 of 32 bytes, with its {@code =} padding
   * (the padding may also be left out; the standard alphabet's {@code +} and {@code /} are
   * accepted too, as Python's {@code base64.urlsafe_b64decode} accepts them).
   *
   * @throws IllegalArgumentException when the text is not base64 or not 32 bytes; the message
   *     never contains the text
   */
  public static FernetKey parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("Empty Fernet key");
    }
    String trimmed = text.trim();
    if ((trimmed.startsWith("b'") && trimmed.endsWith("'")) || (trimmed.startsWith("b\"") && trimmed.endsWith("\""))) {
      throw new IllegalArgumentException("The Fernet key is written as a Python bytes literal (b'...');"
          + " give only the text between the quotes (key.decode() in Python)");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(trimmed.replace('-', '+').replace('_', '/'));
    } catch (IllegalArgumentException notBase64) {
      // not attached: the decoder's message quotes the offending character
      throw new IllegalArgumentException("The Fernet key is not valid URL-safe base64 (" + trimmed.length()
          + " characters; a Fernet key is 44)");
    }
    try {
      if (bytes.length != LENGTH) {
        throw new IllegalArgumentException("The Fernet key is " + bytes.length
            + " bytes; a Fernet key is 32 bytes (44 characters of URL-safe base64, as Fernet.generate_key() makes)");
      }
      return new FernetKey(bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** The HMAC-SHA256 key (the first 16 bytes). */
  SecretKey signingKey() {
    return signingKey;
  }

  /** The AES-128 key (the last 16 bytes). */
  SecretKey encryptionKey() {
    return encryptionKey;
  }

  /** Hex of the first 8 bytes of SHA-256(key): safe to log, identifies the key. */
  public String fingerprint() {
    return fingerprint;
  }

  @Override
  public String toString() {
    return "FernetKey[fingerprint=" + fingerprint + "]";
  }
}
