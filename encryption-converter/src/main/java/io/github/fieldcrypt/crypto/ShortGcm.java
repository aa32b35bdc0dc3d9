package io.github.fieldcrypt.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;

/**
 * AES-256-GCM for short values (up to {@value #MAX_BYTES} bytes of ciphertext), exactly the bytes
 * of NIST SP 800-38D, without SunJCE's per-value GCM set-up: counter mode through an AES/ECB
 * cipher that keeps its key, and GHASH in constant-time Java over precomputed powers of the hash
 * key.
 *
 * <p>Why: for a 40-byte value, SunJCE's {@code Cipher.init} + {@code doFinal} in GCM mode does
 * about 300 ns of set-up around 4 AES blocks and 4 GHASH blocks (a new GCM engine and GHASH
 * state, the key and nonce compared with the previous ones, ~1 KB of garbage per value). Inside a
 * Hibernate flush that set-up and the young collections its garbage triggers cost about twice
 * what it costs in a loop. Here a value costs one ECB call on its counter blocks (no allocation),
 * one carry-less product per ciphertext block and one reduction.
 *
 * <p>How: with H = AES_K(0^128), J0 = nonce || 0^31 || 1 and the ciphertext in n blocks, the
 * tag SunJCE computes for no associated data is
 * {@code E_K(J0) ⊕ C_1·H^(n+1) ⊕ … ⊕ C_n·H^2 ⊕ L·H} (L the length block); the associated data
 * is added by the {@link FoldedAad} correction Δ_n, as on SunJCE's path. The products are
 * independent of one another (no Horner chain), so the CPU overlaps them, and their sum is
 * reduced once. Arithmetic is POLYVAL's ({@link Polyval}: GHASH is POLYVAL over byte-reversed
 * blocks with the key multiplied by x, RFC 8452 Appendix A): integer multiplications of operands
 * with holes, no table indexed by secret data. The tag is checked in constant time before any
 * plaintext is produced.
 *
 * <p><b>Security:</b> {@link Powers} hold the hash key's powers, key material: kept by the key's
 * {@link GcmKey}, wiped by {@link GcmKey#release()}, never printed. A thread's counter, key
 * stream and ciphertext blocks ({@link LocalBuffers}) hold no key; they are overwritten by the
 * next value.
 */
final class ShortGcm {
  /**
   * Longest ciphertext taken, in 16-byte blocks. Each block costs ~50 ns here (96 integer
   * multiplications) where SunJCE's intrinsic GHASH costs a few, so SunJCE's fixed set-up is
   * repaid by about 4 blocks for decryption and 6 for encryption (Interleaved, 48–96 bytes).
   */
  static final int MAX_BLOCKS = 4;
  static final int MAX_BYTES = MAX_BLOCKS * 16;
  /** Bits of a length in bytes up to {@link #MAX_BYTES}. */
  private static final int LENGTH_BITS = 32 - Integer.numberOfLeadingZeros(MAX_BYTES);
  private static final int BLOCK = 16;
  /** Longs per power: six Karatsuba operands (lo, hi, lo^hi and the three bit-reversed), four bit classes each. */
  private static final int PER_POWER = 24;
  private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle BE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  private ShortGcm() {}

  /** Whether a ciphertext of this many bytes is short enough for this path. */
  static boolean covers(int bodyLength) {
    return bodyLength <= MAX_BYTES;
  }

  /**
   * The hash key's powers D^2 .. D^(MAX_BLOCKS+1) in POLYVAL's domain, each split for the
   * carry-less products, and L·D for each bit a length block can have (L the GCM length block for
   * no associated data: the ciphertext's length in bits, a multiple of 8 up to 512; L·D is linear
   * in L). Key material, about 0.9 KB.
   */
  static final class Powers {
    private final long[] split;
    /** dot(2^(j+3), D) for j = 0 .. LENGTH_BITS - 1: {@code lengths[2 j]} low half, {@code lengths[2 j + 1]} high half. */
    private final long[] lengths;

    private Powers(long[] split, long[] lengths) {
      this.split = split;
      this.lengths = lengths;
    }

    /** Zeroes the powers (the key is being destroyed): tags come out wrong and nothing verifies. */
    void wipe() {
      Arrays.fill(split, 0L);
      Arrays.fill(lengths, 0L);
    }

    @Override
    public String toString() {
      return "ShortGcm.Powers";
    }
  }

  /**
   * The powers of the hash key {@code h = AES_K(0^128)}.
   *
   * @param h 16 bytes, not kept
   */
  static Powers powers(byte[] h) {
    long[] key = Polyval.ghashKey(h);
    long[] split = new long[MAX_BLOCKS * PER_POWER];
    long[] lengths = new long[2 * LENGTH_BITS];
    Polyval p = new Polyval();
    try {
      p.key(key[0], key[1]);
      for (int j = 0; j < LENGTH_BITS; j++) {
        p.s0 = 0;
        p.s1 = 0;
        p.multiply(1L << (j + 3), 0);
        lengths[2 * j] = p.s0;
        lengths[2 * j + 1] = p.s1;
      }
      // D^2 = dot(D, D), then D^(k+1) = dot(D^k, D)
      p.s0 = 0;
      p.s1 = 0;
      p.multiply(key[0], key[1]);
      for (int k = 0; k < MAX_BLOCKS; k++) {
        split(p.s0, p.s1, split, k * PER_POWER);
        p.multiply(0, 0);
      }
      return new Powers(split, lengths);
    } finally {
      p.wipe();
      Arrays.fill(key, 0L);
    }
  }

