package io.github.fieldcrypt.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Fernet tokens built by hand from the specification with the JDK alone, for the tokens no
 * correct writer makes: a valid HMAC over invalid padding, another version byte.
 */
public final class HandMadeFernet {
  private HandMadeFernet() {}

  /**
   * A token of exactly these plaintext blocks (no padding added: the caller chooses the padding,
   * valid or not), under a Fernet key as Python prints it, with a valid HMAC.
   */
  public static String token(String fernetKey, byte version, long time, byte[] iv, byte[] blocks) {
    byte[] key = Base64.getUrlDecoder().decode(fernetKey);
    try {
      Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, 16, 16, "AES"), new IvParameterSpec(iv));
      byte[] ciphertext = cipher.doFinal(blocks);
      byte[] data = new byte[25 + ciphertext.length + 32];
      data[0] = version;
      for (int i = 0; i < 8; i++) {
        data[1 + i] = (byte) (time >>> (56 - 8 * i));
      }
      System.arraycopy(iv, 0, data, 9, 16);
      System.arraycopy(ciphertext, 0, data, 25, ciphertext.length);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, 0, 16, "HmacSHA256"));
      mac.update(data, 0, data.length - 32);
      mac.doFinal(data, data.length - 32);
      return Base64.getUrlEncoder().encodeToString(data);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** A token with a valid HMAC whose single block ends in 0x02 0x03: invalid PKCS#7 padding. */
  public static String badPadding(String fernetKey, long time) {
    byte[] block = "fourteen bytes".getBytes(StandardCharsets.US_ASCII);
    byte[] blocks = new byte[16];
    System.arraycopy(block, 0, blocks, 0, 14);
    blocks[14] = 0x02;
    blocks[15] = 0x03;
    return token(fernetKey, (byte) 0x80, time, new byte[16], blocks);
  }

  /** A block of 16 bytes that ends with these bytes, zeros before. */
  public static byte[] blockEndingWith(byte... tail) {
    byte[] b = new byte[16];
    System.arraycopy(tail, 0, b, 16 - tail.length, tail.length);
    return b;
  }
}
