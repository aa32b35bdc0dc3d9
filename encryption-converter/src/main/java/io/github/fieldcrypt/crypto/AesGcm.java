package io.github.fieldcrypt.crypto;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM over the v1 layout: randomized mode (alg 0x01).
 *
 * <p>One {@link Cipher} per thread, re-initialised per value (no {@code Cipher.getInstance} on
 * the hot path). SunJCE is preferred when present because it uses the CPU's AES and CLMUL
 * instructions; another provider placed first by the application would be much slower.
 */
public final class AesGcm {
  private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(AesGcm::newCipher);
  private static final int TAG_BITS = CiphertextFormat.TAG_LENGTH * 8;

  private AesGcm() {}

  /**
   * Encrypts under a fresh random nonce.
   *
   * @param keyId the id written into the header
   * @param context the UTF-8 context bytes appended to the header as associated data
   * @return the complete v1 value
   */
  public static byte[] encrypt(int keyId, SecretKey key, byte[] plaintext, byte[] context) {
    byte[] out = new byte[plaintext.length + CiphertextFormat.OVERHEAD];
    CiphertextFormat.writeHeader(out, CiphertextFormat.ALG_AES_256_GCM, keyId);
    NonceSource.next(out, CiphertextFormat.NONCE_OFFSET);
    Cipher cipher = CIPHER.get();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key,
          new GCMParameterSpec(TAG_BITS, out, CiphertextFormat.NONCE_OFFSET, CiphertextFormat.NONCE_LENGTH));
      cipher.updateAAD(out, 0, CiphertextFormat.HEADER_LENGTH);
      cipher.updateAAD(context);
      cipher.doFinal(plaintext, 0, plaintext.length, out, CiphertextFormat.BODY_OFFSET);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed: " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * Decrypts and authenticates a v1 value of alg 0x01.
   *
   * @return the plaintext
   * @throws AEADBadTagException when the value does not authenticate under this key and context
   */
  public static byte[] decrypt(SecretKey key, byte[] value, byte[] context) throws AEADBadTagException {
    Cipher cipher = CIPHER.get();
    try {
      cipher.init(Cipher.DECRYPT_MODE, key,
          new GCMParameterSpec(TAG_BITS, value, CiphertextFormat.NONCE_OFFSET, CiphertextFormat.NONCE_LENGTH));
      cipher.updateAAD(value, 0, CiphertextFormat.HEADER_LENGTH);
      cipher.updateAAD(context);
      return cipher.doFinal(value, CiphertextFormat.BODY_OFFSET, value.length - CiphertextFormat.BODY_OFFSET);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed: " + e.getClass().getSimpleName(), e);
    }
  }

  private static Cipher newCipher() {
    try {
      try {
        return Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
      } catch (NoSuchProviderException noSunJce) {
        return Cipher.getInstance("AES/GCM/NoPadding");
      }
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      throw new IllegalStateException("AES/GCM/NoPadding is not available in this JDK", e);
    }
  }
}
