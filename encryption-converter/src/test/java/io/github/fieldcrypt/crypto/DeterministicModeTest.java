package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.DecryptionException;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.keys.KeyRing;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Deterministic mode through {@link FieldEncryptor}: the same bytes in another JVM, other bytes
 * for another column, tenant or key, and only the synthetic nonce accepted.
 */
class DeterministicModeTest {
  private static final EncryptionContext EMAIL = EncryptionContext.forColumn("customers", "email");

  static FieldEncryptor encryptor(int... ids) {
    KeyRing.Builder ring = KeyRing.builder();
    for (int id : ids) {
      ring.add(id, TestKeys.key(id));
    }
    return FieldEncryptor.create(ring.build());
  }

  /** Run in a second JVM: prints the deterministic text of args[1] under context args[0], key 1. */
  public static void main(String[] args) {
    System.out.println(encryptor(1).encryptToTextDeterministic(args[1], EncryptionContext.of(args[0])));
  }

  @Test
  void another_jvm_writes_the_same_bytes() throws Exception {
    String value = "Zoë.alice+tag@example.com";
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), DeterministicModeTest.class.getName(), "customers.email", value)
        .redirectErrorStream(true).start();
    String printed = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(printed).isZero();
    assertThat(printed).isEqualTo(encryptor(1).encryptToTextDeterministic(value, EMAIL));
  }

  @Test
  void another_column_tenant_or_key_gives_other_bytes() {
    FieldEncryptor one = encryptor(1);
    String value = "alice@example.com";
    EncryptionContext backup = EncryptionContext.forColumn("customers", "backup_email");
    EncryptionContext tenantA = EncryptionContext.of("customers.email|tenant=a");
    EncryptionContext tenantB = EncryptionContext.of("customers.email|tenant=b");
    List<String> values = List.of(
        one.encryptToTextDeterministic(value, EMAIL),
        one.encryptToTextDeterministic(value, backup),
        one.encryptToTextDeterministic(value, tenantA),
        one.encryptToTextDeterministic(value, tenantB),
        encryptor(2).encryptToTextDeterministic(value, EMAIL));
    assertThat(values).doesNotHaveDuplicates();
    assertThat(one.encryptToTextDeterministic(value, tenantA)).isEqualTo(values.get(2));
    // Each decrypts under its own context only: a value moved to another tenant's row fails.
    assertThat(one.decryptText(values.get(2), tenantA)).isEqualTo(value);
    assertThatThrownBy(() -> one.decryptText(values.get(2), tenantB)).isInstanceOf(DecryptionException.class)
        .satisfies(e -> assertThat(((DecryptionException) e).getReason()).isEqualTo(DecryptionException.Reason.AUTHENTICATION_FAILED));
    // Equal plaintexts only: one changed character changes the value.
    assertThat(one.encryptToTextDeterministic("alice@example.con", EMAIL)).isNotEqualTo(values.get(0));
    // Randomized and deterministic values of one column both decrypt with the column's context.
    assertThat(one.decryptText(one.encryptToText(value, EMAIL), EMAIL)).isEqualTo(value);
    assertThat(one.inspectText(values.get(0), EMAIL).deterministic()).isTrue();
    assertThat(one.inspectText(one.encryptToText(value, EMAIL), EMAIL).deterministic()).isFalse();
  }

  @Test
  void only_the_synthetic_nonce_is_accepted() throws Exception {
    FieldEncryptor one = encryptor(1);
    byte[] plaintext = "alice@example.com".getBytes(StandardCharsets.UTF_8);
    byte[] value = one.encryptDeterministic(plaintext, EMAIL);
    // A value sealed correctly by AES-GCM-SIV under the derived key, but with another nonce.
    byte[] encryptionKey = AesGcmSiv.hkdfSha256(TestKeys.key(1), AesGcmSiv.ENCRYPTION_KEY_LABEL);
    byte[] otherNonce = new byte[12];
    byte[] aad = concat(Arrays.copyOf(value, 6), "customers.email".getBytes(StandardCharsets.UTF_8));
    byte[] body = AesGcmSiv.sealWithNonce(encryptionKey, otherNonce, aad, plaintext);
    byte[] forged = concat(concat(Arrays.copyOf(value, 6), otherNonce), body);
    assertThat(AesGcmSiv.openWithNonce(encryptionKey, otherNonce, aad, body)).as("the tag itself verifies").isEqualTo(plaintext);
    assertThatThrownBy(() -> one.decrypt(forged, EMAIL)).isInstanceOf(DecryptionException.class)
        .hasMessageContaining("key id 1").hasMessageNotContaining("alice");
    assertThat(one.inspect(forged, EMAIL).state()).isEqualTo(FieldEncryptor.Inspection.State.NOT_AUTHENTIC);
    // And every single-bit change of the real value is refused.
    for (int i = 0; i < value.length * 8; i += 7) {
      byte[] altered = value.clone();
      altered[i / 8] ^= (byte) (1 << (i % 8));
      if (CiphertextFormat.hasV1Shape(altered) && CiphertextFormat.keyId(altered) == 1) {
        assertThat(one.inspect(altered, EMAIL).state()).as("bit %d", i).isEqualTo(FieldEncryptor.Inspection.State.NOT_AUTHENTIC);
      }
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
