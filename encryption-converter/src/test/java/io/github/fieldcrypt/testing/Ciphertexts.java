package io.github.fieldcrypt.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import java.util.Map;

/** Assertions on raw column values: is this a v1 ciphertext of that context and key? */
public final class Ciphertexts {
  private Ciphertexts() {}

  /** An encryptor over the test keys with these ids (highest active). */
  public static FieldEncryptor encryptor(int... ids) {
    return FieldEncryptor.fromSettings(FieldcryptSettings.from(Map.of("fieldcrypt.keys", TestKeys.keysSetting(ids)), k -> null, k -> null));
  }

  /** Asserts a text column value is a v1 ciphertext under key {@code keyId} for {@code table.column}. */
  public static void assertTextCiphertext(Object raw, String table, String column, int keyId) {
    assertThat(raw).as("%s.%s", table, column).isInstanceOf(String.class);
    byte[] bytes = CiphertextFormat.fromText((String) raw);
    assertThat(bytes).as("%s.%s is base64url", table, column).isNotNull();
    assertThat(CiphertextFormat.hasV1Shape(bytes)).as("%s.%s has the v1 shape", table, column).isTrue();
    assertThat(CiphertextFormat.keyId(bytes)).as("%s.%s key id", table, column).isEqualTo(keyId);
    assertThat(((String) raw).indexOf('=')).as("no padding").isEqualTo(-1);
    assertThat(encryptor(keyId).inspect(bytes, EncryptionContext.forColumn(table, column)).state())
        .as("%s.%s authenticates under its column", table, column)
        .isEqualTo(FieldEncryptor.Inspection.State.ENCRYPTED);
  }

  /** Asserts a binary column value is a v1 ciphertext under key {@code keyId} for {@code table.column}. */
  public static void assertBinaryCiphertext(Object raw, String table, String column, int keyId) {
    assertThat(raw).as("%s.%s", table, column).isInstanceOf(byte[].class);
    byte[] bytes = (byte[]) raw;
    assertThat(CiphertextFormat.hasV1Shape(bytes)).as("%s.%s has the v1 shape", table, column).isTrue();
    assertThat(CiphertextFormat.keyId(bytes)).isEqualTo(keyId);
    assertThat(encryptor(keyId).inspect(bytes, EncryptionContext.forColumn(table, column)).state())
        .isEqualTo(FieldEncryptor.Inspection.State.ENCRYPTED);
  }
}
