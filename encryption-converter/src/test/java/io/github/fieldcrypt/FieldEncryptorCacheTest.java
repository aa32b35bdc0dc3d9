package io.github.fieldcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.keys.KeyRing;
import io.github.fieldcrypt.testing.TestKeys;
import org.junit.jupiter.api.Test;

/** One context object shared by values of several key ids (rotation): its cached associated data never mixes them up. */
class FieldEncryptorCacheTest {

  @Test
  void one_context_serves_values_of_several_keys() {
    KeyRing ring1 = KeyRing.builder().add(1, TestKeys.key(1)).build();
    KeyRing ring12 = KeyRing.builder().add(1, TestKeys.key(1)).add(2, TestKeys.key(2)).build();
    FieldEncryptor old = FieldEncryptor.create(ring1);
    FieldEncryptor rotated = FieldEncryptor.create(ring12);
    EncryptionContext context = EncryptionContext.forColumn("users", "email");

    String underKey1 = old.encryptToText("alice@example.com", context);
    String underKey2 = rotated.encryptToText("bob@example.com", context);
    for (int i = 0; i < 3; i++) {
      assertThat(rotated.decryptText(underKey1, context)).isEqualTo("alice@example.com");
      assertThat(rotated.decryptText(underKey2, context)).isEqualTo("bob@example.com");
      assertThat(rotated.encryptToText("carol", context)).startsWith("_AEAAAAC");
      assertThat(old.encryptToText("carol", context)).startsWith("_AEAAAAB");
    }
    EncryptionContext other = EncryptionContext.forColumn("users", "phone");
    assertThatThrownBy(() -> rotated.decryptText(underKey2, other)).isInstanceOf(DecryptionException.class);
    assertThat(rotated.inspectText(underKey1, context).state()).isEqualTo(FieldEncryptor.Inspection.State.ENCRYPTED);
    assertThat(rotated.inspectText(underKey1, other).state()).isEqualTo(FieldEncryptor.Inspection.State.NOT_AUTHENTIC);
  }
}