  private static void split(long lo, long hi, long[] out, int at) {
    long[] operands = {lo, hi, lo ^ hi, Long.reverse(lo), Long.reverse(hi), Long.reverse(lo) ^ Long.reverse(hi)};
    for (int i = 0; i < operands.length; i++) {
      long v = operands[i];
      out[at + 4 * i] = v & Polyval.M1;
      out[at + 4 * i + 1] = v & Polyval.M2;
      out[at + 4 * i + 2] = v & Polyval.M4;
      out[at + 4 * i + 3] = v & Polyval.M8;
    }
  }

  /**
   * A thread's scratch for one value at a time: counter blocks, their key stream, and the
   * ciphertext zero-padded to whole blocks (GHASH reads it there, in cache, whether it was just
   * made or came from the caller).
   */
  static final class Scratch {
    final byte[] counters = new byte[(MAX_BLOCKS + 1) * BLOCK];
    final byte[] stream = new byte[(MAX_BLOCKS + 1) * BLOCK];
    final byte[] body = new byte[MAX_BLOCKS * BLOCK];
    /** Reduces the sum of a value's products (keyless: only its result fields are used). */
    final Polyval sum = new Polyval();
  }

  /**
   * Seals {@code length} bytes of {@code in} at {@code inOffset}: ciphertext || tag into
   * {@code out} at {@code outOffset} (which may not overlap the input).
   *
   * @param ecb AES/ECB for encryption under the key, not shared with another thread meanwhile
   */
  static void seal(Cipher ecb, Scratch scratch, Powers powers, FoldedAad folded, byte[] nonce, int nonceOffset,
      byte[] in, int inOffset, int length, byte[] out, int outOffset) {
    int n = (length + BLOCK - 1) >>> 4;
    keyStream(ecb, scratch, nonce, nonceOffset, n);
    byte[] stream = scratch.stream;
    byte[] body = scratch.body;
    // the ciphertext in the scratch, zero-padded to whole blocks for GHASH, then copied out
    int i = 0;
    for (; i + 8 <= length; i += 8) {
      BE64.set(body, i, (long) BE64.get(in, inOffset + i) ^ (long) BE64.get(stream, BLOCK + i));
    }
    for (; i < length; i++) {
      body[i] = (byte) (in[inOffset + i] ^ stream[BLOCK + i]);
    }
    Arrays.fill(body, length, n * BLOCK, (byte) 0);
    System.arraycopy(body, 0, out, outOffset, length);
    int tag = outOffset + length;
    BE64.set(out, tag, (long) BE64.get(stream, 0));
    BE64.set(out, tag + 8, (long) BE64.get(stream, 8));
    xorHash(powers, scratch, length, out, tag);
    folded.correct(out, tag, length);
  }

  /**
   * Opens ciphertext || tag ({@code bodyLength} bytes of ciphertext at {@code offset}): the
   * plaintext, produced only after the tag has been checked (in constant time).
   *
   * @throws AEADBadTagException when the tag does not verify
   */
  static byte[] open(Cipher ecb, Scratch scratch, Powers powers, FoldedAad folded, byte[] nonce, int nonceOffset,
      byte[] sealed, int offset, int bodyLength) throws AEADBadTagException {
    byte[] plaintext = new byte[bodyLength];
    openInto(ecb, scratch, powers, folded, nonce, nonceOffset, sealed, offset, bodyLength, plaintext);
    return plaintext;
  }

  /**
   * {@link #open} into the start of {@code plaintext}, which is written only after the tag has
   * been checked.
   */
  static void openInto(Cipher ecb, Scratch scratch, Powers powers, FoldedAad folded, byte[] nonce, int nonceOffset,
      byte[] sealed, int offset, int bodyLength, byte[] plaintext) throws AEADBadTagException {
    int n = (bodyLength + BLOCK - 1) >>> 4;
    keyStream(ecb, scratch, nonce, nonceOffset, n);
    byte[] stream = scratch.stream;
    byte[] body = scratch.body;
    System.arraycopy(sealed, offset, body, 0, bodyLength);
    Arrays.fill(body, bodyLength, n * BLOCK, (byte) 0);
    // The expected tag, built in the counter block area (no longer needed): E_K(J0) ⊕ S ⊕ Δ_n.
    byte[] expected = scratch.counters;
    System.arraycopy(stream, 0, expected, 0, BLOCK);
    xorHash(powers, scratch, bodyLength, expected, 0);
    folded.correct(expected, 0, bodyLength);
    int tag = offset + bodyLength;
    long diff = ((long) BE64.get(expected, 0) ^ (long) BE64.get(sealed, tag))
        | ((long) BE64.get(expected, 8) ^ (long) BE64.get(sealed, tag + 8));
    if (diff != 0) {
      throw new AEADBadTagException("Tag mismatch");
    }
    int i = 0;
    for (; i + 8 <= bodyLength; i += 8) {
      BE64.set(plaintext, i, (long) BE64.get(body, i) ^ (long) BE64.get(stream, BLOCK + i));
    }
    for (; i < bodyLength; i++) {
      plaintext[i] = (byte) (body[i] ^ stream[BLOCK + i]);
    }
  }

