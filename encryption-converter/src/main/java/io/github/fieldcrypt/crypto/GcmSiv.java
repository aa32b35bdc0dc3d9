package io.github.fieldcrypt.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * {@code AES/ECB/NoPadding} (AES-NI), POLYVAL is computed here in constant time
 * with integer multiplications.
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
  private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private final Cipher keyGenerating = newCipher();
  private final Cipher perValue = newCipher();
  private byte[] keyGeneratingKey;
  private final byte[] derivationInput = new byte[6 * BLOCK];
  private final byte[] derived = new byte[6 * BLOCK];
  private final byte[] encryptionKey = new byte[32];
  // The POLYVAL key H of the current value: low and high halves, their XOR, and the three bit-reversed.
  private long h0;
  private long h1;
  private long h2;
  private long h0r;
  private long h1r;
  private long h2r;
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
    // Authentication key: blocks 0 and 1 → the POLYVAL key H.
    long hLo = le64(derived, 0);
    long hHi = le64(derived, BLOCK);
    setHashKey(hLo, hHi);
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
   * s = dot(s ⊕ x, H) = (s ⊕ x) · H · x^-128 in GF(2^128) mod P = x^128 + x^127 + x^126 + x^121 + 1,
   * little-endian bit order (bit k of the 128-bit little-endian integer is the coefficient of x^k).
   *
   * <p>The 128 × 128-bit carry-less product is three 64 × 64-bit ones (Karatsuba), each made of
   * integer multiplications with holes ({@link #clmulLow}, as BearSSL's {@code ghash_ctmul64} and
   * RustCrypto's {@code polyval} soft64 backend do): no table indexed by secret bits, so it runs
   * in constant time, and about three times faster than 4-bit tables. The upper halves of the
   * 64-bit products are the lower halves of the bit-reversed operands' products, reversed. The
   * 256-bit product is then reduced by two Montgomery folds, which multiply by x^-128.
   */
  private void multiplyInto(long[] s, long xLo, long xHi) {
    long y0 = s[0] ^ xLo;
    long y1 = s[1] ^ xHi;
    long y0r = Long.reverse(y0);
    long y1r = Long.reverse(y1);
    long z0 = clmulLow(y0, h0);
    long z1 = clmulLow(y1, h1);
    long z2 = clmulLow(y0 ^ y1, h2);
    long z0h = clmulLow(y0r, h0r);
    long z1h = clmulLow(y1r, h1r);
    long z2h = clmulLow(y0r ^ y1r, h2r);
    z2 ^= z0 ^ z1;
    z2h ^= z0h ^ z1h;
    z0h = Long.reverse(z0h) >>> 1;
    z1h = Long.reverse(z1h) >>> 1;
    z2h = Long.reverse(z2h) >>> 1;
    long v0 = z0;
    long v1 = z0h ^ z2;
    long v2 = z1 ^ z2h;
    long v3 = z1h;
    v2 ^= v0 ^ (v0 >>> 1) ^ (v0 >>> 2) ^ (v0 >>> 7);
    v1 ^= (v0 << 63) ^ (v0 << 62) ^ (v0 << 57);
    v3 ^= v1 ^ (v1 >>> 1) ^ (v1 >>> 2) ^ (v1 >>> 7);
    v2 ^= (v1 << 63) ^ (v1 << 62) ^ (v1 << 57);
    s[0] = v2;
    s[1] = v3;
  }

  /**
   * The low 64 bits of the carry-less product of x and y. The operands are split into four
   * interleaved bit sets (every fourth bit); an integer product of two such sets has three zero
   * bits between any two terms, so carries land in those holes and masking them off leaves the
   * XOR of the terms.
   */
  private static long clmulLow(long x, long y) {
    long x0 = x & 0x1111111111111111L;
    long x1 = x & 0x2222222222222222L;
    long x2 = x & 0x4444444444444444L;
    long x3 = x & 0x8888888888888888L;
    long y0 = y & 0x1111111111111111L;
    long y1 = y & 0x2222222222222222L;
    long y2 = y & 0x4444444444444444L;
    long y3 = y & 0x8888888888888888L;
    long z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
    long z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
    long z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
    long z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
    return (z0 & 0x1111111111111111L) | (z1 & 0x2222222222222222L) | (z2 & 0x4444444444444444L)
        | (z3 & 0x8888888888888888L);
  }

  /** Keeps H = (hLo, hHi) and the forms of it {@link #multiplyInto} uses, once per value. */
  private void setHashKey(long hLo, long hHi) {
    h0 = hLo;
    h1 = hHi;
    h2 = hLo ^ hHi;
    h0r = Long.reverse(hLo);
    h1r = Long.reverse(hHi);
    h2r = h0r ^ h1r;
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
    setHashKey(0, 0);
    Arrays.fill(keystream, (byte) 0);
  }

  private static long le64(byte[] b, int o) {
    return (long) LE64.get(b, o);
  }

  private static void putLe64(byte[] b, int o, long v) {
    LE64.set(b, o, v);
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
