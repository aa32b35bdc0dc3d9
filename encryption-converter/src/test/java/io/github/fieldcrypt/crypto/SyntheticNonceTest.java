package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The synthetic nonce is computed from precomputed HMAC-SHA256 states, not through {@link Mac}:
 * it must be exactly the first 12 bytes of the JDK's HMAC-SHA256 under the HKDF-derived nonce key,
 * for every length (empty, one block, several blocks), and from many threads at once.
 */
class SyntheticNonceTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static byte[] expected(byte[] dataKey, byte[] aad, byte[] plaintext) throws Exception {
    byte[] nonceKey = AesGcmSiv.hkdfSha256(dataKey, AesGcmSiv.NONCE_KEY_LABEL);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(nonceKey, "HmacSHA256"));
    mac.update(aad);
    mac.update(plaintext);
    return Arrays.copyOf(mac.doFinal(), 12);
  }

  private static byte[] random(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  @Test
  void equals_jdk_hmac_sha256_for_every_length() throws Exception {
    int checked = 0;
    for (int round = 0; round < 20; round++) {
      byte[] dataKey = random(32);
      AesGcmSiv.Keys keys = AesGcmSiv.Keys.derive(dataKey);
      for (int aadLength : new int[] {0, 6, 17, 63, 64, 65}) {
        for (int length : new int[] {0, 1, 31, 32, 55, 56, 64, 200, 4096}) {
          byte[] aad = random(aadLength);
          byte[] plaintext = random(length);
          byte[] out = new byte[40];
          keys.syntheticNonce(aad, plaintext, out, 7);
          assertThat(Arrays.copyOfRange(out, 7, 19)).isEqualTo(expected(dataKey, aad, plaintext));
          assertThat(keys.syntheticNonce(aad, plaintext)).isEqualTo(expected(dataKey, aad, plaintext));
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(20 * 6 * 9);
  }

  @Test
  void one_key_shared_by_threads_gives_each_the_same_nonces() throws Exception {
    byte[] dataKey = random(32);
    AesGcmSiv.Keys keys = AesGcmSiv.Keys.derive(dataKey);
    byte[] aad = random(17);
    List<byte[]> plaintexts = new ArrayList<>();
    List<byte[]> expected = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      plaintexts.add(random(i * 3));
      expected.add(expected(dataKey, aad, plaintexts.get(i)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          int matches = 0;
          for (int repeat = 0; repeat < 500; repeat++) {
            int i = repeat % plaintexts.size();
            if (Arrays.equals(keys.syntheticNonce(aad, plaintexts.get(i)), expected.get(i))) {
              matches++;
            }
          }
          return matches;
        }));
      }
      for (Future<Integer> result : results) {
        assertThat(result.get()).isEqualTo(500);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