  /** E_K(J0), E_K(J0 + 1) .. E_K(J0 + n) into the scratch's stream. */
  private static void keyStream(Cipher ecb, Scratch scratch, byte[] nonce, int nonceOffset, int n) {
    byte[] counters = scratch.counters;
    for (int b = 0; b <= n; b++) {
      System.arraycopy(nonce, nonceOffset, counters, b * BLOCK, CiphertextFormat.NONCE_LENGTH);
      BE32.set(counters, b * BLOCK + 12, b + 1);
    }
    try {
      ecb.update(counters, 0, (n + 1) * BLOCK, scratch.stream, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException("AES failed: " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * XORs S = C_1·H^(n+1) ⊕ … ⊕ C_n·H^2 ⊕ L·H (GCM byte order) into the 16 bytes at
   * {@code into[at]}, C being {@code length} bytes at the start of the scratch's body,
   * zero-padded there to whole blocks.
   */
  private static void xorHash(Powers powers, Scratch scratch, int length, byte[] into, int at) {
    byte[] body = scratch.body;
    long[] t = powers.split;
    int n = (length + BLOCK - 1) >>> 4;
    // Sums over the blocks of the six Karatsuba partial products, reduced once (all linear).
    long z0 = 0;
    long z1 = 0;
    long z2 = 0;
    long z0h = 0;
    long z1h = 0;
    long z2h = 0;
    for (int b = 0; b < n; b++) {
      long lo = (long) BE64.get(body, b * BLOCK + 8);
      long hi = (long) BE64.get(body, b * BLOCK);
      // block b (0-based) is multiplied by D^(n+1-b), stored at index n-1-b (D^2 at 0)
      int o = (n - 1 - b) * PER_POWER;
      long lor = Long.reverse(lo);
      long hir = Long.reverse(hi);
      z0 ^= clmul(lo, t, o);
      z1 ^= clmul(hi, t, o + 4);
      z2 ^= clmul(lo ^ hi, t, o + 8);
      z0h ^= clmul(lor, t, o + 12);
      z1h ^= clmul(hir, t, o + 16);
      z2h ^= clmul(lor ^ hir, t, o + 20);
    }
    Polyval sum = scratch.sum;
    sum.reduce(z0, z1, z2, z0h, z1h, z2h);
    // L·D from the bits of the length (public: branches are fine)
    long s0 = sum.s0;
    long s1 = sum.s1;
    long[] lengths = powers.lengths;
    for (int j = 0; j < LENGTH_BITS; j++) {
      if ((length & (1 << j)) != 0) {
        s0 ^= lengths[2 * j];
        s1 ^= lengths[2 * j + 1];
      }
    }
    // back to GCM's byte order: the high half is bytes 0..7
    BE64.set(into, at, (long) BE64.get(into, at) ^ s1);
    BE64.set(into, at + 8, (long) BE64.get(into, at + 8) ^ s0);
  }

  /**
   * The low 64 bits of the carry-less product of x and the operand split at {@code t[o..o+3]},
   * the same arithmetic as {@code Polyval.clmulLow} with the key's operand split in advance. Kept
   * written out here: this is the hottest loop of a value, and one shared method taking the split
   * operand measured 8–12% slower per 32-byte value ({@code Interleaved}), the compiler no longer
   * inlining all of it into {@link #xorHash}.
   */
  private static long clmul(long x, long[] t, int o) {
    long x0 = x & Polyval.M1;
    long x1 = x & Polyval.M2;
    long x2 = x & Polyval.M4;
    long x3 = x & Polyval.M8;
    long y0 = t[o];
    long y1 = t[o + 1];
    long y2 = t[o + 2];
    long y3 = t[o + 3];
    long z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
    long z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
    long z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
    long z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
    return (z0 & Polyval.M1) | (z1 & Polyval.M2) | (z2 & Polyval.M4) | (z3 & Polyval.M8);
  }

  /** An AES/ECB cipher for encryption under this key (SunJCE first). */
  static Cipher ecb(javax.crypto.SecretKey key) {
    Cipher ecb = JdkAes.cipher("AES/ECB/NoPadding");
    try {
      ecb.init(Cipher.ENCRYPT_MODE, key);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES failed: " + e.getClass().getSimpleName(), e);
    }
    return ecb;
  }
}
