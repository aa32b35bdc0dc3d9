package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.testing.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof's AES-GCM-SIV vectors (C2SP/wycheproof testvectors_v1/aes_gcm_siv_test.json, see
 * src/test/resources/wycheproof/SOURCE.md) through the cipher of deterministic mode: every
 * 256-bit-key vector (103) gives exactly the expected result, the AES-128 ones are counted as
 * rejected by fieldcrypt's API, so a changed file cannot slip by.
 */
class WycheproofAesGcmSivTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  @SuppressWarnings("unchecked")
  void every_256_bit_vector_gives_exactly_the_expected_result() throws Exception {
    Map<String, Object> file;
    try (InputStream in = getClass().getResourceAsStream("/wycheproof/aes_gcm_siv_test.json")) {
      file = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertThat(((Number) file.get("numberOfTests")).intValue()).isEqualTo(202);
    int checked = 0;
    int valid = 0;
    int invalid = 0;
    int rejectedKeys = 0;
    List<String> failures = new ArrayList<>();
    for (Object g : (List<Object>) file.get("testGroups")) {
      Map<String, Object> group = (Map<String, Object>) g;
      int keySize = ((Number) group.get("keySize")).intValue();
      assertThat(((Number) group.get("ivSize")).intValue()).isEqualTo(96);
      assertThat(((Number) group.get("tagSize")).intValue()).isEqualTo(128);
      for (Object t : (List<Object>) group.get("tests")) {
        Map<String, Object> test = (Map<String, Object>) t;
        byte[] key = HEX.parseHex((String) test.get("key"));
        byte[] iv = HEX.parseHex((String) test.get("iv"));
        byte[] aad = HEX.parseHex((String) test.get("aad"));
        byte[] msg = HEX.parseHex((String) test.get("msg"));
        byte[] sealed = concat(HEX.parseHex((String) test.get("ct")), HEX.parseHex((String) test.get("tag")));
        if (keySize != 256) {
          assertThatThrownBy(() -> DataKey.of(1, key)).isInstanceOf(IllegalArgumentException.class);
          assertThatThrownBy(() -> AesGcmSiv.sealWithNonce(key, iv, aad, msg)).isInstanceOf(IllegalArgumentException.class);
          rejectedKeys++;
          continue;
        }
        checked++;
        String id = "tcId " + test.get("tcId") + " (" + test.get("comment") + ")";
        if (!"invalid".equals(test.get("result"))) {
          valid++;
          if (!Arrays.equals(AesGcmSiv.sealWithNonce(key, iv, aad, msg), sealed)) {
            failures.add(id + ": ciphertext differs");
          }
          if (!Arrays.equals(AesGcmSiv.openWithNonce(key, iv, aad, sealed), msg)) {
            failures.add(id + ": plaintext differs");
          }
        } else {
          invalid++;
          try {
            AesGcmSiv.openWithNonce(key, iv, aad, sealed);
            failures.add(id + ": an invalid vector was accepted");
          } catch (AEADBadTagException expected) {
            // rejected, as it must be
          }
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(checked).as("256-bit key vectors").isEqualTo(103);
    assertThat(valid).isEqualTo(69);
    assertThat(invalid).isEqualTo(34);
    assertThat(checked + rejectedKeys).as("every vector accounted for").isEqualTo(202);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
