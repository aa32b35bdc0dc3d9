package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.AEADBadTagException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * fieldcrypt's AES-256-GCM-SIV ({@link GcmSiv}, over the JDK's AES) gives exactly what
 * BouncyCastle's independent {@code GCMSIVBlockCipher} gives, for random keys, nonces, associated
 * data and plaintexts of every length from 0 to 300 bytes (block boundaries, partial blocks,
 * several counter blocks), and each rejects the other's altered values.
 */
class GcmSivDifferentialTest {

  @Test
  void matches_bouncycastle_on_random_inputs_of_every_length() throws Exception {
    SplittableRandom random = new SplittableRandom(20261130);
    int compared = 0;
    for (int length = 0; length <= 300; length++) {
      for (int round = 0; round < 4; round++) {
        byte[] key = bytes(random, 32);
        byte[] nonce = bytes(random, 12);
        byte[] aad = bytes(random, random.nextInt(0, 70));
        byte[] plaintext = bytes(random, length);
        byte[] ours = AesGcmSiv.sealWithNonce(key, nonce, aad, plaintext);
        byte[] theirs = bouncyCastle(true, key, nonce, aad, plaintext);
        assertThat(ours).as("length %d round %d", length, round).isEqualTo(theirs);
        assertThat(AesGcmSiv.openWithNonce(key, nonce, aad, theirs)).isEqualTo(plaintext);
        assertThat(bouncyCastle(false, key, nonce, aad, ours)).isEqualTo(plaintext);

        byte[] altered = ours.clone();
        altered[random.nextInt(altered.length)] ^= (byte) (1 << random.nextInt(8));
        assertThatThrownBy(() -> AesGcmSiv.openWithNonce(key, nonce, aad, altered)).isInstanceOf(AEADBadTagException.class);
        byte[] otherAad = Arrays.copyOf(aad, aad.length + 1);
        assertThatThrownBy(() -> AesGcmSiv.openWithNonce(key, nonce, otherAad, ours)).isInstanceOf(AEADBadTagException.class);
        compared++;
      }
    }
    assertThat(compared).isEqualTo(301 * 4);
  }

  @Test
  void the_same_key_reused_across_values_keeps_giving_bouncycastles_result() throws Exception {
    // The key-generating key's cipher is kept between values; alternate keys to exercise that.
    SplittableRandom random = new SplittableRandom(7);
    byte[][] keys = {bytes(random, 32), bytes(random, 32)};
    AesGcmSiv.Keys[] derived = {AesGcmSiv.Keys.derive(keys[0]), AesGcmSiv.Keys.derive(keys[1])};
    for (int i = 0; i < 200; i++) {
      int k = random.nextInt(2);
      AssociatedData ad = AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM_SIV, k, bytes(random, random.nextInt(1, 40)));
      byte[] plaintext = bytes(random, random.nextInt(0, 100));
      byte[] value = AesGcmSiv.encrypt(derived[k], plaintext, ad);
      assertThat(AesGcmSiv.decrypt(derived[k], value, ad)).isEqualTo(plaintext);
      assertThat(AesGcmSiv.encrypt(derived[k], plaintext, ad)).as("deterministic").isEqualTo(value);
      int other = 1 - k;
      assertThatThrownBy(() -> AesGcmSiv.decrypt(derived[other], value, ad)).isInstanceOf(AEADBadTagException.class);
    }
  }

  private static byte[] bouncyCastle(boolean encrypt, byte[] key, byte[] nonce, byte[] aad, byte[] input) throws Exception {
    GCMSIVBlockCipher cipher = new GCMSIVBlockCipher(AESEngine.newInstance());
    cipher.init(encrypt, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
    byte[] out = new byte[cipher.getOutputSize(input.length)];
    int n = cipher.processBytes(input, 0, input.length, out, 0);
    n += cipher.doFinal(out, n);
    return Arrays.copyOf(out, n);
  }

  private static byte[] bytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
