package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class NonceSourceTest {

  /** A "random" source that returns 0, 1, 2, ... so the expected keystream can be computed. */
  private static final class CountingRandom extends SecureRandom {
    private byte next;
    int calls;

    @Override
    public void nextBytes(byte[] bytes) {
      calls++;
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = next++;
      }
    }
  }

  @Test
  void is_ctr_drbg_with_update_step_and_reseed() throws Exception {
    CountingRandom seed = new CountingRandom();
    NonceSource source = new NonceSource(seed);
    byte[] state = new byte[48];
    for (int i = 0; i < 48; i++) {
      state[i] = (byte) i;
    }
    Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
    int nonces = NonceSource.OUTPUT / 12;
    for (int call = 0; call < 3; call++) {
      // Reference CTR_DRBG generate: blocks AES_K(V+1) .. AES_K(V+258); the first 4080 bytes are
      // output, the last 48 the new K || V.
      ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(state, 0, 32, "AES"));
      byte[] v = Arrays.copyOfRange(state, 32, 48);
      byte[] keystream = new byte[NonceSource.OUTPUT + 48];
      for (int b = 0; b < keystream.length / 16; b++) {
        increment(v);
        ecb.doFinal(v, 0, 16, keystream, b * 16);
      }
      for (int n = 0; n < nonces; n++) {
        byte[] nonce = new byte[12];
        source.write(nonce, 0);
        assertThat(nonce).as("nonce %d of call %d", n, call).isEqualTo(Arrays.copyOfRange(keystream, n * 12, n * 12 + 12));
      }
      state = Arrays.copyOfRange(keystream, NonceSource.OUTPUT, NonceSource.OUTPUT + 48);
    }
    assertThat(seed.calls).isEqualTo(1);
  }

  @Test
  void reseeds_from_the_system_drbg_every_interval() {
    CountingRandom seed = new CountingRandom();
    NonceSource source = new NonceSource(seed);
    byte[] nonce = new byte[12];
    long total = (long) NonceSource.RESEED_INTERVAL * (NonceSource.OUTPUT / 12) + 1;
    for (long i = 0; i < total; i++) {
      source.write(nonce, 0);
    }
    assertThat(source.generated()).isEqualTo(NonceSource.RESEED_INTERVAL + 1);
    assertThat(seed.calls).isEqualTo(2);
  }

  @Test
  void two_to_the_twenty_nonces_do_not_repeat() {
    int count = 1 << 20;
    long[] prefixes = new long[count];
    byte[] nonce = new byte[12];
    for (int i = 0; i < count; i++) {
      NonceSource.next(nonce, 0);
      prefixes[i] = ByteBuffer.wrap(nonce).getLong();
    }
    Arrays.sort(prefixes);
    for (int i = 1; i < count; i++) {
      // Even the first 64 bits are distinct (a repeat by chance: ~3e-8).
      assertThat(prefixes[i]).isNotEqualTo(prefixes[i - 1]);
    }
  }

  @Test
  void threads_have_independent_sources() throws Exception {
    byte[] a = new byte[12];
    byte[] b = new byte[12];
    NonceSource.next(a, 0);
    Thread t = new Thread(() -> NonceSource.next(b, 0));
    t.start();
    t.join();
    assertThat(a).isNotEqualTo(b);
  }

  private static void increment(byte[] v) {
    for (int i = v.length - 1; i >= 0 && ++v[i] == 0; i--) {
      // carry
    }
  }
}
