package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Each key's pool of ready ciphers: values made through it are the same v1 values as through the
 * per-thread cipher, a pooled cipher never serves another key, the pool stays bounded, and a
 * released key keeps no cipher.
 */
class GcmKeyTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] CONTEXT = "users.email".getBytes(StandardCharsets.UTF_8);

  private static GcmKey newKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return new GcmKey(new SecretKeySpec(bytes, "AES"));
  }

  private static AssociatedData aad(int keyId) {
    return AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, keyId, CONTEXT);
  }

  @Test
  void pooled_and_per_thread_ciphers_read_each_others_values() throws Exception {
    GcmKey key = newKey();
    byte[] plaintext = "alice@example.com".getBytes(StandardCharsets.UTF_8);
    byte[] pooled = AesGcm.encrypt(key, plaintext, aad(7));
    byte[] perThread = AesGcm.encrypt(key.secretKey(), plaintext, aad(7));
    assertThat(CiphertextFormat.hasV1Shape(pooled)).isTrue();
    assertThat(AesGcm.decrypt(key.secretKey(), pooled, aad(7))).isEqualTo(plaintext);
    assertThat(AesGcm.decrypt(key, perThread, aad(7))).isEqualTo(plaintext);
    assertThat(pooled).isNotEqualTo(perThread);
  }

  @Test
  void interleaved_keys_each_keep_one_cipher_and_never_mix() throws Exception {
    List<GcmKey> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      GcmKey key = newKey();
      keys.add(key);
      values.add(AesGcm.encrypt(key, ("value " + i).getBytes(StandardCharsets.UTF_8), aad(i)));
    }
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 50; i++) {
        assertThat(new String(AesGcm.decrypt(keys.get(i), values.get(i), aad(i)), StandardCharsets.UTF_8)).isEqualTo("value " + i);
        int other = (i + 1) % 50;
        int index = i;
        // the next key's pooled cipher, asked to open this key's value, must refuse it
        assertThatThrownBy(() -> AesGcm.decrypt(keys.get(other), values.get(index), aad(index)))
            .isInstanceOf(AEADBadTagException.class);
      }
    }
    for (GcmKey key : keys) {
      assertThat(key.idleCount()).isEqualTo(1);
    }
  }

  @Test
  void threads_share_keys_safely_and_the_pool_stays_bounded() throws Exception {
    int keyCount = 20;
    List<GcmKey> keys = new ArrayList<>();
    for (int i = 0; i < keyCount; i++) {
      keys.add(newKey());
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          int ok = 0;
          for (int n = 0; n < 2000; n++) {
            int k = ThreadLocalRandom.current().nextInt(keyCount);
            byte[] plaintext = ("t" + thread + " n" + n).getBytes(StandardCharsets.UTF_8);
            byte[] value = AesGcm.encrypt(keys.get(k), plaintext, aad(k));
            if (java.util.Arrays.equals(AesGcm.decrypt(keys.get(k), value, aad(k)), plaintext)) {
              ok++;
            }
            try {
              AesGcm.decrypt(keys.get((k + 1) % keyCount), value, aad(k));
              return -1;
            } catch (AEADBadTagException expected) {
              // another key's cipher must not open it
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
    for (GcmKey key : keys) {
      assertThat(key.idleCount()).isBetween(1, GcmKey.SLOTS);
    }
  }

  @Test
  void a_released_key_keeps_no_cipher_and_still_works() throws Exception {
    GcmKey key = newKey();
    byte[] value = AesGcm.encrypt(key, new byte[] {1, 2, 3}, aad(1));
    assertThat(key.idleCount()).isEqualTo(1);
    key.release();
    assertThat(key.idleCount()).isZero();
    assertThat(AesGcm.decrypt(key, value, aad(1))).containsExactly(1, 2, 3);
    assertThat(key.idleCount()).isZero();
    assertThat(key.toString()).doesNotContain(java.util.HexFormat.of().formatHex(key.secretKey().getEncoded()));
  }
}
