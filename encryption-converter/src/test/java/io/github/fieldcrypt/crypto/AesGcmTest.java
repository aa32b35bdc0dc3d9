package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The prepared associated data gives exactly the v1 format: checked against plain JCE. */
class AesGcmTest {
  private static final SecretKey KEY = new SecretKeySpec(key(1), "AES");
  private static final byte[] CONTEXT = "users.email".getBytes(StandardCharsets.UTF_8);

  private static byte[] key(int seed) {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (seed * 31 + i);
    }
    return k;
  }

  /** Reference decryption straight from FORMAT: AAD = value[0..6) || context. */
  private static byte[] referenceDecrypt(byte[] value, byte[] context) throws Exception {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.DECRYPT_MODE, KEY, new GCMParameterSpec(128, value, 6, 12));
    byte[] aad = new byte[6 + context.length];
    System.arraycopy(value, 0, aad, 0, 6);
    System.arraycopy(context, 0, aad, 6, context.length);
    c.updateAAD(aad);
    return c.doFinal(value, 18, value.length - 18);
  }

  @Test
  void prepared_associated_data_is_header_then_context() throws Exception {
    for (int length : new int[] {0, 1, 15, 16, 17, 32, 1000}) {
      byte[] plaintext = new byte[length];
      Arrays.fill(plaintext, (byte) 'x');
      byte[] value = AesGcm.encrypt(KEY, plaintext, AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 0x01020304, CONTEXT));
      assertThat(Arrays.copyOf(value, 6)).containsExactly(0xFC, 0x01, 0x01, 0x02, 0x03, 0x04);
      assertThat(value).hasSize(length + CiphertextFormat.OVERHEAD);
      assertThat(referenceDecrypt(value, CONTEXT)).isEqualTo(plaintext);
      assertThat(AesGcm.decrypt(KEY, value, CONTEXT)).isEqualTo(plaintext);
      assertThat(AesGcm.decrypt(KEY, value, AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 0x01020304, CONTEXT)))
          .isEqualTo(plaintext);
    }
  }

  @Test
  void associated_data_for_another_header_is_rebuilt_from_the_value() throws Exception {
    byte[] plaintext = "alice@example.com".getBytes(StandardCharsets.UTF_8);
    byte[] value = AesGcm.encrypt(KEY, plaintext, AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 7, CONTEXT));
    // Prepared for key id 8: the value's own header (key id 7) is what authenticates.
    assertThat(AesGcm.decrypt(KEY, value, AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 8, CONTEXT))).isEqualTo(plaintext);
    // A changed header is still caught, whatever was prepared.
    byte[] tampered = value.clone();
    tampered[5] = 8;
    assertThatThrownBy(() -> AesGcm.decrypt(KEY, tampered, AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 8, CONTEXT)))
        .isInstanceOf(AEADBadTagException.class);
    // Another context fails.
    assertThatThrownBy(() -> AesGcm.decrypt(KEY, value, AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 7,
        "users.phone".getBytes(StandardCharsets.UTF_8)))).isInstanceOf(AEADBadTagException.class);
  }

  @Test
  void two_encryptions_differ() {
    AssociatedData ad = AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 1, CONTEXT);
    byte[] a = AesGcm.encrypt(KEY, new byte[8], ad);
    byte[] b = AesGcm.encrypt(KEY, new byte[8], ad);
    assertThat(Arrays.copyOfRange(a, 6, 18)).isNotEqualTo(Arrays.copyOfRange(b, 6, 18));
  }
}
