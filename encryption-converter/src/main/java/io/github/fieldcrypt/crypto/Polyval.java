package io.github.fieldcrypt.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * POLYVAL (RFC 8452 §3) in constant time, for {@link GcmSiv}.
 *
 * <p>Field elements are 128-bit little-endian integers held as two longs (bit k = the coefficient
 * of x^k). {@code s = dot(s ⊕ x, H) = (s ⊕ x) · H · x^-128 mod x^128 + x^127 + x^126 + x^121 + 1}.
 * The 128 × 128-bit carry-less product is three 64 × 64-bit ones (Karatsuba), each made of integer
 * multiplications with holes ({@link #clmulLow}, as BearSSL's {@code ghash_ctmul64} and
 * RustCrypto's {@code polyval} soft64 backend do): no table indexed by secret bits. The upper
 * halves of the 64-bit products are the lower halves of the bit-reversed operands' products,
 * reversed. The 256-bit product is reduced by two Montgomery folds, which multiply by x^-128.
 *
 * <p>Mutable, one owner at a time. Holds a hash key: {@link #wipe()} when done with it.
 */
final class Polyval {
  private static final int BLOCK = 16;
  private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  // The key H: low and high halves, their XOR, and the three bit-reversed.
  private long h0;
  private long h1;
  private long h2;
  private long h0r;
  private long h1r;
  private long h2r;
  /** The running value s (low, high). */
  long s0;
  long s1;
  private final byte[] partial = new byte[BLOCK];

  /**
   * The POLYVAL key that computes GHASH under the GCM hash key {@code h} (16 bytes, not kept):
   * mulX_POLYVAL(ByteReverse(h)) as {low, high} (RFC 8452 Appendix A). A GCM block B then enters
   * as {@code (BE64(B, 8), BE64(B, 0))}, and a result (s0, s1) is the GCM bytes BE64(s1) || BE64(s0).
   */
  static long[] ghashKey(byte[] h) {
    long lo = (long) BE64.get(h, 8);
    long hi = (long) BE64.get(h, 0);
    long carry = -(hi >>> 63);
    return new long[] {(lo << 1) ^ (carry & 1L), ((hi << 1) | (lo >>> 63)) ^ (carry & 0xC200000000000000L)};
  }

  /** Sets the POLYVAL key H = (hLo, hHi) and clears s. */
  void key(long hLo, long hHi) {
    h0 = hLo;
    h1 = hHi;
    h2 = hLo ^ hHi;
    h0r = Long.reverse(hLo);
    h1r = Long.reverse(hHi);
    h2r = h0r ^ h1r;
    s0 = 0;
    s1 = 0;
  }

  /** POLYVAL: absorbs {@code length} bytes, the last block zero-padded. */
  void absorb(byte[] data, int offset, int length) {
    int end = offset + length;
    int i = offset;
    for (; i + BLOCK <= end; i += BLOCK) {
      multiply((long) LE64.get(data, i), (long) LE64.get(data, i + 8));
    }
    if (i < end) {
      padded(data, i, end - i);
      multiply((long) LE64.get(partial, 0), (long) LE64.get(partial, 8));
    }
  }

  private void padded(byte[] data, int offset, int length) {
    System.arraycopy(data, offset, partial, 0, length);
    java.util.Arrays.fill(partial, length, BLOCK, (byte) 0);
  }

  /** s = dot(s ⊕ x, H). */
  void multiply(long xLo, long xHi) {
    long y0 = s0 ^ xLo;
    long y1 = s1 ^ xHi;
    long y0r = Long.reverse(y0);
    long y1r = Long.reverse(y1);
    long z0 = clmulLow(y0, h0);
    long z1 = clmulLow(y1, h1);
    long z2 = clmulLow(y0 ^ y1, h2);
    long z0h = clmulLow(y0r, h0r);
    long z1h = clmulLow(y1r, h1r);
    long z2h = clmulLow(y0r ^ y1r, h2r);
    reduce(z0, z1, z2, z0h, z1h, z2h);
  }

  /**
   * s = the product whose six Karatsuba partial products are given, times x^-128: {@code z0},
   * {@code z1}, {@code z2} the low halves of lo·lo, hi·hi and (lo⊕hi)·(lo⊕hi), the {@code h}
   * ones the low halves of the bit-reversed operands' products. All of it is linear, so sums of
   * partial products of several blocks ({@link ShortGcm}) reduce to the sum of their products.
   */
  void reduce(long z0, long z1, long z2, long z0h, long z1h, long z2h) {
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
    s0 = v2;
    s1 = v3;
  }

  /** Every fourth bit, from bit 0, 1, 2 and 3: the four bit classes of an operand. */
  static final long M1 = 0x1111111111111111L;
  static final long M2 = 0x2222222222222222L;
  static final long M4 = 0x4444444444444444L;
  static final long M8 = 0x8888888888888888L;

  /**
   * The low 64 bits of the carry-less product of x and y. The operands are split into four
   * interleaved bit sets (every fourth bit); an integer product of two such sets has three zero
   * bits between any two terms, so carries land in those holes and masking them off leaves the
   * XOR of the terms.
   */
  private static long clmulLow(long x, long y) {
    long x0 = x & M1;
    long x1 = x & M2;
    long x2 = x & M4;
    long x3 = x & M8;
    long y0 = y & M1;
    long y1 = y & M2;
    long y2 = y & M4;
    long y3 = y & M8;
    long z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
    long z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
    long z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
    long z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
    return (z0 & M1) | (z1 & M2) | (z2 & M4) | (z3 & M8);
  }

  /** Forgets the key, the running value and the last partial block. */
  void wipe() {
    key(0, 0);
    java.util.Arrays.fill(partial, (byte) 0);
  }
}
