package io.github.fieldcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.FieldEncryptor.Inspection.State;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.testing.Ciphertexts;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FieldEncryptorTest {
  private static final EncryptionContext EMAIL = EncryptionContext.forColumn("Users", "Email");

  @Test
  void context_is_lower_case_table_dot_column() {
    assertThat(EMAIL.value()).isEqualTo("users.email");
    assertThat(EncryptionContext.of(" Users.Email ")).isEqualTo(EMAIL);
    assertThat(EMAIL.describing("User", "email").toString()).isEqualTo("EncryptionContext[User.email (context \"users.email\")]");
  }

  @Test
  void text_round_trip_and_layout() {
    FieldEncryptor encryptor = Ciphertexts.encryptor(1, 7);
    String text = encryptor.encryptToText("hello", EMAIL);
    byte[] bytes = CiphertextFormat.fromText(text);
    assertThat(bytes).hasSize(5 + CiphertextFormat.OVERHEAD);
    assertThat(bytes[0]).isEqualTo((byte) 0xFC);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(CiphertextFormat.keyId(bytes)).isEqualTo(7);
    assertThat(text).hasSize((int) CiphertextFormat.textLength(5)).doesNotContain("=").doesNotContain("+").doesNotContain("/");
    assertThat(encryptor.decryptText(text, EMAIL)).isEqualTo("hello");
  }

  @Test
  void inspect_tells_plaintext_encrypted_unknown_key_and_not_authentic() {
    FieldEncryptor ring1 = Ciphertexts.encryptor(1);
    FieldEncryptor ring12 = Ciphertexts.encryptor(1, 2);
    byte[] underKey2 = ring12.encrypt("x".getBytes(StandardCharsets.UTF_8), EMAIL);
    assertThat(ring1.inspect("plain".getBytes(StandardCharsets.UTF_8), EMAIL)).isEqualTo(new FieldEncryptor.Inspection(State.PLAINTEXT, null));
    assertThat(ring12.inspect(underKey2, EMAIL)).isEqualTo(new FieldEncryptor.Inspection(State.ENCRYPTED, 2));
    assertThat(ring1.inspect(underKey2, EMAIL)).isEqualTo(new FieldEncryptor.Inspection(State.UNKNOWN_KEY, 2));
    assertThat(ring12.inspect(underKey2, EncryptionContext.forColumn("users", "name")).state()).isEqualTo(State.NOT_AUTHENTIC);
    assertThat(ring12.inspectText("not base64 at all!", EMAIL).state()).isEqualTo(State.PLAINTEXT);
    assertThat(ring12.inspectText(CiphertextFormat.toText(underKey2), EMAIL).state()).isEqualTo(State.ENCRYPTED);
  }

  @Test
  void plaintext_reads_return_non_v1_values_and_still_reject_forgeries() {
    FieldEncryptor strict = Ciphertexts.encryptor(1);
    FieldEncryptor lenient = strict.withPlaintextReads(true);
    assertThat(lenient.decryptText("legacy", EMAIL)).isEqualTo("legacy");
    assertThat(lenient.decrypt(new byte[] {1, 2}, EMAIL)).containsExactly(1, 2);
    assertThatThrownBy(() -> strict.decryptText("legacy", EMAIL)).isInstanceOf(DecryptionException.class)
        .hasMessageContaining("users.email").hasMessageNotContaining("legacy\"");
    byte[] forged = strict.encrypt(new byte[] {1}, EMAIL);
    forged[20] ^= 1;
    assertThatThrownBy(() -> lenient.decrypt(forged, EMAIL)).isInstanceOf(DecryptionException.class);
  }

  @Test
  void column_sizing_helpers_match_real_values() {
    FieldEncryptor encryptor = Ciphertexts.encryptor(1);
    for (int n = 0; n < 70; n++) {
      String text = encryptor.encryptToText("x".repeat(n), EMAIL);
      assertThat(text.length()).as("n=%d", n).isEqualTo(CiphertextFormat.textLength(n));
      assertThat(CiphertextFormat.maxPlaintextBytesForText(text.length())).as("n=%d", n).isGreaterThanOrEqualTo(n);
      assertThat(CiphertextFormat.textLength(CiphertextFormat.maxPlaintextBytesForText(text.length()))).isLessThanOrEqualTo(text.length());
    }
    assertThat(CiphertextFormat.maxPlaintextBytesForText(255)).isEqualTo(157);
    assertThat(CiphertextFormat.textLength(40)).isEqualTo(99);
  }
}
