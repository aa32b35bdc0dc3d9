package io.github.fieldcrypt.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The associated data of one context under one AES-GCM key, folded into tag corrections, so the
 * cipher never has to see it.
 *
 * <p>Why: SunJCE buffers associated data per value (a stream, copies, its own GHASH pass), about
 * 90 ns of a 430 ns decryption of 32 bytes. But the associated data of a v1 value is the same for
 * every value of a column and key, and GHASH is linear. With H = AES_K(0^128), A the associated
 * data in m blocks and C the ciphertext in n blocks, the tag over (A, C) and the tag the cipher
 * computes over (nothing, C) differ by
 *
 * <pre>
 * Δ_n = GHASH_H(A) · H^(n+1)  ⊕  (len(A) in bits || 0^64) · H
 * </pre>
 *
 * which depends on the key, A and n only: neither on the nonce nor on the ciphertext. So
 * encryption asks the cipher for a tag without associated data and XORs Δ_n into it, and
 * decryption XORs Δ_n into the stored tag and lets the cipher verify (in constant time) the tag
 * it expects without associated data. A value verifies this way exactly when it verifies with the
 * associated data: the stored bytes and the security are those of AES-GCM with AAD (RFC 5116,
 * NIST SP 800-38D). The Wycheproof vectors run through both ways ({@code WycheproofAesGcmTest}).
 *
 * <p>Δ_n is kept for n up to {@link #MAX_BLOCKS} (values up to 1 KiB), computed on demand with
 * the constant-time {@link Polyval} (GHASH is POLYVAL over byte-reversed blocks, RFC 8452
 * Appendix A); longer values hand the associated data to the cipher, where its cost is small
 * beside the value's.
 *
 * <p><b>Security:</b> the corrections reveal H (the GHASH key), so they are key material: held
 * only by the key's {@link GcmKey}, wiped by {@link GcmKey#release()}, never printed.
 */
final class FoldedAad {
  /** Longest value folded, in 16-byte blocks of ciphertext (1 KiB). */
  static final int MAX_BLOCKS = 64;
  /** Corrections computed at least this far ahead at once (a 40-character value is 3 blocks). */
  private static final int FIRST_BLOCKS = 8;
  private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  final GcmKey key;
  /** The associated data folded (public bytes, a copy), to recognise it by content. */
  final byte[] aad;
  // The POLYVAL-domain hash key and (len(A) || 0) · H, to extend the table (zeroed by wipe).
  private long hLo;
  private long hHi;
  private long lenLo;
  private long lenHi;
  /**
   * Δ_0 .. Δ_k as big-endian halves: {@code deltas[2n]} XORs into tag bytes 0..7,
   * {@code deltas[2n + 1]} into bytes 8..15. Replaced (never changed in place) when it grows, so
   * a reader sees a complete table; zeroed only by {@link #wipe()}.
   */
  private volatile long[] deltas;

  private FoldedAad(GcmKey key, byte[] aad, long hLo, long hHi, long lenLo, long lenHi, long[] deltas) {
    this.key = key;
    this.aad = aad.clone();
    this.hLo = hLo;
    this.hHi = hHi;
    this.lenLo = lenLo;
    this.lenHi = lenHi;
    this.deltas = deltas;
  }

  /**
   * Folds associated data for the key whose hash key is {@code h = AES_K(0^128)}.
   *
   * @param h 16 bytes, not kept
   */
  static FoldedAad fold(GcmKey key, byte[] h, byte[] aad) {
    long[] ghashKey = Polyval.ghashKey(h);
    long hLo = ghashKey[0];
    long hHi = ghashKey[1];
    Arrays.fill(ghashKey, 0L);
    Polyval p = new Polyval();
    try {
      p.key(hLo, hHi);
      // (len(A) || 0^64) · H
      p.multiply(0, (long) aad.length * 8);
      long lenLo = p.s0;
      long lenHi = p.s1;
      // GHASH_H(A) · H = the state after A's blocks and one zero block
      p.key(hLo, hHi);
      byte[] block = new byte[16];
      for (int i = 0; i < aad.length; i += 16) {
        Arrays.fill(block, (byte) 0);
        System.arraycopy(aad, i, block, 0, Math.min(16, aad.length - i));
        p.multiply((long) BE64.get(block, 8), (long) BE64.get(block, 0));
      }
      p.multiply(0, 0);
      long[] deltas = new long[2 * (FIRST_BLOCKS + 1)];
      FoldedAad folded = new FoldedAad(key, aad, hLo, hHi, lenLo, lenHi, deltas);
      folded.fill(p, deltas, 0);
      return folded;
    } finally {
      p.wipe();
    }
  }

  /** Whether a ciphertext of this many bytes is short enough to be folded. */
  static boolean covers(int bodyLength) {
    return bodyLength <= MAX_BLOCKS * 16;
  }

  /**
   * XORs Δ_n into the 16 bytes at {@code tagOffset}, n being the blocks of a ciphertext of
   * {@code bodyLength} bytes, which must be {@linkplain #covers covered}. After {@link #wipe()}
   * the corrections are zeros: tags come out wrong and nothing verifies (the key is destroyed).
   */
  void correct(byte[] out, int tagOffset, int bodyLength) {
    int n = (bodyLength + 15) >>> 4;
    long[] table = deltas;
    if (2 * n + 1 >= table.length) {
      table = grow(n);
    }
    BE64.set(out, tagOffset, (long) BE64.get(out, tagOffset) ^ table[2 * n]);
    BE64.set(out, tagOffset + 8, (long) BE64.get(out, tagOffset + 8) ^ table[2 * n + 1]);
  }

  /** A table reaching at least n blocks (twice as far, up to the maximum), published for all threads. */
  private synchronized long[] grow(int n) {
    long[] table = deltas;
    if (2 * n + 1 < table.length) {
      return table;
    }
    int blocks = Math.min(MAX_BLOCKS, Math.max(n, 2 * (table.length / 2 - 1)));
    long[] grown = Arrays.copyOf(table, 2 * (blocks + 1));
    int last = table.length / 2 - 1;
    // U_last = Δ_last ⊕ (len(A) || 0)·H, back in the POLYVAL domain
    Polyval p = new Polyval();
    try {
      p.key(hLo, hHi);
      p.s0 = table[2 * last + 1] ^ lenLo;
      p.s1 = table[2 * last] ^ lenHi;
      p.multiply(0, 0);
      fill(p, grown, last + 1);
    } finally {
      p.wipe();
    }
    // The old table is not zeroed: another thread may be reading it right now.
    deltas = grown;
    return grown;
  }

  /** From p's state U_from = GHASH_H(A) · H^(from+1): Δ_from .. Δ_end into the table. */
  private void fill(Polyval p, long[] table, int from) {
    for (int i = from; ; i++) {
      // Back to the GCM byte order: the high half is bytes 0..7.
      table[2 * i] = p.s1 ^ lenHi;
      table[2 * i + 1] = p.s0 ^ lenLo;
      if (2 * i + 3 >= table.length) {
        return;
      }
      p.multiply(0, 0);
    }
  }

  /** Zeroes the corrections (the key is being destroyed). */
  synchronized void wipe() {
    Arrays.fill(deltas, 0L);
    hLo = 0;
    hHi = 0;
    lenLo = 0;
    lenHi = 0;
  }

  @Override
  public String toString() {
    return "FoldedAad[" + (deltas.length / 2 - 1) + " blocks]";
  }
}
