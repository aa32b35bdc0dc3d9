package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.fieldcrypt.DecryptionException;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.testing.Ciphertexts;

/**
 * Fuzzes the ciphertext parser: any bytes or text given to decrypt, decryptText, inspect and
 * inspectText give a value or fieldcrypt's typed exception, nothing else (no index errors, no
 * NullPointerException, no IllegalArgumentException from a decoder), with and without plaintext
 * reads. In a normal {@code mvn test} Jazzer runs the committed seeds
 * (src/test/resources/io/github/fieldcrypt/crypto/CiphertextParserFuzzTestInputs/); with
 * {@code JAZZER_FUZZ=1} it fuzzes.
 */
class CiphertextParserFuzzTest {
  private static final FieldEncryptor STRICT = Ciphertexts.encryptor(1, 2);
  private static final FieldEncryptor LENIENT = STRICT.withPlaintextReads(true);
  private static final EncryptionContext CONTEXT = EncryptionContext.forColumn("users", "email");

  @FuzzTest(maxDuration = "30s")
  void binary_values(byte[] value) {
    byte[] strict = attempt(() -> STRICT.decrypt(value, CONTEXT));
    byte[] lenient = attempt(() -> LENIENT.decrypt(value, CONTEXT));
    FieldEncryptor.Inspection inspection = STRICT.inspect(value, CONTEXT);
    if (strict != null) {
      assertThat(inspection.state()).isEqualTo(FieldEncryptor.Inspection.State.ENCRYPTED);
      assertThat(lenient).isEqualTo(strict);
    }
    if (inspection.state() == FieldEncryptor.Inspection.State.PLAINTEXT) {
      assertThat(lenient).isEqualTo(value);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void text_values(FuzzedDataProvider data) {
    String value = data.consumeRemainingAsString();
    String strict = attempt(() -> STRICT.decryptText(value, CONTEXT));
    String lenient = attempt(() -> LENIENT.decryptText(value, CONTEXT));
    FieldEncryptor.Inspection inspection = STRICT.inspectText(value, CONTEXT);
    if (strict != null) {
      assertThat(inspection.state()).isEqualTo(FieldEncryptor.Inspection.State.ENCRYPTED);
      assertThat(lenient).isEqualTo(strict);
    }
    if (inspection.state() == FieldEncryptor.Inspection.State.PLAINTEXT) {
      assertThat(lenient).isEqualTo(value);
    }
  }

  /** The result, or null after a typed exception; anything else fails the fuzz test. */
  private static <T> T attempt(java.util.function.Supplier<T> operation) {
    try {
      return operation.get();
    } catch (DecryptionException | io.github.fieldcrypt.UnknownKeyException expected) {
      return null;
    } catch (FieldcryptException other) {
      throw new AssertionError("unexpected fieldcrypt exception type " + other.getClass().getName(), other);
    }
  }
}
