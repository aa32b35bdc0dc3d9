package io.github.fieldcrypt.liquibase;

import static io.github.fieldcrypt.liquibase.ColumnChangesIT.assertEncrypted;
import static io.github.fieldcrypt.liquibase.ColumnChangesIT.assertNoSecretIn;
import static io.github.fieldcrypt.liquibase.ColumnChangesIT.fullText;
import static io.github.fieldcrypt.liquibase.ColumnChangesIT.summary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.crypto.Fernet;
import io.github.fieldcrypt.liquibase.testing.Fixture;
import io.github.fieldcrypt.liquibase.testing.LiquibaseRun;
import io.github.fieldcrypt.liquibase.testing.Samples;
import io.github.fieldcrypt.testing.HandMadeFernet;
import io.github.fieldcrypt.testing.PythonFernet;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code encryptColumn sourceFormat="fernet"} on every database: a column written by a Python
 * service with {@code cryptography.fernet} (the tokens are made here by Python itself, in a
 * subprocess) becomes v1, a rerun writes nothing, and the rollback writes Fernet tokens that
 * Python reads back to every original byte. Anything that is neither v1 nor a valid token stops
 * the change before any write.
 */
class FernetColumnIT {
  private static final String KEY = TestKeys.fernetKey(21);
  private static final String OLD_KEY = TestKeys.fernetKey(22);
  private static final String ENCRYPT = "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\" batchSize=\"7\""
      + " sourceFormat=\"fernet\"/>";

  @TempDir
  Path tmp;

  private Fixture fixture(TestDatabase db) throws Exception {
    return new Fixture(db, Files.createTempDirectory(tmp, db.name()));
  }

  /** Liquibase with data keys 1 and 2 and the Fernet keys: the first one writes, the old one still reads. */
  private static LiquibaseRun liquibase(Fixture f) {
    return f.liquibase().parameter(FieldcryptSettings.FERNET_KEYS, KEY + "," + OLD_KEY);
  }

  /** The sample rows, but none too long for a Fernet token in a VARCHAR(400). */
  private static Map<Long, String> rows() {
    Map<Long, String> rows = Samples.textRows(255, 40);
    rows.put(5L, "x".repeat(200));
    return rows;
  }

