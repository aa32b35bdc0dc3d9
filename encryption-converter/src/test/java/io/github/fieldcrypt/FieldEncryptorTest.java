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
  void the_short_text_path_and_the_general_one_give_and_take_the_same_values() {
    FieldEncryptor encryptor = Ciphertexts.encryptor(1, 7);
    FieldEncryptor other = Ciphertexts.encryptor(1, 2);
    String[] plaintexts = {"", "a", "x".repeat(63), "x".repeat(64), "x".repeat(65), "x".repeat(300), "caf\u00e9", "\u20ac".repeat(30),
        "\uD83D\uDD12 key", "tab\tand\u007f"};
    for (String plaintext : plaintexts) {
      String text = encryptor.encryptToText(plaintext, EMAIL);
      byte[] bytes = CiphertextFormat.fromText(text);
      // the same value through the binary (general) path, and the text of a binary value through the text path
      assertThat(new String(encryptor.decrypt(bytes, EMAIL), StandardCharsets.UTF_8)).isEqualTo(plaintext);
      String viaBinary = CiphertextFormat.toText(encryptor.encrypt(plaintext.getBytes(StandardCharsets.UTF_8), EMAIL));
      assertThat(encryptor.decryptText(viaBinary, EMAIL)).isEqualTo(plaintext);
      assertThat(encryptor.decryptText(text, EMAIL)).isEqualTo(plaintext);
      // padded text (the JDK's decoder takes it) still reads
      String padded = text + "=".repeat((4 - text.length() % 4) % 4);
      assertThat(encryptor.decryptText(padded, EMAIL)).isEqualTo(plaintext);
      // every failure is reported as by the general path
      char[] chars = text.toCharArray();
      int middle = chars.length / 2; // a character all of whose bits are data (the last may carry unused bits)
      chars[middle] = chars[middle] == 'A' ? 'B' : 'A';
      assertThatThrownBy(() -> encryptor.decryptText(new String(chars), EMAIL)).isInstanceOf(DecryptionException.class);
      assertThatThrownBy(() -> encryptor.decryptText(text, EncryptionContext.forColumn("users", "name")))
          .isInstanceOf(DecryptionException.class);
      assertThatThrownBy(() -> other.decryptText(text, EMAIL)).isInstanceOf(UnknownKeyException.class);
    }
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
