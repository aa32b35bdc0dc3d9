package io.github.fieldcrypt.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Base64;
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
  void demo_encrypts_legacy_rows_with_liquibase_reads_them_rotates_and_rolls_back(@TempDir Path dir) throws Exception {
    Run run = run("demo", "--dir", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    String out = run.out();
    assertThat(out)
        .contains("tenants: id = 1, name = Acme Corp, api_key = sk_live_51HqLyjWDarjtT1zdp7dcACME")
        .containsPattern("\\| TENANTS\\.API_KEY: 2 rows — 2 encrypted, 0 already encrypted, 0 null")
        .containsPattern("\\| CUSTOMERS\\.NATIONAL_ID: 3 rows — 2 encrypted, 0 already encrypted, 1 null")
        .contains("api_key = _AEAAAAB")
        .contains("tenant 1 Acme Corp  api_key = sk_live_51HqLyjWDarjtT1zdp7dcACME")
        .contains("customer 3 email = chloé@example.fr, national_id = null, born 2001-12-24")
        .contains("DecryptionException: Cannot decrypt Tenant.apiKey (context \"tenants.api_key\") with key id 1")
        .contains("before: values per key id: key 1 = 14, not encrypted = 0")
        .contains("after:  values per key id: key 2 = 14, not encrypted = 0")
        .containsPattern("\\| TENANTS\\.API_KEY: 3 rows — 3 decrypted")
        .contains(dir.resolve("sample.mv.db").toAbsolutePath().toString());

    // After the rollback the database holds the plaintext again, byte for byte.
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("sample"), "sa", "");
        ResultSet rs = c.createStatement().executeQuery("select api_key from tenants order by id")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("sk_live_51HqLyjWDarjtT1zdp7dcACME");
      assertThat(rs.next()).isTrue();
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("xoxb-Initech-2f9a7c1e5b");
    }
    String keys = Files.readString(dir.resolve("demo-keys.txt"), StandardCharsets.UTF_8).trim();
    assertThat(keys).startsWith("1:").contains(",2:");

    Run usage = run("key-usage", "tenants", "api_key", "--dir", dir.toString());
    assertThat(usage.exitCode()).as(usage.err()).isZero();
    assertThat(usage.out().trim()).isEqualTo("tenants.api_key: 3 rows — 3 not encrypted, 0 null");
    Run unknown = run("key-usage", "nope", "api_key", "--dir", dir.toString());
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("Cannot read nope.api_key").doesNotContain("Exception");

    // A second run starts over with the same key file plus the next key.
    Run again = run("demo", "--dir", dir.toString());
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.out()).contains("after:  values per key id: key 3 = 14");
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
