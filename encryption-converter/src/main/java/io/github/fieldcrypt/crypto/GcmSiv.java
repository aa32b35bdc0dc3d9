package io.github.fieldcrypt.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM-SIV (RFC 8452) over the JDK's AES: the block cipher is SunJCE's
 * {@code AES/ECB/NoPadding} (AES-NI), POLYVAL is {@link Polyval}, in constant time
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
  // POLYVAL under the current value's authentication key.
  private final Polyval polyval = new Polyval();
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
    polyval(aad, plaintext, 0, plaintext.length);
    makeTag(nonce, nonceOffset);
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
    polyval(aad, plaintext, 0, n);
    makeTag(nonce, nonceOffset);
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
    polyval.key(hLo, hHi);
    for (int i = 0; i < 4; i++) {
      System.arraycopy(derived, (2 + i) * BLOCK, encryptionKey, i * 8, 8);
    }
    init(perValue, encryptionKey);
  }

  /** POLYVAL(H, AAD padded, text padded, LE64(bits AAD) || LE64(bits text)): the result is in {@link #polyval}. */
  private void polyval(byte[] aad, byte[] text, int textOffset, int textLength) {
    polyval.absorb(aad, 0, aad.length);
    polyval.absorb(text, textOffset, textLength);
    polyval.multiply((long) aad.length * 8, (long) textLength * 8);
  }

  /** tag = AES(encryption key, S ⊕ (nonce || 0^32) with the top bit cleared). */
  private void makeTag(byte[] nonce, int nonceOffset) {
    putLe64(block, 0, polyval.s0);
    putLe64(block, 8, polyval.s1);
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
    polyval.wipe();
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
    return JdkAes.cipher("AES/ECB/NoPadding");
  }
}
