package io.github.fieldcrypt.crypto;

import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Random keys and bytes, and the JDK's AES-GCM as the reference, for the AES-GCM tests. */
final class GcmReference {
  private static final SecureRandom RANDOM = new SecureRandom();

  private GcmReference() {}

  static SecretKeySpec newKey() {
    return new SecretKeySpec(random(32), "AES");
  }

  static byte[] random(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** The JDK's AES-GCM, associated data given to the cipher. */
  static byte[] jdkSeal(SecretKeySpec key, byte[] nonce, byte[] aad, byte[] plaintext) throws Exception {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
    cipher.updateAAD(aad);
    return cipher.doFinal(plaintext);
  }
}
