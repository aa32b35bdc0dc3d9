package io.github.fieldcrypt.crypto;

/**
 * A thread's buffers for the text path of short values ({@link AesGcm#encryptText},
 * {@link AesGcm#decryptShortText}): the plaintext's bytes, the binary v1 value, both overwritten
 * by the next value on this thread.
 *
 * <p><b>Security:</b> the plaintext of the last short value this thread encrypted or decrypted
 * stays here until the next one, as it does in the caller's String. No key is kept.
 */
final class TextScratch {
  private static final ThreadLocal<TextScratch> LOCAL = ThreadLocal.withInitial(TextScratch::new);

  final byte[] plain = new byte[ShortGcm.MAX_BYTES];
  final byte[] value = new byte[ShortGcm.MAX_BYTES + CiphertextFormat.OVERHEAD];

  private TextScratch() {}

  static TextScratch local() {
    return LOCAL.get();
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