  /** Python makes the tokens: even ids under the current key, odd ids under the old one. */
  private static Map<Long, String> pythonTokens(Map<Long, String> plaintexts) {
    List<Long> current = new ArrayList<>();
    List<Long> old = new ArrayList<>();
    plaintexts.forEach((id, v) -> {
      if (v != null) {
        (id % 2 == 0 ? current : old).add(id);
      }
    });
    List<String> currentTokens = PythonFernet.encrypt(KEY, current.stream().map(plaintexts::get).toList());
    List<String> oldTokens = PythonFernet.encrypt(OLD_KEY, old.stream().map(plaintexts::get).toList());
    Map<Long, String> tokens = new LinkedHashMap<>();
    plaintexts.forEach((id, v) -> tokens.put(id, null));
    for (int i = 0; i < current.size(); i++) {
      tokens.put(current.get(i), currentTokens.get(i));
    }
    for (int i = 0; i < old.size(); i++) {
      tokens.put(old.get(i), oldTokens.get(i));
    }
    return tokens;
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void python_tokens_become_v1_a_rerun_writes_nothing_and_the_rollback_gives_python_its_tokens_back(TestDatabase db)
      throws Exception {
    try (Fixture f = fixture(db)) {
      f.createTextTable("email", 400);
      Map<Long, String> original = rows();
      Map<Long, String> tokens = pythonTokens(original);
      f.insert("email", tokens);
      f.xmlChangelog("v1.xml", Map.of("enc-1", ENCRYPT));
      f.xmlChangelog("v2.xml", new TreeMap<>(Map.of("enc-1", ENCRYPT, "enc-2", ENCRYPT)));
      LiquibaseRun lb = liquibase(f);

      String first = lb.update("v1.xml");
      assertThat(first).containsPattern(summary(f, 40, "39 encrypted from Fernet tokens, 0 already encrypted, 1 null, 0 retried"));
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));
      assertNoSecrets(first, original, tokens, f.read("email"));

      String second = lb.update("v2.xml");
      assertThat(second).containsPattern(summary(f, 40, "0 encrypted from Fernet tokens, 39 already encrypted, 1 null"));
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));

      Map<Long, Object> encrypted = f.read("email");
      String rollback = lb.rollbackCount("v2.xml", 2);
      assertThat(rollback).containsPattern(summary(f, 40, "39 decrypted to Fernet tokens, 0 already Fernet tokens, 1 null"))
          .containsPattern(summary(f, 40, "0 decrypted to Fernet tokens, 39 already Fernet tokens, 1 null"));
      assertNoSecrets(second + rollback, original, tokens, encrypted);

      // Python reads every token the rollback wrote, with the first Fernet key alone, to the original bytes
      Map<Long, Object> rolledBack = f.read("email");
      List<Long> ids = new ArrayList<>();
      List<String> written = new ArrayList<>();
      rolledBack.forEach((id, v) -> {
        if (v == null) {
          assertThat(original.get(id)).as("row %s", id).isNull();
        } else {
          assertThat(Fernet.mayBeFernet((String) v)).as("row %s is a Fernet token", id).isTrue();
          ids.add(id);
          written.add((String) v);
        }
      });
      assertThat(ids).hasSize(39);
      List<byte[]> read = PythonFernet.decrypt(List.of(KEY), written);
      for (int i = 0; i < ids.size(); i++) {
        assertThat(read.get(i)).as("python reads row %s", ids.get(i))
            .isEqualTo(original.get(ids.get(i)).getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void a_value_that_is_neither_v1_nor_a_valid_token_stops_the_change_before_any_write(TestDatabase db) throws Exception {
    try (Fixture f = fixture(db)) {
      f.createTextTable("email", 400);
      Map<Long, String> original = new LinkedHashMap<>();
      for (long id = 1; id <= 30; id++) {
        original.put(id, "user" + id + "@example.com");
      }
      Map<Long, String> rows = new LinkedHashMap<>(pythonTokens(original));
      rows.put(31L, "legacy plaintext never encrypted by the python service");
      f.insert("email", rows);
      f.xmlChangelog("c.xml", Map.of("enc", ENCRYPT));
      LiquibaseRun lb = liquibase(f);

      String token = PythonFernet.encrypt(KEY, List.of("bad-row-secret")).get(0);
      byte[] data = Base64.getUrlDecoder().decode(token);
      data[50] ^= 4;
      Map<String, String> badValues = new LinkedHashMap<>();
      badValues.put("legacy plaintext never encrypted by the python service",
          "the value is not a Fernet token: 54 characters");
      badValues.put(Base64.getUrlEncoder().encodeToString(data), "whose HMAC verifies under none of the 2 Fernet keys");
      badValues.put(PythonFernet.encrypt(TestKeys.fernetKey(23), List.of("bad-row-secret")).get(0),
          "whose HMAC verifies under none of the 2 Fernet keys");
      badValues.put(HandMadeFernet.badPadding(OLD_KEY, Instant.now().getEpochSecond()),
          "verifies under key 2 of 2 (fingerprint");
      badValues.put(PythonFernet.encrypt(KEY, new byte[] {'a', (byte) 0xFF}), "is not UTF-8 text");
      for (Map.Entry<String, String> bad : badValues.entrySet()) {
        f.execute("UPDATE " + f.table + " SET email = '" + bad.getKey() + "' WHERE id = 31");
        String before = f.hash("email");
        assertThatThrownBy(() -> lb.update("c.xml"))
            .satisfies(e -> assertThat(fullText(e))
                .containsIgnoringCase("row (id=31) holds neither a fieldcrypt v1 value nor a Fernet token that reads with"
                    + " fieldcrypt.fernet-keys (2 keys)")
                .contains(bad.getValue())
                .contains("Nothing was written")
                .doesNotContain(bad.getKey().substring(0, 30))
                .doesNotContain("bad-row-secret"));
        assertThat(f.hash("email")).as("nothing written for %s", bad.getValue()).isEqualTo(before);
      }
      // a v1 value of another column stops it as it does without Fernet
      String foreign = Fixture.encryptor(1, 2).encryptToText("secret-of-another-column", EncryptionContext.forColumn("other", "col"));
      f.execute("UPDATE " + f.table + " SET email = '" + foreign + "' WHERE id = 31");
      String before = f.hash("email");
      assertThatThrownBy(() -> lb.update("c.xml")).hasStackTraceContaining("does not authenticate")
          .hasStackTraceContaining("Nothing was written");
      assertThat(f.hash("email")).isEqualTo(before);
      // with the row fixed, the change runs
      f.execute("UPDATE " + f.table + " SET email = '" + PythonFernet.encrypt(KEY, List.of("fixed@example.com")).get(0)
          + "' WHERE id = 31");
      original.put(31L, "fixed@example.com");
      assertThat(lb.update("c.xml")).containsPattern(summary(f, 31, "31 encrypted from Fernet tokens, 0 already encrypted, 0 null"));
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));
    }
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void the_rollback_checks_the_width_fernet_tokens_need_before_any_write(TestDatabase db) throws Exception {
    try (Fixture f = fixture(db)) {
      f.createTextTable("email", 200);
      Map<Long, String> original = new LinkedHashMap<>();
      for (long id = 1; id <= 10; id++) {
        original.put(id, "user" + id + "@example.com");
      }
      f.insert("email", pythonTokens(original));
      f.xmlChangelog("c.xml", Map.of("enc", ENCRYPT));
      LiquibaseRun lb = liquibase(f);
      lb.update("c.xml");
      // the application wrote a longer value since: it fits as v1 (VARCHAR(200) takes 116 bytes), not as a token (79)
      String longer = "z".repeat(100);
      FieldEncryptor encryptor = Fixture.encryptor(1, 2);
      f.execute("UPDATE " + f.table + " SET email = '" + encryptor.encryptToText(longer, f.context("email")) + "' WHERE id = 7");
      String before = f.hash("email");
      assertThatThrownBy(() -> lb.rollbackCount("c.xml", 1))
          .satisfies(e -> assertThat(fullText(e))
              .contains("holds at most " + Fernet.maxPlaintextBytes(200) + " plaintext bytes as Fernet tokens; widen to")
              .contains("(" + Fernet.tokenLength(100) + ")")
              .containsIgnoringCase("row (id=7)")
              .contains("Nothing was written")
              .doesNotContain(longer));
      assertThat(f.hash("email")).isEqualTo(before);
    }
  }

  @Test
  void binary_columns_and_missing_fernet_keys_fail_clearly() throws Exception {
    try (Fixture f = fixture(TestDatabase.H2)) {
      f.execute("CREATE TABLE " + f.table + " (id BIGINT PRIMARY KEY, email VARBINARY(200))",
          "INSERT INTO " + f.table + " VALUES (1, X'0102')");
      f.xmlChangelog("c.xml", Map.of("enc", ENCRYPT));
      assertThatThrownBy(() -> liquibase(f).update("c.xml"))
          .hasStackTraceContaining("sourceFormat=\"fernet\" needs a text column (Fernet tokens are base64 text)")
          .hasStackTraceContaining("Nothing was written");
      assertThat(f.read("email").get(1L)).isEqualTo(new byte[] {1, 2});

      // validation, before anything runs: no Fernet keys, or malformed ones (never echoed)
      assertThatThrownBy(() -> f.liquibase().update("c.xml"))
          .hasStackTraceContaining("sourceFormat=\"fernet\" needs the Fernet keys: set fieldcrypt.fernet-keys")
          .hasStackTraceContaining("FIELDCRYPT_FERNET_KEYS");
      String secret = TestKeys.fernetKey(24);
      assertThatThrownBy(() -> f.liquibase().parameter(FieldcryptSettings.FERNET_KEYS, secret.substring(0, 40)).update("c.xml"))
          .hasStackTraceContaining("Invalid entry 1 of fieldcrypt.fernet-keys")
          .satisfies(e -> assertThat(fullText(e)).doesNotContain(secret.substring(0, 20)));
    }
  }

  @Test
  void yaml_and_custom_change_forms_read_and_write_fernet_tokens() throws Exception {
    try (Fixture f = fixture(TestDatabase.H2)) {
      f.createTextTable("email", 400);
      Map<Long, String> original = rows();
      Map<Long, String> tokens = pythonTokens(original);
      f.insert("email", tokens);
      f.changelog("c.yaml", """
          databaseChangeLog:
            - changeSet:
                id: enc
                author: test
                changes:
                  - encryptColumn:
                      tableName: TABLE
                      columnName: email
                      sourceFormat: fernet
          """);
      LiquibaseRun lb = liquibase(f);
      assertThat(lb.update("c.yaml")).containsPattern(summary(f, 40, "39 encrypted from Fernet tokens, 0 already encrypted"));
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));
      lb.rollbackCount("c.yaml", 1);
      assertPythonReads(f, original);

      f.xmlChangelog("t.xml", Map.of("enc-task", """
          <customChange class="io.github.fieldcrypt.liquibase.EncryptColumnTask">
                <param name="tableName" value="TABLE"/>
                <param name="columnName" value="email"/>
                <param name="sourceFormat" value="fernet"/>
              </customChange>"""));
      assertThat(lb.update("t.xml")).containsPattern(summary(f, 40, "39 encrypted from Fernet tokens, 0 already encrypted"));
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));
      assertThat(lb.rollbackCountSql("t.xml", 1)).contains("fieldcrypt decryptColumn on " + f.table
          + ".email is data-dependent and cannot be rendered as SQL: it reads, decrypts, makes a Fernet token and rewrites each row");
      lb.rollbackCount("t.xml", 1);
      assertPythonReads(f, original);
    }
  }

  @Test
  void a_deterministic_column_gets_exactly_the_values_the_converter_writes() throws Exception {
    try (Fixture f = fixture(TestDatabase.H2)) {
      f.createTextTable("email", 400);
      Map<Long, String> original = rows();
      f.insert("email", pythonTokens(original));
      f.xmlChangelog("d.xml", Map.of("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\""
          + " deterministic=\"true\" sourceFormat=\"fernet\"/>"));
      LiquibaseRun lb = liquibase(f);
      assertThat(lb.update("d.xml")).containsPattern(summary(f, 40, "39 encrypted from Fernet tokens, 0 already encrypted"));
      FieldEncryptor encryptor = Fixture.encryptor(1, 2);
      Map<Long, Object> stored = f.read("email");
      original.forEach((id, v) -> assertThat(stored.get(id)).as("row %s", id)
          .isEqualTo(v == null ? null : encryptor.encryptToTextDeterministic(v, f.context("email"))));
      lb.rollbackCount("d.xml", 1);
      assertPythonReads(f, original);
    }
  }

  private static void assertPythonReads(Fixture f, Map<Long, String> original) throws Exception {
    Map<Long, Object> stored = f.read("email");
    List<Long> ids = new ArrayList<>();
    List<String> values = new ArrayList<>();
    stored.forEach((id, v) -> {
      if (v != null) {
        ids.add(id);
        values.add((String) v);
      }
    });
    List<byte[]> read = PythonFernet.decrypt(List.of(KEY), values);
    for (int i = 0; i < ids.size(); i++) {
      assertThat(read.get(i)).as("python reads row %s", ids.get(i)).isEqualTo(original.get(ids.get(i)).getBytes(StandardCharsets.UTF_8));
    }
    assertThat(ids).hasSize((int) original.values().stream().filter(v -> v != null).count());
  }

  private static void assertNoSecrets(String output, Map<Long, String> plaintexts, Map<Long, String> tokens, Map<Long, Object> stored) {
    List<Object> values = new ArrayList<>(stored.values());
    values.addAll(tokens.values());
    assertNoSecretIn(output, plaintexts.values(), values);
    for (String key : List.of(KEY, OLD_KEY)) {
      assertThat(output).doesNotContain(key.substring(0, 20)).doesNotContain(key.substring(20, 40));
    }
  }
}
