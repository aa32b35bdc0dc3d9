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
  /** Values up to this many bytes are encoded and decoded here without intermediate arrays; longer ones by the JDK. */
  private static final int DIRECT_BYTES = 1024;
  private static final byte[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
      .getBytes(StandardCharsets.US_ASCII);
  /** base64url digit of each ASCII character, -1 for the others (ciphertext is public: a table is fine). */
  private static final byte[] DIGITS = new byte[128];
  /** A thread's buffer for the characters of one text value (a String copies them once). */
  private static final ThreadLocal<byte[]> CHARS = ThreadLocal.withInitial(() -> new byte[(DIRECT_BYTES * 4 + 2) / 3]);

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
   * The base64url text (no padding) of a binary v1 value. Values up to 1 KiB are encoded into a
   * per-thread buffer that the String copies, instead of the JDK's encoded array and its copy.
   */
  public static String toText(byte[] value) {
    if (value.length > DIRECT_BYTES) {
      return TEXT_ENCODER.encodeToString(value);
    }
    return toText(value, value.length);
  }

  /** {@link #toText(byte[])} of the first {@code length} bytes (at most 1 KiB) of an array. */
  static String toText(byte[] value, int length) {
    byte[] chars = CHARS.get();
    int n = 0;
    int i = 0;
    int whole = length - length % 3;
    for (; i < whole; i += 3) {
      int bits = (value[i] & 0xFF) << 16 | (value[i + 1] & 0xFF) << 8 | (value[i + 2] & 0xFF);
      chars[n] = ALPHABET[bits >>> 18];
      chars[n + 1] = ALPHABET[(bits >>> 12) & 0x3F];
      chars[n + 2] = ALPHABET[(bits >>> 6) & 0x3F];
      chars[n + 3] = ALPHABET[bits & 0x3F];
      n += 4;
    }
    if (length - whole == 1) {
      int bits = value[i] & 0xFF;
      chars[n++] = ALPHABET[bits >>> 2];
      chars[n++] = ALPHABET[(bits << 4) & 0x3F];
    } else if (length - whole == 2) {
      int bits = (value[i] & 0xFF) << 8 | (value[i + 1] & 0xFF);
      chars[n++] = ALPHABET[bits >>> 10];
      chars[n++] = ALPHABET[(bits >>> 4) & 0x3F];
      chars[n++] = ALPHABET[(bits << 2) & 0x3F];
    }
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
    byte[] direct = decodeUnpadded(text);
    if (direct != null) {
      return direct;
    }
    // padding, a character outside the alphabet, an impossible length, or a long value: the JDK's
    // decoder decides (the same bytes for every text both accept; bits past the last byte are ignored by both)
    try {
      return TEXT_DECODER.decode(text);
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
  }

  /**
   * Decodes base64url without padding straight from the String's characters (no copy of them
   * as bytes first), or gives {@code null} for anything else, which the JDK's decoder then takes.
   */
  private static byte[] decodeUnpadded(String text) {
    int length = text.length();
    int tail = length & 3;
    if (tail == 1 || length > (DIRECT_BYTES * 4 + 2) / 3) {
      return null;
    }
    byte[] out = new byte[decodedLength(length)];
    return decodeInto(text, out) < 0 ? null : out;
  }

  private static int decodedLength(int chars) {
    int tail = chars & 3;
    return chars / 4 * 3 + (tail == 0 ? 0 : tail - 1);
  }

  /**
   * Decodes base64url without padding into the start of {@code out}: the number of bytes, or -1
   * when the text is anything else (padding, a character outside the alphabet, an impossible
   * length) or does not fit.
   */
  static int decodeInto(String text, byte[] out) {
    int length = text.length();
    int tail = length & 3;
    if (tail == 1 || decodedLength(length) > out.length) {
      return -1;
    }
    int bad = 0;
    int o = 0;
    int i = 0;
    for (int whole = length - tail; i < whole; i += 4) {
      int bits = digit(text.charAt(i)) << 18 | digit(text.charAt(i + 1)) << 12 | digit(text.charAt(i + 2)) << 6
          | digit(text.charAt(i + 3));
      bad |= bits;
      out[o] = (byte) (bits >> 16);
      out[o + 1] = (byte) (bits >> 8);
      out[o + 2] = (byte) bits;
      o += 3;
    }
    if (tail == 2) {
      int bits = digit(text.charAt(i)) << 18 | digit(text.charAt(i + 1)) << 12;
      bad |= bits;
      out[o] = (byte) (bits >> 16);
    } else if (tail == 3) {
      int bits = digit(text.charAt(i)) << 18 | digit(text.charAt(i + 1)) << 12 | digit(text.charAt(i + 2)) << 6;
      bad |= bits;
      out[o] = (byte) (bits >> 16);
      out[o + 1] = (byte) (bits >> 8);
    }
    // a -1 digit sets every high bit of its word
    return bad < 0 ? -1 : decodedLength(length);
  }

  /** The base64url digit of a character, or -1. */
  private static int digit(char c) {
    return c < 128 ? DIGITS[c] : -1;
  }
}
