package io.github.fieldcrypt.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchProviderException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM-SIV (RFC 8452) over the JDK's AES: the block cipher is SunJCE's
 * {@code AES/ECB/NoPadding} (AES-NI), POLYVAL is computed here with 4-bit tables.
 *
 * <p>Why not BouncyCastle's {@code GCMSIVBlockCipher}: it runs its own table-driven AES one block
 * per call and rebuilds its state per value; a 32-byte deterministic encryption took about ten
 * times a randomized one. This class does the same computation with one AES call per step
 * (6-block key derivation, tag, counter blocks). It is checked against every 256-bit Wycheproof
 * vector and, on random inputs, against BouncyCastle's implementation
 * ({@code GcmSivDifferentialTest}).
 *
 * <p>One instance per thread (it keeps ciphers and scratch space). The key-generating key's
 * cipher is kept between values ({@link #keyGeneratingKey}); the per-value keys are derived,
 * used and wiped. Not a general-purpose API: 32-byte keys, 12-byte nonces, 16-byte tags only.
 */
final class GcmSiv {
  private static final int BLOCK = 16;
  private final Cipher keyGenerating = newCipher();
  private final Cipher perValue = newCipher();
  private byte[] keyGeneratingKey;
  private final byte[] derivationInput = new byte[6 * BLOCK];
  private final byte[] derived = new byte[6 * BLOCK];
  private final byte[] encryptionKey = new byte[32];
  private final long[] tableLo = new long[16];
  private final long[] tableHi = new long[16];
  private final byte[] block = new byte[BLOCK];
  private final byte[] tag = new byte[BLOCK];
  private byte[] counters = new byte[4 * BLOCK];
  private byte[] keystream = new byte[4 * BLOCK];

  /**
   * Makes this key (32 bytes) the key-generating key, unless it already is (compared by
   * identity: callers keep one array per key).
   */
  void keyGeneratingKey(byte[] key) {
    if (key != keyGeneratingKey) {
      init(keyGenerating, key);
      keyGeneratingKey = key;
    }
  }

  /**
   * Seals: writes {@code ciphertext || tag} ({@code plaintext.length + 16} bytes) into {@code out}
   * at {@code outOffset}.
   */
  void seal(byte[] nonce, int nonceOffset, byte[] aad, byte[] plaintext, byte[] out, int outOffset) {
    deriveKeys(nonce, nonceOffset);
    long[] s = polyval(aad, plaintext, 0, plaintext.length);
    makeTag(s, nonce, nonceOffset);
    System.arraycopy(tag, 0, out, outOffset + plaintext.length, BLOCK);
    ctr(tag, plaintext, 0, plaintext.length, out, outOffset);
    wipe();
  }

  /**
   * Opens {@code ciphertext || tag} of {@code length} bytes at {@code offset}.
   *
   * @throws AEADBadTagException when the tag does not verify (nothing is returned then)
   */
  byte[] open(byte[] nonce, int nonceOffset, byte[] aad, byte[] in, int offset, int length) throws AEADBadTagException {
    if (length < BLOCK) {
      throw new AEADBadTagException("AES-GCM-SIV value shorter than its tag");
    }
    int n = length - BLOCK;
    byte[] receivedTag = Arrays.copyOfRange(in, offset + n, offset + length);
    deriveKeys(nonce, nonceOffset);
    byte[] plaintext = new byte[n];
    ctr(receivedTag, in, offset, n, plaintext, 0);
    long[] s = polyval(aad, plaintext, 0, n);
    makeTag(s, nonce, nonceOffset);
    boolean ok = MessageDigest.isEqual(tag, receivedTag);
    wipe();
    if (!ok) {
      Arrays.fill(plaintext, (byte) 0);
      throw new AEADBadTagException("AES-GCM-SIV authentication failed");
    }
    return plaintext;
  }

  /** RFC 8452 §4: six AES blocks of (LE32(i) || nonce); the first 8 bytes of each make the keys. */
  private void deriveKeys(byte[] nonce, int nonceOffset) {
    for (int i = 0; i < 6; i++) {
      int o = i * BLOCK;
      derivationInput[o] = (byte) i;
      System.arraycopy(nonce, nonceOffset, derivationInput, o + 4, 12);
    }
    update(keyGenerating, derivationInput, 6 * BLOCK, derived);
    // Authentication key: blocks 0 and 1 → the POLYVAL table.
    long hLo = le64(derived, 0);
    long hHi = le64(derived, BLOCK);
    buildTable(hLo, hHi);
    for (int i = 0; i < 4; i++) {
      System.arraycopy(derived, (2 + i) * BLOCK, encryptionKey, i * 8, 8);
    }
    init(perValue, encryptionKey);
  }

  /** POLYVAL(H, AAD padded, text padded, LE64(bits AAD) || LE64(bits text)); returns {lo, hi}. */
  private long[] polyval(byte[] aad, byte[] text, int textOffset, int textLength) {
    long[] s = new long[2];
    absorb(s, aad, 0, aad.length);
    absorb(s, text, textOffset, textLength);
    multiplyInto(s, (long) aad.length * 8, (long) textLength * 8);
    return s;
  }

  private void absorb(long[] s, byte[] data, int offset, int length) {
    int end = offset + length;
    int i = offset;
    for (; i + BLOCK <= end; i += BLOCK) {
      multiplyInto(s, le64(data, i), le64(data, i + 8));
    }
    if (i < end) {
      Arrays.fill(block, (byte) 0);
      System.arraycopy(data, i, block, 0, end - i);
      multiplyInto(s, le64(block, 0), le64(block, 8));
    }
  }

  /**
   * s = dot(s ⊕ x, H) = (s ⊕ x) · H · x^-128 in GF(2^128) mod x^128 + x^127 + x^126 + x^121 + 1,
   * little-endian bit order (bit k of the 128-bit little-endian integer is the coefficient of x^k).
   * Nibbles from the lowest: z = (z ⊕ nibble · H) · x^-4, 32 times. Multiplying by x^-4 adds
   * l · P (l = the low nibble, P ≡ 1 mod x^4, so the low nibble becomes 0) and shifts right by 4:
   * l · (x^128 + x^127 + x^126 + x^121) / x^4 enters at bits 124, 123, 122 and 117.
   */
  private void multiplyInto(long[] s, long xLo, long xHi) {
    long[] lo = tableLo;
    long[] hi = tableHi;
    long zLo = 0;
    long zHi = 0;
    long b = s[0] ^ xLo;
    for (int i = 0; i < 16; i++) {
      int nibble = (int) b & 0xF;
      b >>>= 4;
      zLo ^= lo[nibble];
      zHi ^= hi[nibble];
      long l = zLo & 0xF;
      zLo = (zLo >>> 4) | (zHi << 60);
      zHi = (zHi >>> 4) ^ (l << 60) ^ (l << 59) ^ (l << 58) ^ (l << 53);
    }
    b = s[1] ^ xHi;
    for (int i = 0; i < 16; i++) {
      int nibble = (int) b & 0xF;
      b >>>= 4;
      zLo ^= lo[nibble];
      zHi ^= hi[nibble];
      long l = zLo & 0xF;
      zLo = (zLo >>> 4) | (zHi << 60);
      zHi = (zHi >>> 4) ^ (l << 60) ^ (l << 59) ^ (l << 58) ^ (l << 53);
    }
    s[0] = zLo;
    s[1] = zHi;
  }

  /** table[i] = i · H mod P for every 4-bit polynomial i. */
  private void buildTable(long hLo, long hHi) {
    tableLo[0] = 0;
    tableHi[0] = 0;
    long lo = hLo;
    long hi = hHi;
    for (int bit = 1; bit < 16; bit <<= 1) {
      tableLo[bit] = lo;
      tableHi[bit] = hi;
      // multiply by x: shift left one bit; x^128 = x^127 + x^126 + x^121 + 1
      long carry = hi >>> 63;
      hi = (hi << 1) | (lo >>> 63);
      lo = lo << 1;
      lo ^= carry;
      hi ^= -carry & 0xC200000000000000L;
    }
    for (int i = 3; i < 16; i++) {
      if ((i & (i - 1)) != 0) {
        int low = i & -i;
        tableLo[i] = tableLo[low] ^ tableLo[i ^ low];
        tableHi[i] = tableHi[low] ^ tableHi[i ^ low];
      }
    }
  }

  /** tag = AES(encryption key, S ⊕ (nonce || 0^32) with the top bit cleared). */
  private void makeTag(long[] s, byte[] nonce, int nonceOffset) {
    putLe64(block, 0, s[0]);
    putLe64(block, 8, s[1]);
    for (int i = 0; i < 12; i++) {
      block[i] ^= nonce[nonceOffset + i];
    }
    block[15] &= 0x7F;
    update(perValue, block, BLOCK, tag);
  }

  /** AES-CTR from (tag with the top bit set), counter = the first 32 bits, little-endian, mod 2^32. */
  private void ctr(byte[] initialCounter, byte[] in, int inOffset, int length, byte[] out, int outOffset) {
    if (length == 0) {
      return;
    }
    int blocks = (length + BLOCK - 1) / BLOCK;
    int bytes = blocks * BLOCK;
    if (counters.length < bytes) {
      counters = new byte[bytes];
      keystream = new byte[bytes];
    }
    int counter = (initialCounter[0] & 0xFF) | (initialCounter[1] & 0xFF) << 8 | (initialCounter[2] & 0xFF) << 16
        | (initialCounter[3] & 0xFF) << 24;
    for (int b = 0; b < blocks; b++) {
      int o = b * BLOCK;
      int c = counter + b;
      counters[o] = (byte) c;
      counters[o + 1] = (byte) (c >>> 8);
      counters[o + 2] = (byte) (c >>> 16);
      counters[o + 3] = (byte) (c >>> 24);
      System.arraycopy(initialCounter, 4, counters, o + 4, 12);
      counters[o + 15] |= (byte) 0x80;
    }
    update(perValue, counters, bytes, keystream);
    for (int i = 0; i < length; i++) {
      out[outOffset + i] = (byte) (in[inOffset + i] ^ keystream[i]);
    }
  }

  private void wipe() {
    Arrays.fill(derived, (byte) 0);
    Arrays.fill(encryptionKey, (byte) 0);
    Arrays.fill(tableLo, 0);
    Arrays.fill(tableHi, 0);
    Arrays.fill(keystream, (byte) 0);
  }

  private static long le64(byte[] b, int o) {
    return (b[o] & 0xFFL) | (b[o + 1] & 0xFFL) << 8 | (b[o + 2] & 0xFFL) << 16 | (b[o + 3] & 0xFFL) << 24
        | (b[o + 4] & 0xFFL) << 32 | (b[o + 5] & 0xFFL) << 40 | (b[o + 6] & 0xFFL) << 48 | (b[o + 7] & 0xFFL) << 56;
  }

  private static void putLe64(byte[] b, int o, long v) {
    for (int i = 0; i < 8; i++) {
      b[o + i] = (byte) (v >>> (8 * i));
    }
  }

  private static void init(Cipher cipher, byte[] key) {
    try {
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES key rejected: " + e.getClass().getSimpleName(), e);
    }
  }

  private static void update(Cipher cipher, byte[] in, int length, byte[] out) {
    try {
      cipher.update(in, 0, length, out, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Cipher newCipher() {
    try {
      try {
        return Cipher.getInstance("AES/ECB/NoPadding", "SunJCE");
      } catch (NoSuchProviderException noSunJce) {
        return Cipher.getInstance("AES/ECB/NoPadding");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/ECB/NoPadding is not available in this JDK", e);
    }
  }
}
