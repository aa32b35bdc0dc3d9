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
        .contains("Looking up a customer by e-mail (from Customer c where c.email = :email, email = bob@example.org): customer 2, national_id = AB 12 34 56 C")
        .contains("UnsupportedQueryException: Query on encrypted Customer.email (column customers.email) uses like")
        .contains("DecryptionException: Cannot decrypt Tenant.apiKey (context \"tenants.api_key\") with key id 1")
        .contains("before: values per key id: key 1 = 14, not encrypted = 0")
        .contains("Retiring key 1 now is refused: Key id 1 cannot be retired: 14 row(s) still use it (tenants.api_key: 3, customers.email: 3,")
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

    // Retiring: the active key is refused; key 1, which no row uses after the rollback, goes.
    Run active = run("retire", "--key", "3", "--dir", dir.toString());
    assertThat(active.exitCode()).isEqualTo(1);
    assertThat(active.err()).contains("Key id 3 is the active key");
    Run retired = run("retire", "--key", "1", "--dir", dir.toString());
    assertThat(retired.exitCode()).as(retired.err()).isZero();
    assertThat(retired.out()).contains("No row uses key id 1: removed it from");
    assertThat(Files.readString(dir.resolve("demo-keys.txt"), StandardCharsets.UTF_8)).doesNotStartWith("1:").startsWith("2:");
  }

  @Test
  void seed_update_inspect_rotate_rollback_and_one_line_errors(@TempDir Path dir) throws Exception {
    String[] at = {"--dir", dir.toString()};
    Run seed = run(concat(new String[] {"seed", "--rows", "2500"}, at));
    assertThat(seed.exitCode()).as(seed.err()).isZero();
    assertThat(seed.out()).contains("2500 plaintext customers inserted");

    Run update = run(concat(new String[] {"update"}, at));
    assertThat(update.exitCode()).as(update.err()).isZero();
    assertThat(update.out()).containsPattern("(?i)customers\\.email: 2500 rows — 2500 encrypted, 0 already encrypted, 0 null")
        .containsPattern("(?i)customers\\.notes: 2500 rows — 2000 encrypted, 0 already encrypted, 500 null");
    assertThat(run(concat(new String[] {"key-usage", "customers", "email"}, at)).out().trim())
        .isEqualTo("customers.email: 2500 rows — key 1: 2500, 0 not encrypted, 0 null");

    Run inspect = run(concat(new String[] {"inspect", "customers", "--limit", "1"}, at));
    assertThat(inspect.exitCode()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("raw: _AEAAAAB").contains("decrypted: customer1@example.com");

    Run rotate = run(concat(new String[] {"rotate"}, at));
    assertThat(rotate.exitCode()).as(rotate.err()).isZero();
    assertThat(run(concat(new String[] {"key-usage", "customers", "email"}, at)).out().trim())
        .isEqualTo("customers.email: 2500 rows — key 2: 2500, 0 not encrypted, 0 null");

    Run rollback = run(concat(new String[] {"rollback", "--count", "1"}, at));
    assertThat(rollback.exitCode()).as(rollback.err()).isZero();
    assertThat(run(concat(new String[] {"key-usage", "customers", "email"}, at)).out().trim())
        .isEqualTo("customers.email: 2500 rows — 2500 not encrypted, 0 null");

    Run badTable = run(concat(new String[] {"inspect", "no_such_table"}, at));
    assertThat(badTable.exitCode()).isEqualTo(1);
    assertThat(badTable.err().lines().findFirst().orElseThrow()).startsWith("database: ").contains("no_such_table".toUpperCase());
    assertThat(badTable.err()).doesNotContain("\tat ");

    // The demo key file is replaced by a wrong key: the update refuses before writing anything.
    Files.writeString(dir.resolve("demo-keys.txt"), "1:" + Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    run(concat(new String[] {"update"}, at)); // encrypts the plaintext again, under the new (all-zero) key 1
    Files.writeString(dir.resolve("demo-keys.txt"), "1:" + Base64.getEncoder().encodeToString(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}) + "\n");
    Run wrongKey = run(concat(new String[] {"rotate"}, at));
    assertThat(wrongKey.exitCode()).isEqualTo(1);
    assertThat(wrongKey.err().lines().findFirst().orElseThrow()).startsWith("fieldcrypt: ").contains("key id 1");
    assertThat(wrongKey.err()).doesNotContain("\tat ");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
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
  void help_lists_the_commands() {
    Run help = run("help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("demo").contains("update").contains("rollback").contains("rotate").contains("inspect")
        .contains("key-usage").contains("seed").contains("keygen");
  }

  @Test
  void keygen_for_the_passphrase_provider_prints_a_salt() {
    Run run = run("keygen", "--provider", "passphrase");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("fieldcrypt.key-provider=passphrase");
    String salt = run.out().lines().filter(l -> l.startsWith("FIELDCRYPT_PASSPHRASE_SALT=")).findFirst().orElseThrow();
    assertThat(Base64.getDecoder().decode(salt.substring(salt.indexOf('=') + 1))).hasSize(16);
  }

  /**
   * The keys from a key provider (here the passphrase one, as {@code keygen --provider passphrase}
   * tells), set as system properties like a deployment's {@code -D} options: the Liquibase changes
   * and the entities both use it, no demo key file is made, and the messages name the provider.
   */
  @Test
  void a_key_provider_from_the_environment_serves_the_migrations_and_the_entities(@TempDir Path dir) throws Exception {
    Map<String, String> provider = Map.of("fieldcrypt.key-provider", "passphrase",
        "fieldcrypt.passphrase", "a passphrase only this test knows", "fieldcrypt.passphrase.salt", io.github.fieldcrypt.keys.Keygen.passphraseSalt());
    provider.forEach(System::setProperty);
    try {
      String[] at = {"--dir", dir.toString()};
      assertThat(run(concat(new String[] {"seed", "--rows", "20"}, at)).exitCode()).isZero();
      Run update = run(concat(new String[] {"update"}, at));
      assertThat(update.exitCode()).as(update.err()).isZero();
      assertThat(update.out()).contains("Keys: from the key provider 'passphrase'")
          .containsPattern("(?i)customers\\.email: 20 rows — 20 encrypted, 0 already encrypted, 0 null");
      Run inspect = run(concat(new String[] {"inspect", "customers", "--limit", "1"}, at));
      assertThat(inspect.exitCode()).as(inspect.err()).isZero();
      assertThat(inspect.out()).contains("decrypted: customer1@example.com");
      assertThat(dir.resolve("demo-keys.txt")).doesNotExist();
      Run rotate = run(concat(new String[] {"rotate"}, at));
      assertThat(rotate.exitCode()).isEqualTo(2);
      assertThat(rotate.err()).contains("The keys come from the key provider 'passphrase'");
    } finally {
      provider.keySet().forEach(System::clearProperty);
    }
  }
}
