package io.github.fieldcrypt.crypto;

import java.security.GeneralSecurityException;
import java.security.NoSuchProviderException;
import javax.crypto.Cipher;

/**
 * The JDK's AES ciphers, SunJCE first: it uses the CPU's AES and CLMUL instructions, and another
 * provider placed first by the application would be much slower. The JDK's default provider
 * order decides only when SunJCE is absent.
 */
final class JdkAes {
  private JdkAes() {}

  /** A new cipher for a transformation such as {@code "AES/GCM/NoPadding"}. */
  static Cipher cipher(String transformation) {
    try {
      try {
        return Cipher.getInstance(transformation, "SunJCE");
      } catch (NoSuchProviderException noSunJce) {
        return Cipher.getInstance(transformation);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(transformation + " is not available in this JDK", e);
    }
  }
}
