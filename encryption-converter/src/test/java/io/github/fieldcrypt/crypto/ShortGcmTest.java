package io.github.fieldcrypt.crypto;

import static io.github.fieldcrypt.crypto.GcmReference.jdkSeal;
import static io.github.fieldcrypt.crypto.GcmReference.newKey;
import static io.github.fieldcrypt.crypto.GcmReference.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The short-value AES-GCM ({@link ShortGcm}) gives exactly the JDK's AES-GCM bytes, checked
 * directly (not through the dispatch in {@link AesGcm}) for every value length it takes and a
 * range of associated data lengths, with random keys and nonces; rejects every altered byte and
 * bit of ciphertext and tag, every truncation and the wrong associated data; works from many
 * threads on one key; and a released key zeroes its powers (a thread still holding them computes
 * wrong tags, never right ones) and its values go back to SunJCE's path.
 */
class ShortGcmTest {
  /** One key's short path, called directly. */
  private static final class Direct {
    final SecretKeySpec secret = newKey();
    final GcmKey key = new GcmKey(secret);
    final Cipher ecb = ShortGcm.ecb(secret);
    final ShortGcm.Scratch scratch = new ShortGcm.Scratch();

    byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext) {
      byte[] out = new byte[plaintext.length + 16];
      ShortGcm.seal(ecb, scratch, key.powers(), key.fold(aad), nonce, 0, plaintext, 0, plaintext.length, out, 0);
      return out;
    }

