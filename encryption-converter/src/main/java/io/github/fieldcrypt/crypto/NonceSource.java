package io.github.fieldcrypt.crypto;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Random 96-bit nonces for AES-GCM, cheap enough for the hot path.
 *
 * <p>Each thread runs its own CTR_DRBG (NIST SP 800-90A §10.2, AES-256, no derivation
 * function): a 256-bit key K and a 128-bit counter V, both drawn from the JDK's DRBG
 * {@link SecureRandom} (itself seeded by the operating system). One generate call produces
 * 4080 bytes of AES-256-CTR keystream, AES_K(V+1) || AES_K(V+2) || ... = 340 nonces, then the
 * next 48 bytes of the same keystream become the new K and V (the CTR_DRBG update step, so a
 * later compromise of the state reveals nothing about nonces already handed out). Every 1024
 * generate calls (348,160 nonces) K and V are replaced by fresh bytes from the JDK DRBG.
 *
 * <p>Why not the JDK DRBG directly: its default mechanism is Hash_DRBG (SHA-256), which costs
 * about 130 ns per 12-byte nonce even when read 4 KiB at a time, a fifth of a whole 32-byte
 * field encryption. AES-256-CTR runs on the CPU's AES instructions (~25 ns per nonce). The JDK
 * also implements CTR_DRBG, but only selectable through the JVM-wide
 * {@code securerandom.drbg.config} security property, which a library must not change.
 *
 * <p><b>Security:</b> outputs of a CTR_DRBG seeded with 384 random bits are indistinguishable
 * from random, so the collision bound is that of truly random 96-bit nonces. Nonces are public
 * (stored in the value), so buffering them exposes nothing; each is handed out once and its
 * bytes zeroed, and the bytes that become the next key are zeroed as soon as they are used.
 *
 * <p><b>Warning:</b> random nonces are safe for about 2^32 encryptions under one key (NIST
 * SP 800-38D); rotate keys long before that. No API accepts a caller's nonce.
 */
final class NonceSource {
  private static final int KEY_LENGTH = 32;
  private static final int BLOCK = 16;
  /** Keystream handed out as nonces per generate call: 340 nonces, 255 AES blocks. */
  static final int OUTPUT = 340 * CiphertextFormat.NONCE_LENGTH;
  /** The new K || V after each generate call. */
  private static final int STATE = KEY_LENGTH + BLOCK;
  /** Generate calls between reseeds from the JDK DRBG. */
  static final int RESEED_INTERVAL = 1024;
  /** Plaintext for the keystream: never written. */
  private static final byte[] ZEROS = new byte[OUTPUT + STATE];

  private static final ThreadLocal<NonceSource> LOCAL = ThreadLocal.withInitial(NonceSource::new);

  private final SecureRandom seedSource;
  private final Cipher ctr;
  private final byte[] buffer = new byte[OUTPUT + STATE];
  private int position = OUTPUT;
  private int generated;

  NonceSource() {
    this(systemDrbg());
  }

  /** A source seeded from {@code seedSource} (tests pass a fixed one to check the construction). */
  NonceSource(SecureRandom seedSource) {
    this.seedSource = seedSource;
    this.ctr = JdkAes.cipher("AES/CTR/NoPadding");
  }

  private static SecureRandom systemDrbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }

  /** Writes a fresh 12-byte nonce into {@code out} at {@code offset}. */
  static void next(byte[] out, int offset) {
    LOCAL.get().write(out, offset);
  }

  void write(byte[] out, int offset) {
    if (position == OUTPUT) {
      generate();
    }
    System.arraycopy(buffer, position, out, offset, CiphertextFormat.NONCE_LENGTH);
    // Each nonce is handed out once: zero it so a later bug cannot hand it out again.
    Arrays.fill(buffer, position, position + CiphertextFormat.NONCE_LENGTH, (byte) 0);
    position += CiphertextFormat.NONCE_LENGTH;
  }

  /** How many generate calls this source has made (tests). */
  int generated() {
    return generated;
  }

  private void generate() {
    if (generated % RESEED_INTERVAL == 0) {
      byte[] seed = new byte[STATE];
      seedSource.nextBytes(seed);
      instantiate(seed, 0);
      Arrays.fill(seed, (byte) 0);
    }
    try {
      ctr.doFinal(ZEROS, 0, ZEROS.length, buffer, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR keystream failed: " + e.getClass().getSimpleName(), e);
    }
    instantiate(buffer, OUTPUT);
    Arrays.fill(buffer, OUTPUT, OUTPUT + STATE, (byte) 0);
    generated++;
    position = 0;
  }

  /** K = the 32 bytes at {@code offset}, V = the next 16; the keystream starts at AES_K(V + 1). */
  private void instantiate(byte[] state, int offset) {
    byte[] counter = Arrays.copyOfRange(state, offset + KEY_LENGTH, offset + STATE);
    for (int i = BLOCK - 1; i >= 0 && ++counter[i] == 0; i--) {
      // V + 1 (mod 2^128), big-endian, as SP 800-90A increments V before each block
    }
    SecretKeySpec key = new SecretKeySpec(state, offset, KEY_LENGTH, "AES");
    try {
      ctr.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(counter));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR initialisation failed: " + e.getClass().getSimpleName(), e);
    } finally {
      Arrays.fill(counter, (byte) 0);
    }
  }

}
