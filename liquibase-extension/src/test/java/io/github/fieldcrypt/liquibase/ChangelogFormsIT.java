package io.github.fieldcrypt.liquibase;

import static io.github.fieldcrypt.liquibase.ColumnChangesIT.assertEncrypted;
import static io.github.fieldcrypt.liquibase.ColumnChangesIT.summary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.liquibase.testing.Fixture;
import io.github.fieldcrypt.liquibase.testing.LiquibaseRun;
import io.github.fieldcrypt.liquibase.testing.Samples;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The other ways to write the changes (YAML, JSON, {@code customChange}), the SQL-output modes
 * that must never touch data, and validation before anything runs. On H2: what is tested here
 * does not depend on the database.
 */
class ChangelogFormsIT {
  @TempDir
  Path dir;

  @ParameterizedTest
  @CsvSource({"c.yaml", "c.json"})
  void yaml_and_json_changelogs_encrypt_and_roll_back(String file) throws Exception {
    try (Fixture f = new Fixture(TestDatabase.H2, dir)) {
      Map<Long, String> original = prepare(f);
      String before = f.hash("email");
      f.changelog(file, file.endsWith(".yaml") ? """
          databaseChangeLog:
            - changeSet:
                id: enc
                author: test
                changes:
                  - encryptColumn:
                      tableName: TABLE
                      columnName: email
                      batchSize: 5
          """ : """
          {"databaseChangeLog": [
            {"changeSet": {"id": "enc", "author": "test", "changes": [
              {"encryptColumn": {"tableName": "TABLE", "columnName": "email", "batchSize": 5}}
            ]}}
          ]}
          """);
      LiquibaseRun lb = f.liquibase();
      assertThat(lb.update(file)).containsPattern(summary(f, 20, "19 encrypted, 0 already encrypted, 1 null"));
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));
      lb.rollbackCount(file, 1);
      assertThat(f.hash("email")).isEqualTo(before);
    }
  }

  @Test
  void custom_change_encrypts_rolls_back_and_does_nothing_in_sql_output_modes() throws Exception {
    try (Fixture f = new Fixture(TestDatabase.H2, dir)) {
      Map<Long, String> original = prepare(f);
      String before = f.hash("email");
      f.xmlChangelog("c.xml", Map.of("enc", """
          <customChange class="io.github.fieldcrypt.liquibase.EncryptColumnTask">
                <param name="tableName" value="TABLE"/>
                <param name="columnName" value="email"/>
                <param name="batchSize" value="6"/>
              </customChange>"""));
      LiquibaseRun lb = f.liquibase();

      String sql = lb.updateSql("c.xml");
      assertThat(sql).contains("fieldcrypt encryptColumn on " + f.table + ".email is data-dependent");
      assertThat(f.hash("email")).isEqualTo(before);

      assertThat(lb.update("c.xml")).containsPattern(summary(f, 20, "19 encrypted, 0 already encrypted, 1 null"));
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));
      String encrypted = f.hash("email");

      String rollbackSql = lb.rollbackCountSql("c.xml", 1);
      assertThat(rollbackSql).contains("fieldcrypt decryptColumn on " + f.table + ".email is data-dependent");
      assertThat(f.hash("email")).isEqualTo(encrypted);

      lb.rollbackCount("c.xml", 1);
      assertThat(f.hash("email")).isEqualTo(before);
    }
  }

  @Test
  void update_sql_and_rollback_sql_print_a_comment_and_touch_nothing() throws Exception {
    try (Fixture f = new Fixture(TestDatabase.H2, dir)) {
      prepare(f);
      String before = f.hash("email");
      f.xmlChangelog("c.xml", Map.of("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\"/>"));
      LiquibaseRun lb = f.liquibase();
      String sql = lb.updateSql("c.xml");
      assertThat(sql).contains("-- fieldcrypt encryptColumn on " + f.table + ".email is data-dependent and cannot be rendered as SQL");
      assertThat(sql).doesNotContainIgnoringCase("UPDATE " + f.table);
      assertThat(f.hash("email")).isEqualTo(before);

      lb.update("c.xml");
      String encrypted = f.hash("email");
      String rollbackSql = lb.rollbackCountSql("c.xml", 1);
      assertThat(rollbackSql).contains("-- fieldcrypt decryptColumn on " + f.table + ".email is data-dependent");
      assertThat(f.hash("email")).isEqualTo(encrypted);
    }
  }

  @Test
  void sql_output_needs_no_keys() throws Exception {
    try (Fixture f = new Fixture(TestDatabase.H2, dir)) {
      prepare(f);
      f.xmlChangelog("c.xml", Map.of("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\"/>"));
      LiquibaseRun noKeys = new LiquibaseRun(f.url, f.db.user(), f.db.password(), f.dir, f.changelogTable());
      assertThat(noKeys.updateSql("c.xml")).contains("is data-dependent");
    }
  }

  @Test
  void missing_or_bad_keys_fail_validation_naming_the_setting() throws Exception {
    try (Fixture f = new Fixture(TestDatabase.H2, dir)) {
      prepare(f);
      String before = f.hash("email");
      f.xmlChangelog("c.xml", Map.of("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\"/>"));
      LiquibaseRun noKeys = new LiquibaseRun(f.url, f.db.user(), f.db.password(), f.dir, f.changelogTable());
      if (System.getenv("FIELDCRYPT_KEYS") == null && System.getProperty(FieldcryptSettings.KEYS) == null) {
        assertThatThrownBy(() -> noKeys.update("c.xml")).hasStackTraceContaining("No encryption keys configured: set fieldcrypt.keys");
      }
      LiquibaseRun badActive = f.liquibase().parameter(FieldcryptSettings.ACTIVE_KEY, "9");
      assertThatThrownBy(() -> badActive.update("c.xml"))
          .hasStackTraceContaining("fieldcrypt.active-key")
          .hasStackTraceContaining("key id 9 is not among the ids")
          .satisfies(e -> assertThat(ColumnChangesIT.fullText(e)).doesNotContain(TestKeys.base64(1)));
      assertThat(f.hash("email")).isEqualTo(before);
    }
  }

  @Test
  void active_key_parameter_chooses_the_key() throws Exception {
    try (Fixture f = new Fixture(TestDatabase.H2, dir)) {
      Map<Long, String> original = prepare(f);
      f.xmlChangelog("c.xml", Map.of("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\"/>"));
      f.liquibase().parameter(FieldcryptSettings.ACTIVE_KEY, "1").update("c.xml");
      assertEncrypted(f, original, Fixture.encryptor(1), f.context("email"));
    }
  }

  @Test
  void key_provider_settings_pass_as_changelog_parameters() throws Exception {
    try (Fixture f = new Fixture(TestDatabase.H2, dir)) {
      Map<Long, String> original = prepare(f);
      f.xmlChangelog("c.xml", Map.of("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\"/>"));
      String salt = io.github.fieldcrypt.keys.Keygen.passphraseSalt();
      Map<String, String> passphrase = Map.of("fieldcrypt.key-provider", "passphrase",
          "fieldcrypt.passphrase", "a passphrase for the changelog", "fieldcrypt.passphrase.salt", salt,
          "fieldcrypt.passphrase.key-id", "5");
      // Only the provider's settings: not the fieldcrypt.keys that f.liquibase() passes.
      LiquibaseRun run = new LiquibaseRun(f.url, f.db.user(), f.db.password(), dir, f.changelogTable());
      passphrase.forEach(run::parameter);
      run.update("c.xml");
      io.github.fieldcrypt.FieldEncryptor derived = io.github.fieldcrypt.FieldEncryptor.create(
          io.github.fieldcrypt.keys.KeyProviders.load(FieldcryptSettings.from(passphrase, k -> null, k -> null)));
      assertEncrypted(f, original, derived, f.context("email"));
    }
  }

  private static Map<Long, String> prepare(Fixture f) throws Exception {
    f.createTextTable("email", 255);
    Map<Long, String> original = Samples.textRows(255, 20);
    f.insert("email", original);
    return original;
  }
}
