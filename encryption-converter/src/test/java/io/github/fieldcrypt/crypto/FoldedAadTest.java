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
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Associated data folded into the tag ({@link FoldedAad}) gives exactly the bytes of AES-GCM with
 * the associated data, checked against the JDK's own AES-GCM given the associated data, for every
 * length of value up to past the folding limit and every length of associated data over a few
 * blocks; from many threads at once; and a released key folds nothing more.
 */
class FoldedAadTest {
  /** A v1 value opened by the JDK's AES-GCM as FORMAT.md says: AAD = header || context. */
  private static byte[] jdkOpenV1(SecretKeySpec key, byte[] value, byte[] context) throws Exception {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, value, 6, 12));
    cipher.updateAAD(value, 0, 6);
    cipher.updateAAD(context);
    return cipher.doFinal(value, 18, value.length - 18);
  }

  @Test
  void folded_tags_equal_the_jdks_for_every_length_of_value_and_associated_data() throws Exception {
    SecretKeySpec secret = newKey();
    List<Integer> lengths = new ArrayList<>();
    for (int n = 0; n <= 80; n++) {
      lengths.add(n);
    }
    for (int n : new int[] {127, 128, 129, 255, 256, 257, 511, 512, 513, 1008, 1023, 1024, 1025, 1040, 4096}) {
      lengths.add(n);
    }
    int checked = 0;
    for (int aadLength = 0; aadLength <= 50; aadLength++) {
      byte[] aad = random(aadLength);
      // a fresh key object per associated data length, so the table grows from its first size each time
      GcmKey key = new GcmKey(secret);
      for (int length : lengths) {
        byte[] nonce = random(12);
        byte[] plaintext = random(length);
        byte[] expected = jdkSeal(secret, nonce, aad, plaintext);
        assertThat(AesGcm.sealWithNonceFolded(key, nonce, aad, plaintext)).as("aad %d, value %d", aadLength, length).isEqualTo(expected);
        assertThat(AesGcm.openWithNonceFolded(key, nonce, aad, expected)).isEqualTo(plaintext);
        byte[] altered = expected.clone();
        altered[ThreadLocalRandom.current().nextInt(altered.length)] ^= 1 << ThreadLocalRandom.current().nextInt(8);
        assertThatThrownBy(() -> AesGcm.openWithNonceFolded(key, nonce, aad, altered)).isInstanceOf(AEADBadTagException.class);
        byte[] otherAad = aadLength == 0 ? new byte[1] : aad.clone();
        otherAad[0] ^= 1;
        assertThatThrownBy(() -> AesGcm.openWithNonceFolded(key, nonce, otherAad, expected)).isInstanceOf(AEADBadTagException.class);
        checked++;
      }
    }
    assertThat(checked).isEqualTo(51 * 96);
  }

  @Test
  void v1_values_through_the_pool_open_with_the_jdks_cipher_and_the_other_way_round() throws Exception {
    SecretKeySpec secret = newKey();
    GcmKey key = new GcmKey(secret);
    for (String column : new String[] {"t.c", "users.email", "customer_addresses.street_and_house_number", "ü.ö"}) {
      byte[] context = column.getBytes(StandardCharsets.UTF_8);
      AssociatedData aad = AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 42, context);
      for (int length = 0; length <= 1100; length += 7) {
        byte[] plaintext = random(length);
        byte[] value = AesGcm.encrypt(key, plaintext, aad);
        assertThat(jdkOpenV1(secret, value, context)).isEqualTo(plaintext);
        // the JDK's value (per-thread cipher, associated data given) opens through the pool, owned or not
        byte[] theirs = AesGcm.encrypt(secret, plaintext, aad);
        assertThat(AesGcm.decrypt(key, theirs, aad)).isEqualTo(plaintext);
        byte[] copy = theirs.clone();
        assertThat(AesGcm.decrypt(key, theirs, aad)).isEqualTo(plaintext);
        assertThat(theirs).as("a value the caller owns is left as it was").isEqualTo(copy);
        assertThat(AesGcm.decryptOwned(key, copy, aad)).isEqualTo(plaintext);
      }
    }
    assertThat(key.foldCount()).isEqualTo(4);
  }

  @Test
  void a_value_whose_header_is_not_the_prepared_one_is_checked_against_its_own_header() throws Exception {
    SecretKeySpec secret = newKey();
    GcmKey key = new GcmKey(secret);
    byte[] context = "users.email".getBytes(StandardCharsets.UTF_8);
    byte[] value = AesGcm.encrypt(key, random(20), AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 7, context));
    // a prepared associated data for another key id: the value's own header decides
    AssociatedData other = AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 8, context);
    assertThat(AesGcm.decrypt(key, value, other)).hasSize(20);
    byte[] renumbered = value.clone();
    renumbered[5] = 8; // the header says key id 8 now: authentication must fail
    assertThatThrownBy(() -> AesGcm.decrypt(key, renumbered, other)).isInstanceOf(AEADBadTagException.class);
  }

  @Test
  void new_instances_of_the_same_associated_data_share_its_corrections_and_other_data_gets_its_own() throws Exception {
    SecretKeySpec secret = newKey();
    GcmKey key = new GcmKey(secret);
    byte[] context = "users.email".getBytes(StandardCharsets.UTF_8);
    FoldedAad first = key.folded(AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 1, context));
    assertThat(key.folded(AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 1, context))).as("the last one, by content").isSameAs(first);
    AssociatedData otherHeader = AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 2, context);
    FoldedAad second = key.folded(otherHeader);
    assertThat(second).isNotSameAs(first);
    assertThat(key.folded(AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 1, context))).as("from the map").isSameAs(first);
    assertThat(key.foldCount()).isEqualTo(2);
    // and each is right for its own header: a value under key id 2 opens with the JDK
    byte[] plaintext = random(40);
    assertThat(jdkOpenV1(secret, AesGcm.encrypt(key, plaintext, otherHeader), context)).isEqualTo(plaintext);
    assertThat(AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 1, context))
        .isEqualTo(AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 1, context))
        .hasSameHashCodeAs(AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 1, context))
        .isNotEqualTo(otherHeader);
  }

  @Test
  void threads_growing_one_table_at_once_all_get_correct_tags() throws Exception {
    SecretKeySpec secret = newKey();
    byte[] context = "accounts.api_key".getBytes(StandardCharsets.UTF_8);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 20; round++) {
        GcmKey key = new GcmKey(secret);
        AssociatedData aad = AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, round, context);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          results.add(pool.submit(() -> {
            int done = 0;
            for (int i = 0; i < 200; i++) {
              byte[] plaintext = random(ThreadLocalRandom.current().nextInt(1100));
              byte[] value = AesGcm.encrypt(key, plaintext, aad);
              if (!Arrays.equals(jdkOpenV1(secret, value, context), plaintext)
                  || !Arrays.equals(AesGcm.decrypt(key, value, aad), plaintext)) {
                throw new AssertionError("wrong round trip");
              }
              done++;
            }
            return done;
          }));
        }
        for (Future<Integer> result : results) {
          assertThat(result.get()).isEqualTo(200);
        }
        assertThat(key.foldCount()).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void a_released_key_zeroes_its_corrections_and_folds_nothing_more() throws Exception {
    SecretKeySpec secret = newKey();
    GcmKey key = new GcmKey(secret);
    byte[] context = "users.email".getBytes(StandardCharsets.UTF_8);
    AssociatedData aad = AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 1, context);
    byte[] plaintext = random(32);
    byte[] value = AesGcm.encrypt(key, plaintext, aad);
    FoldedAad folded = key.folded(aad);
    byte[] probe = new byte[16];
    folded.correct(probe, 0, 32);
    assertThat(probe).as("a correction is never all zeros in practice").isNotEqualTo(new byte[16]);

    key.release();
    assertThat(key.foldCount()).isZero();
    Arrays.fill(probe, (byte) 0);
    folded.correct(probe, 0, 32);
    assertThat(probe).as("corrections zeroed").isEqualTo(new byte[16]);
    assertThat(key.folded(aad)).isNull();
    assertThat(key.folded(AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, 1, context))).isNull();
    // the key still works, the associated data going to the cipher again
    assertThat(AesGcm.decrypt(key, value, aad)).isEqualTo(plaintext);
    assertThat(jdkOpenV1(secret, AesGcm.encrypt(key, plaintext, aad), context)).isEqualTo(plaintext);
    assertThat(folded.toString()).doesNotContainPattern("[0-9a-f]{16}");
  }
}
