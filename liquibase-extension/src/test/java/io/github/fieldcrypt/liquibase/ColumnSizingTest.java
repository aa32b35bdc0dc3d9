package io.github.fieldcrypt.liquibase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.testing.TestKeys;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ColumnSizingTest {
  private final FieldEncryptor encryptor = FieldEncryptor.fromSettings(
      FieldcryptSettings.from(Map.of(FieldcryptSettings.KEYS, TestKeys.keysSetting(1))));
  private final EncryptionContext ctx = EncryptionContext.forColumn("users", "email");

  @Test
  void text_width_fits_the_worst_case_string_of_n_characters_exactly() {
    for (int n : new int[] {0, 1, 2, 3, 10, 40, 100, 255}) {
      String worst = "\uD83C\uDF0D".repeat(n); // n code points of 4 UTF-8 bytes each
      long width = ColumnSizing.textColumnLength(n);
      assertThat(encryptor.encryptToText(worst, ctx)).hasSize((int) width);
      assertThat(ColumnSizing.maxPlaintextBytesForText(width)).isGreaterThanOrEqualTo(4L * n);
      assertThat(ColumnSizing.maxPlaintextBytesForText(width - 1)).isLessThan(4L * n);
    }
    assertThat(ColumnSizing.textColumnLength(100)).isEqualTo(579);
    assertThat(ColumnSizing.textColumnLengthForBytes(40)).isEqualTo(99);
  }

  @Test
  void binary_length_is_the_plaintext_plus_34_bytes() {
    for (int n : new int[] {0, 1, 16, 1000}) {
      assertThat(encryptor.encrypt(new byte[n], ctx)).hasSize((int) ColumnSizing.binaryColumnLength(n));
    }
    assertThat(ColumnSizing.maxPlaintextBytesForBinary(34)).isZero();
    assertThat(ColumnSizing.maxPlaintextBytesForBinary(33)).isEqualTo(-1);
  }

  @Test
  void negative_lengths_are_rejected() {
    assertThatThrownBy(() -> ColumnSizing.textColumnLength(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