    byte[] open(byte[] nonce, byte[] aad, byte[] sealed) throws AEADBadTagException {
      return ShortGcm.open(ecb, scratch, key.powers(), key.fold(aad), nonce, 0, sealed, 0, sealed.length - 16);
    }
  }

  @Test
  void equals_the_jdks_aes_gcm_for_every_length_it_takes() throws Exception {
    int checked = 0;
    for (int round = 0; round < 4; round++) {
      Direct direct = new Direct();
      for (int aadLength : new int[] {0, 1, 6, 15, 16, 17, 23, 40, 64, 90}) {
        byte[] aad = random(aadLength);
        for (int length = 0; length <= ShortGcm.MAX_BYTES; length++) {
          byte[] nonce = random(12);
          byte[] plaintext = random(length);
          byte[] expected = jdkSeal(direct.secret, nonce, aad, plaintext);
          assertThat(direct.seal(nonce, aad, plaintext)).as("aad %d, value %d", aadLength, length).isEqualTo(expected);
          assertThat(direct.open(nonce, aad, expected)).as("aad %d, value %d", aadLength, length).isEqualTo(plaintext);
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(4 * 10 * (ShortGcm.MAX_BYTES + 1));
  }

  @Test
  void the_all_ones_and_all_zeros_operands_give_the_jdks_bytes() throws Exception {
    // Carries of the multiplications with holes are largest when every bit is set.
    Direct direct = new Direct();
    for (byte fill : new byte[] {(byte) 0xff, 0, (byte) 0x80, 1}) {
      for (int length : new int[] {1, 16, 17, 32, ShortGcm.MAX_BYTES}) {
        byte[] plaintext = new byte[length];
        Arrays.fill(plaintext, fill);
        byte[] nonce = new byte[12];
        Arrays.fill(nonce, fill);
        byte[] aad = new byte[20];
        Arrays.fill(aad, fill);
        byte[] expected = jdkSeal(direct.secret, nonce, aad, plaintext);
        assertThat(direct.seal(nonce, aad, plaintext)).isEqualTo(expected);
        assertThat(direct.open(nonce, aad, expected)).isEqualTo(plaintext);
      }
    }
  }

  @Test
  void every_altered_bit_every_truncation_and_other_associated_data_are_rejected() throws Exception {
    Direct direct = new Direct();
    byte[] aad = "\u00fc\u0001\u0000\u0000\u0000\u0001users.email".getBytes(StandardCharsets.ISO_8859_1);
    for (int length : new int[] {0, 5, 16, 40, ShortGcm.MAX_BYTES}) {
      byte[] nonce = random(12);
      byte[] sealed = direct.seal(nonce, aad, random(length));
      for (int i = 0; i < sealed.length; i++) {
        for (int bit = 0; bit < 8; bit++) {
          byte[] altered = sealed.clone();
          altered[i] ^= (byte) (1 << bit);
          assertThatThrownBy(() -> direct.open(nonce, aad, altered)).as("byte %d bit %d", i, bit)
              .isInstanceOf(AEADBadTagException.class);
        }
      }
      for (int cut = 1; cut <= sealed.length - 16; cut++) {
        byte[] truncated = Arrays.copyOf(sealed, sealed.length - cut);
        assertThatThrownBy(() -> direct.open(nonce, aad, truncated)).isInstanceOf(AEADBadTagException.class);
      }
      byte[] otherAad = aad.clone();
      otherAad[otherAad.length - 1] ^= 1;
      assertThatThrownBy(() -> direct.open(nonce, otherAad, sealed)).isInstanceOf(AEADBadTagException.class);
      byte[] otherNonce = nonce.clone();
      otherNonce[11] ^= 1;
      assertThatThrownBy(() -> direct.open(otherNonce, aad, sealed)).isInstanceOf(AEADBadTagException.class);
    }
  }

  @Test
  void values_of_v1_go_through_the_short_path_and_the_jdk_reads_them_per_format_md() throws Exception {
    SecretKeySpec secret = newKey();
    GcmKey key = new GcmKey(secret);
    byte[] context = "people.api_key".getBytes(StandardCharsets.UTF_8);
    AssociatedData ad = AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 7, context);
    for (int length = 0; length <= ShortGcm.MAX_BYTES + 20; length++) {
      byte[] plaintext = random(length);
      byte[] value = AesGcm.encrypt(key, plaintext, ad);
      Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
      jdk.init(Cipher.DECRYPT_MODE, secret, new GCMParameterSpec(128, value, 6, 12));
      jdk.updateAAD(value, 0, 6);
      jdk.updateAAD(context);
      assertThat(jdk.doFinal(value, 18, value.length - 18)).isEqualTo(plaintext);
      assertThat(AesGcm.decrypt(key, value, ad)).isEqualTo(plaintext);
    }
    assertThat(key.powers()).as("the short path made the hash key's powers").isNotNull();
  }

  @Test
  void many_threads_share_one_key() throws Exception {
    GcmKey key = new GcmKey(newKey());
    AssociatedData ad = AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 1, "t.c".getBytes(StandardCharsets.UTF_8));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> {
          int ok = 0;
          for (int i = 0; i < 2000; i++) {
            byte[] plaintext = random(i % (ShortGcm.MAX_BYTES + 1));
            if (Arrays.equals(AesGcm.decrypt(key, AesGcm.encrypt(key, plaintext, ad), ad), plaintext)) {
              ok++;
            }
          }
          return ok;
        }));
      }
      for (Future<Integer> result : results) {
        assertThat(result.get()).isEqualTo(2000);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void a_released_key_keeps_no_powers_and_its_values_take_sunjces_path() throws Exception {
    GcmKey key = new GcmKey(newKey());
    AssociatedData ad = AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 1, "t.c".getBytes(StandardCharsets.UTF_8));
    byte[] value = AesGcm.encrypt(key, "secret".getBytes(StandardCharsets.UTF_8), ad);
    ShortGcm.Powers powers = key.powers();
    assertThat(powers).isNotNull();
    key.release();
    assertThat(key.powers()).isNull();
    // the powers object a thread might still hold is zeroed: it computes wrong tags, never a right one
    Direct other = new Direct();
    byte[] nonce = random(12);
    byte[] plaintext = random(20);
    byte[] out = new byte[plaintext.length + 16];
    ShortGcm.seal(other.ecb, other.scratch, powers, other.key.fold(new byte[0]), nonce, 0, plaintext, 0, plaintext.length, out, 0);
    assertThat(Arrays.copyOfRange(out, plaintext.length, out.length))
        .isNotEqualTo(Arrays.copyOfRange(jdkSeal(other.secret, nonce, new byte[0], plaintext), plaintext.length, out.length));
    assertThat(powers.toString()).doesNotContainPattern("[0-9a-f]{8}");
    assertThat(key.idleCount()).isZero();
    // released: SunJCE's path with the associated data given (the GcmKey keeps its SecretKey;
    // shredding is its owner dropping it, GcmKeyTest)
    assertThat(AesGcm.decrypt(key, value, ad)).isEqualTo("secret".getBytes(StandardCharsets.UTF_8));
  }
}
