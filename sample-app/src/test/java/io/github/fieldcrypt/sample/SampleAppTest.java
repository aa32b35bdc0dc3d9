package io.github.fieldcrypt.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the sample's commands in-process and checks what they print and what the database holds. */
class SampleAppTest {

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = SampleApp.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void demo_stores_ciphertext_shows_plaintext_detects_tampering_and_rotates(@TempDir Path dir) throws Exception {
    Run run = run("demo", "--dir", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("2. What the database holds")
        .contains("api_key = _AEAAAAB")
        .contains("api_key = sk_live_51HqLyjWDarjtT1zdp7dcACME")
        .contains("DecryptionException: Cannot decrypt Tenant.apiKey (context \"tenants.api_key\") with key id 1")
        .contains("tenant 3 Initech    api_key = xoxb-Initech-2f9a7c1e5b                stored under key id 2")
        .contains(dir.resolve("sample.mv.db").toAbsolutePath().toString());

    // The database file holds ciphertexts that the key file decrypts; the demo restored the tampered row.
    String keys = Files.readString(dir.resolve("demo-keys.txt"), StandardCharsets.UTF_8).trim();
    assertThat(keys).startsWith("1:").contains(",2:");
    FieldEncryptor encryptor = FieldEncryptor.fromSettings(FieldcryptSettings.from(Map.of("fieldcrypt.keys", keys), k -> null, k -> null));
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("sample"), "sa", "");
        ResultSet rs = c.createStatement().executeQuery("select api_key from tenants order by id")) {
      assertThat(rs.next()).isTrue();
      String stored = rs.getString(1);
      assertThat(stored).doesNotContain("sk_live");
      assertThat(encryptor.decryptText(stored, EncryptionContext.forColumn("tenants", "api_key"))).isEqualTo("sk_live_51HqLyjWDarjtT1zdp7dcACME");
    }

    Run usage = run("key-usage", "tenants", "api_key", "--dir", dir.toString());
    assertThat(usage.exitCode()).as(usage.err()).isZero();
    assertThat(usage.out().trim()).isEqualTo("tenants.api_key: 3 rows — key 1: 2, key 2: 1, 0 not encrypted, 0 null");
    Run unknown = run("key-usage", "nope", "api_key", "--dir", dir.toString());
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("Cannot read nope.api_key").doesNotContain("Exception");

    // A second run reuses the key file: old keys stay, the next one is added.
    Run again = run("demo", "--dir", dir.toString());
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(Files.readString(dir.resolve("demo-keys.txt"), StandardCharsets.UTF_8)).contains(",3:");
  }

  @Test
  void keygen_prints_a_fresh_32_byte_key_in_settings_form() {
    Run first = run("keygen", "--id", "7");
    Run second = run("keygen", "--id", "7");
    assertThat(first.exitCode()).isZero();
    String line = first.out().lines().findFirst().orElseThrow();
    assertThat(line).startsWith("FIELDCRYPT_KEYS=7:");
    assertThat(Base64.getDecoder().decode(line.substring("FIELDCRYPT_KEYS=7:".length()))).hasSize(32);
    assertThat(second.out()).isNotEqualTo(first.out());
    assertThat(run("keygen", "--id", "-1").exitCode()).isEqualTo(2);
    assertThat(run("keygen", "--provider", "vault").exitCode()).isEqualTo(2);
  }

  @Test
  void keygen_for_the_passphrase_provider_prints_a_salt() {
    Run run = run("keygen", "--provider", "passphrase");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("fieldcrypt.key-provider=passphrase");
    String salt = run.out().lines().filter(l -> l.startsWith("FIELDCRYPT_PASSPHRASE_SALT=")).findFirst().orElseThrow();
    assertThat(Base64.getDecoder().decode(salt.substring(salt.indexOf('=') + 1))).hasSize(16);
  }
}
