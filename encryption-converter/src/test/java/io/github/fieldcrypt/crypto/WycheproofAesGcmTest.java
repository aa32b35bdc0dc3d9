package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.testing.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof's AES-GCM vectors (C2SP/wycheproof testvectors_v1/aes_gcm_test.json, see
 * src/test/resources/wycheproof/SOURCE.md) through fieldcrypt's cipher: every
 * 256-bit-key / 96-bit-nonce / 128-bit-tag vector gives exactly the expected result, and every
 * other one is counted as rejected by fieldcrypt's API, so a changed file cannot slip by. Each
 * vector runs twice: with the associated data given to the cipher, and folded into the tag
 * ({@link FoldedAad}, the path of values up to 1 KiB).
 */
class WycheproofAesGcmTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  @SuppressWarnings("unchecked")
  void every_applicable_vector_gives_exactly_the_expected_result() throws Exception {
    Map<String, Object> file;
    try (InputStream in = getClass().getResourceAsStream("/wycheproof/aes_gcm_test.json")) {
      file = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertThat(((Number) file.get("numberOfTests")).intValue()).isEqualTo(316);
    int checked = 0;
    int valid = 0;
    int invalid = 0;
    int rejectedKeys = 0;
    int rejectedNonces = 0;
    int rejectedTags = 0;
    List<String> failures = new ArrayList<>();
    for (Object g : (List<Object>) file.get("testGroups")) {
      Map<String, Object> group = (Map<String, Object>) g;
      int keySize = ((Number) group.get("keySize")).intValue();
      int ivSize = ((Number) group.get("ivSize")).intValue();
      int tagSize = ((Number) group.get("tagSize")).intValue();
      for (Object t : (List<Object>) group.get("tests")) {
        Map<String, Object> test = (Map<String, Object>) t;
        byte[] key = HEX.parseHex((String) test.get("key"));
        byte[] iv = HEX.parseHex((String) test.get("iv"));
        if (keySize != 256) {
          assertThatThrownBy(() -> DataKey.of(1, key)).as("tcId %s", test.get("tcId")).isInstanceOf(IllegalArgumentException.class);
          rejectedKeys++;
          continue;
        }
        if (ivSize != 96) {
          assertThatThrownBy(() -> AesGcm.sealWithNonce(new SecretKeySpec(key, "AES"), iv, new byte[0], new byte[0]))
              .as("tcId %s", test.get("tcId")).isInstanceOf(IllegalArgumentException.class);
          rejectedNonces++;
          continue;
        }
        if (tagSize != 128) {
          rejectedTags++; // fieldcrypt's format has 16-byte tags only; there is no way to ask for another size
          continue;
        }
        checked++;
        String id = "tcId " + test.get("tcId") + " (" + test.get("comment") + ")";
        SecretKeySpec secret = new SecretKeySpec(DataKey.of(1, key).secretKey().getEncoded(), "AES");
        byte[] aad = HEX.parseHex((String) test.get("aad"));
        byte[] msg = HEX.parseHex((String) test.get("msg"));
        byte[] sealed = concat(HEX.parseHex((String) test.get("ct")), HEX.parseHex((String) test.get("tag")));
        boolean expectValid = !"invalid".equals(test.get("result"));
        if (expectValid) {
          valid++;
          if (!java.util.Arrays.equals(AesGcm.sealWithNonce(secret, iv, aad, msg), sealed)) {
            failures.add(id + ": ciphertext differs");
          }
          if (!java.util.Arrays.equals(AesGcm.openWithNonce(secret, iv, aad, sealed), msg)) {
            failures.add(id + ": plaintext differs");
          }
          // the same through a key's pooled cipher with the associated data folded into the tag
          GcmKey pooled = new GcmKey(secret);
          if (!java.util.Arrays.equals(AesGcm.sealWithNonceFolded(pooled, iv, aad, msg), sealed)) {
            failures.add(id + ": ciphertext differs (folded)");
          }
          if (!java.util.Arrays.equals(AesGcm.openWithNonceFolded(pooled, iv, aad, sealed), msg)) {
            failures.add(id + ": plaintext differs (folded)");
          }
        } else {
          invalid++;
          try {
            AesGcm.openWithNonce(secret, iv, aad, sealed);
            failures.add(id + ": an invalid vector was accepted");
          } catch (AEADBadTagException expected) {
            // rejected, as it must be
          }
          try {
            AesGcm.openWithNonceFolded(new GcmKey(secret), iv, aad, sealed);
            failures.add(id + ": an invalid vector was accepted (folded)");
          } catch (AEADBadTagException expected) {
            // rejected, as it must be
          }
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(checked).as("256-bit key, 96-bit nonce, 128-bit tag vectors").isEqualTo(66);
    assertThat(valid).isEqualTo(39);
    assertThat(invalid).isEqualTo(27);
    assertThat(checked + rejectedKeys + rejectedNonces + rejectedTags).as("every vector accounted for").isEqualTo(316);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
