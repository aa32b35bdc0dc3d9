package io.github.fieldcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.keys.KeyRing;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The text path (per-thread working arrays, own base64url) against the binary path and the JDK. */
class FieldEncryptorTextTest {
  private final FieldEncryptor encryptor = FieldEncryptor.create(KeyRing.builder().add(1, TestKeys.key(1)).build());
  private final EncryptionContext context = EncryptionContext.forColumn("users", "email");

  @Test
  void round_trips_every_size_across_the_buffer_limits() {
    for (int length : new int[] {0, 1, 2, 3, 31, 32, 33, 200, 255, 256, 4096, 16 * 1024 - 34, 16 * 1024, 16 * 1024 + 1, 100_000}) {
      String plaintext = "x".repeat(length);
      String text = encryptor.encryptToText(plaintext, context);
      byte[] binary = Base64.getUrlDecoder().decode(text);
      assertThat(binary).hasSize(length + 34);
      assertThat(encryptor.decrypt(binary, context)).isEqualTo(plaintext.getBytes(StandardCharsets.UTF_8));
      assertThat(encryptor.decryptText(text, context)).isEqualTo(plaintext);
      // and the other way: a text made by the JDK encoder from the binary API
      String jdkText = Base64.getUrlEncoder().withoutPadding().encodeToString(encryptor.encrypt(plaintext.getBytes(StandardCharsets.UTF_8), context));
      assertThat(encryptor.decryptText(jdkText, context)).isEqualTo(plaintext);
    }
  }

  @Test
  void unicode_and_alternating_sizes_share_the_thread_arrays_correctly() {
    String[] values = {"Grüße, 世界 🌍", "", "a", "b".repeat(5000), "é"};
    String[] texts = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      texts[i] = encryptor.encryptToText(values[i], context);
    }
    for (int round = 0; round < 3; round++) {
      for (int i = values.length - 1; i >= 0; i--) {
        assertThat(encryptor.decryptText(texts[i], context)).isEqualTo(values[i]);
      }
    }
  }

  @Test
  void padded_text_is_still_read() {
    String text = encryptor.encryptToText("alice@example.com", context);
    byte[] binary = Base64.getUrlDecoder().decode(text);
    String padded = Base64.getUrlEncoder().encodeToString(binary);
    assertThat(encryptor.decryptText(padded, context)).isEqualTo("alice@example.com");
  }

  @Test
  void every_changed_character_fails() {
    String text = encryptor.encryptToText("alice@example.com", context);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String changed = text.substring(0, i) + (c == 'A' ? 'B' : 'A') + text.substring(i + 1);
      // The last character's unused low bits decode to the same bytes: the value is unchanged.
      if (java.util.Arrays.equals(Base64.getUrlDecoder().decode(changed), Base64.getUrlDecoder().decode(text))) {
        continue;
      }
      assertThatThrownBy(() -> encryptor.decryptText(changed, context)).as("char %d", i).isInstanceOf(FieldcryptException.class);
    }
    assertThatThrownBy(() -> encryptor.decryptText(text.substring(0, text.length() - 1), context)).isInstanceOf(FieldcryptException.class);
    assertThatThrownBy(() -> encryptor.decryptText(text + "A", context)).isInstanceOf(FieldcryptException.class);
  }

  @Test
  void plaintext_reads_return_non_ciphertext_as_is() {
    FieldEncryptor transition = encryptor.withPlaintextReads(true);
    for (String legacy : new String[] {"alice@example.com", "", "QUJD", "not base64!", "QQ=="}) {
      assertThat(transition.decryptText(legacy, context)).isEqualTo(legacy);
      assertThatThrownBy(() -> encryptor.decryptText(legacy, context)).isInstanceOf(DecryptionException.class);
    }
    String text = encryptor.encryptToText("alice@example.com", context);
    assertThatThrownBy(() -> transition.decryptText(text, EncryptionContext.forColumn("users", "phone")))
        .isInstanceOf(DecryptionException.class);
  }
}
