package io.github.fieldcrypt.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The fieldcrypt v1 ciphertext layout, in one place. FORMAT.md at the project root is the
 * byte-by-byte specification; this class is its implementation.
 *
 * <pre>
 * 0xFC | alg (1) | key id (4, big-endian) | nonce (12) | ciphertext (n) | tag (16)
 * AAD = the 6 header bytes || UTF-8 context
 * </pre>
 *
 * <p>Text columns hold the base64url encoding of these bytes without padding; binary columns
 * hold the bytes themselves.
 */
public final class CiphertextFormat {
  /** First byte of every v1 value. */
  public static final byte MAGIC = (byte) 0xFC;
  /** AES-256-GCM with a random 96-bit nonce. */
  public static final byte ALG_AES_256_GCM = 0x01;
  /** AES-256-GCM-SIV with a synthetic nonce (deterministic mode). */
  public static final byte ALG_AES_256_GCM_SIV = 0x02;

  public static final int HEADER_LENGTH = 6;
  public static final int NONCE_OFFSET = HEADER_LENGTH;
  public static final int NONCE_LENGTH = 12;
  public static final int BODY_OFFSET = NONCE_OFFSET + NONCE_LENGTH;
  public static final int TAG_LENGTH = 16;
  /** Bytes a v1 value adds to its plaintext. */
  public static final int OVERHEAD = BODY_OFFSET + TAG_LENGTH;

  static final Base64.Encoder TEXT_ENCODER = Base64.getUrlEncoder().withoutPadding();
  static final Base64.Decoder TEXT_DECODER = Base64.getUrlDecoder();
  /** Values up to this many bytes are encoded into a per-thread buffer; longer ones into an array of their own. */
  static final int DIRECT_BYTES = 1024;
  private static final byte[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
      .getBytes(StandardCharsets.US_ASCII);
  /** base64url digit of each ASCII character, -1 for the others (ciphertext is public: a table is fine). */
  private static final byte[] DIGITS = new byte[128];

  static {
    Arrays.fill(DIGITS, (byte) -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      DIGITS[ALPHABET[i]] = (byte) i;
    }
  }

  private CiphertextFormat() {}

  /**
   * Whether the bytes have the shape of a v1 value: long enough, the magic byte and a known
   * algorithm. Says nothing about authenticity.
   */
  public static boolean hasV1Shape(byte[] value) {
    return value != null
        && value.length >= OVERHEAD
        && value[0] == MAGIC
        && (value[1] == ALG_AES_256_GCM || value[1] == ALG_AES_256_GCM_SIV);
  }

  /** The key id of a value that {@linkplain #hasV1Shape has the v1 shape}. */
  public static int keyId(byte[] value) {
    return ((value[2] & 0xFF) << 24) | ((value[3] & 0xFF) << 16) | ((value[4] & 0xFF) << 8) | (value[5] & 0xFF);
  }

  /** The algorithm byte of a value that {@linkplain #hasV1Shape has the v1 shape}. */
  public static byte algorithm(byte[] value) {
    return value[1];
  }

  static void writeHeader(byte[] out, byte algorithm, int keyId) {
    out[0] = MAGIC;
    out[1] = algorithm;
    out[2] = (byte) (keyId >>> 24);
    out[3] = (byte) (keyId >>> 16);
    out[4] = (byte) (keyId >>> 8);
    out[5] = (byte) keyId;
  }

  /** Length in bytes of the binary v1 value for a plaintext of this many bytes. */
  public static long binaryLength(long plaintextBytes) {
    return plaintextBytes + OVERHEAD;
  }

  /** Length in characters of the text (base64url, unpadded) v1 value for this many plaintext bytes. */
  public static long textLength(long plaintextBytes) {
    long bytes = binaryLength(plaintextBytes);
    return (bytes * 4 + 2) / 3;
  }

  /** The longest plaintext, in bytes, whose text value fits in a column of this many characters. */
  public static long maxPlaintextBytesForText(long columnChars) {
    return Math.max(-1, columnChars * 3 / 4 - OVERHEAD);
  }

  /** The longest plaintext, in bytes, whose binary value fits in a column of this many bytes. */
  public static long maxPlaintextBytesForBinary(long columnBytes) {
    return Math.max(-1, columnBytes - OVERHEAD);
  }

  /**
   * The base64url text (no padding) of a binary v1 value. Values up to 1 KiB are encoded by the
   * JDK into a per-thread buffer that the String copies (the JDK's own {@code encodeToString}
   * makes an array and then copies it).
   */
  public static String toText(byte[] value) {
    if (value.length > DIRECT_BYTES) {
      return TEXT_ENCODER.encodeToString(value);
    }
    return toText(value, LocalBuffers.local().chars);
  }

  /** {@link #toText(byte[])} of a value up to 1 KiB, through a thread's character buffer. */
  static String toText(byte[] value, byte[] chars) {
    int n = TEXT_ENCODER.encode(value, chars);
    return new String(chars, 0, n, StandardCharsets.ISO_8859_1);
  }

  /**
   * Whether a text could be a v1 value at all, without decoding it: every v1 text starts with
   * {@code "_A"} (0xFC then an algorithm below 0x10) and has at least 46 characters. Plaintext
   * fails this at once, which spares a migration or a transition read a decode per value.
   */
  public static boolean mayBeV1Text(String text) {
    return text != null && text.length() >= textLength(0) && text.charAt(0) == '_' && text.charAt(1) == 'A';
  }

  /**
   * The key id in the header of a text value that {@linkplain #mayBeV1Text may be v1}, when that
   * header (its first 8 characters) is one of alg 0x01; -1 otherwise (key ids are never
   * negative). Read without decoding the rest: only a hint for choosing a path and finding the
   * key; the value is checked in full when it is opened.
   */
  public static int gcmTextKeyId(String text) {
    long bits = 0;
    int bad = 0;
    for (int i = 0; i < 8; i++) {
      int d = digit(text.charAt(i));
      bad |= d;
      bits = bits << 6 | (d & 0x3F);
    }
    boolean gcm = bad >= 0 && (bits >>> 40) == (MAGIC & 0xFF) && ((bits >>> 32) & 0xFF) == ALG_AES_256_GCM;
    return gcm ? (int) bits : -1;
  }

  /**
   * The binary value of a text one, or {@code null} when the text is not base64url (standard
   * padding is tolerated; other characters are not).
   */
  public static byte[] fromText(String text) {
    try {
      return TEXT_DECODER.decode(text);
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
  }

  /**
   * Decodes base64url into the start of {@code out}, as {@link #fromText} does: the number of
   * bytes, or -1 when the text is not base64url or does not fit. The text's characters are
   * copied as ISO-8859-1 bytes first, so that a character beyond U+00FF becomes {@code '?'},
   * which no base64 alphabet has, instead of its low byte.
   */
  static int decodeInto(String text, byte[] out) {
    int tail = text.length() & 3;
    if (text.length() / 4 * 3 + Math.max(0, tail - 1) > out.length) {
      // longer than out whatever its padding (checked first: the JDK's refusal is an exception)
      return -1;
    }
    try {
      return TEXT_DECODER.decode(text.getBytes(StandardCharsets.ISO_8859_1), out);
    } catch (IllegalArgumentException notBase64OrTooLong) {
      return -1;
    }
  }

  /** The base64url digit of a character, or -1. */
  private static int digit(char c) {
    return c < 128 ? DIGITS[c] : -1;
  }
}
