package io.github.fieldcrypt.crypto;

/**
 * A thread's buffers for short values, whatever their key: {@link ShortGcm}'s counter, key stream
 * and ciphertext blocks, and for the text path ({@link AesGcm#encryptText},
 * {@link AesGcm#decryptShortText}) the plaintext's bytes and the binary v1 value, and the
 * characters of any text value up to 1 KiB ({@link CiphertextFormat#toText}). All are
 * overwritten by the next value on this thread. One set per thread rather than per key keeps them
 * in the CPU's cache when values of many keys (tenants) interleave.
 *
 * <p><b>Security:</b> the plaintext of the last short value this thread encrypted or decrypted
 * stays here until the next one, as it does in the caller's String. No key is kept.
 */
final class LocalBuffers {
  private static final ThreadLocal<LocalBuffers> LOCAL = ThreadLocal.withInitial(LocalBuffers::new);

  final ShortGcm.Scratch gcm = new ShortGcm.Scratch();
  final byte[] plain = new byte[ShortGcm.MAX_BYTES];
  final byte[] value = new byte[ShortGcm.MAX_BYTES + CiphertextFormat.OVERHEAD];
  /** The characters of one text value up to {@link CiphertextFormat#DIRECT_BYTES} bytes (a String copies them once). */
  final byte[] chars = new byte[(CiphertextFormat.DIRECT_BYTES * 4 + 2) / 3];
  /** Sealed short values by their exact length (the JDK's base64 encoder takes whole arrays), made when first needed. */
  private final byte[][] sealed = new byte[ShortGcm.MAX_BYTES + CiphertextFormat.OVERHEAD + 1][];

  private LocalBuffers() {}

  static LocalBuffers local() {
    return LOCAL.get();
  }

  /** This thread's array for a sealed value of exactly {@code length} bytes (at most {@code value.length}). */
  byte[] sealed(int length) {
    byte[] array = sealed[length];
    if (array == null) {
      array = new byte[length];
      sealed[length] = array;
    }
    return array;
  }

  /**
   * The string's bytes into {@link #plain} when it is ASCII (its UTF-8 bytes are its characters)
   * and short enough: their number, or -1 (the caller encodes it the general way).
   */
  int ascii(String s) {
    int length = s.length();
    if (length > plain.length) {
      return -1;
    }
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        return -1;
      }
      plain[i] = (byte) c;
    }
    return length;
  }
}
