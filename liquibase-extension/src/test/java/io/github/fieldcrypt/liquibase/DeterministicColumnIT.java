package io.github.fieldcrypt.liquibase;

import static io.github.fieldcrypt.liquibase.ColumnChangesIT.summary;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.Encrypted;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.liquibase.testing.Fixture;
import io.github.fieldcrypt.liquibase.testing.LiquibaseRun;
import io.github.fieldcrypt.liquibase.testing.Samples;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code encryptColumn deterministic="true"} writes exactly what {@code @Encrypted(deterministic
 * = true)} writes, so an entity finds migrated rows by equality; {@code reencryptColumn
 * deterministic="true"} moves a column to a new key (and randomized values to deterministic
 * ones); rollback gives the plaintext back.
 */
class DeterministicColumnIT {
  @TempDir
  Path dir;

  @Entity(name = "DetCustomer")
  @Table(name = "lbt_det_customers")
  static class DetCustomer {
    @Id Long id;

    @Encrypted(deterministic = true)
    @Column(length = 255)
    String email;
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void encrypt_find_by_equality_reencrypt_to_a_new_key_and_roll_back(TestDatabase db) throws Exception {
    try (Fixture f = new Fixture(TestDatabase.valueOf(db.name()), dir)) {
      f.createTextTable("email", 255);
      Map<Long, String> original = Samples.textRows(255, 20);
      f.insert("email", original);
      String before = f.hash("email");
      f.xmlChangelog("c.xml", Map.of(
          "enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\" deterministic=\"true\" batchSize=\"7\"/>"));
      EncryptionContext ctx = f.context("email");

      // Under key 1 (deterministic-key pinned to 1, the ring has 1 and 2).
      LiquibaseRun lb = f.liquibase().parameter(FieldcryptSettings.DETERMINISTIC_KEY, "1");
      assertThat(lb.update("c.xml")).containsPattern(summary(f, 20, "19 encrypted, 0 already encrypted, 1 null"));
      FieldEncryptor key1 = Fixture.encryptor(1, 2).withDeterministicKey(1);
      assertDeterministic(f, original, key1, ctx, 1);

      // The application's entity finds a migrated row by equality.
      Map<String, Object> settings = new HashMap<>(TestKeys.settings(1, 2));
      settings.put("fieldcrypt.deterministic-key", "1");
      settings.put("hibernate.hbm2ddl.auto", "none");
      // The entity's table is the fixture's (random) table: a naming strategy maps it.
      settings.put("hibernate.physical_naming_strategy", new PhysicalNamingStrategyStandardImpl() {
        @Override
        public Identifier toPhysicalTableName(Identifier name, JdbcEnvironment environment) {
          return name.getText().equals("lbt_det_customers") ? Identifier.toIdentifier(f.table) : name;
        }
      });
      String lookup = original.get(10L);
      try (SessionFactory sf = Hibernate.sessionFactory(f.db, f.url, settings, DetCustomer.class)) {
        Long found = sf.fromTransaction(s -> s.createSelectionQuery(
            "select e.id from DetCustomer e where e.email = :email", Long.class).setParameter("email", lookup).getSingleResult());
        assertThat(found).isEqualTo(10L);
        DetCustomer read = sf.fromTransaction(s -> s.find(DetCustomer.class, 3L));
        assertThat(read.email).isEqualTo(original.get(3L));
      }

      // Rotation: the deterministic key becomes 2; reencryptColumn (runAlways) moves every row to it.
      Map<String, String> changeSets = new LinkedHashMap<>();
      changeSets.put("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\" deterministic=\"true\" batchSize=\"7\"/>");
      changeSets.put("reenc", "<fieldcrypt:reencryptColumn tableName=\"TABLE\" columnName=\"email\" deterministic=\"true\" batchSize=\"7\"/>");
      f.xmlChangelog("c.xml", changeSets);
      LiquibaseRun rotated = f.liquibase().parameter(FieldcryptSettings.DETERMINISTIC_KEY, "2");
      assertThat(rotated.update("c.xml")).containsPattern(summary(f, 20, "19 re-encrypted, 0 already under the active key, 1 null"));
      assertDeterministic(f, original, Fixture.encryptor(1, 2), ctx, 2);

      // Rollback of both changesets: plaintext back, byte for byte.
      rotated.rollbackCount("c.xml", 2);
      assertThat(f.hash("email")).isEqualTo(before);
    }
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void reencrypt_deterministic_turns_randomized_values_into_deterministic_ones(TestDatabase db) throws Exception {
    try (Fixture f = new Fixture(TestDatabase.valueOf(db.name()), dir)) {
      f.createTextTable("email", 255);
      Map<Long, String> original = Samples.textRows(255, 12);
      f.insert("email", original);
      Map<String, String> changeSets = new LinkedHashMap<>();
      changeSets.put("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\"/>");
      changeSets.put("reenc", "<fieldcrypt:reencryptColumn tableName=\"TABLE\" columnName=\"email\" deterministic=\"true\"/>");
      f.xmlChangelog("c.xml", changeSets);
      LiquibaseRun lb = f.liquibase();
      assertThat(lb.update("c.xml")).containsPattern(summary(f, 12, "11 re-encrypted, 0 already under the active key, 1 null"));
      assertDeterministic(f, original, Fixture.encryptor(1, 2), f.context("email"), 2);
      // And a second reencryptColumn run finds nothing to move.
      changeSets.put("reenc-again", "<fieldcrypt:reencryptColumn tableName=\"TABLE\" columnName=\"email\" deterministic=\"true\"/>");
      f.xmlChangelog("c.xml", changeSets);
      assertThat(lb.update("c.xml")).containsPattern(summary(f, 12, "0 re-encrypted, 11 already under the active key, 1 null"));
      assertDeterministic(f, original, Fixture.encryptor(1, 2), f.context("email"), 2);
    }
  }

  /** Every non-null row is the alg 0x02 value of its plaintext under {@code keyId}: exactly what the converter writes. */
  private static void assertDeterministic(Fixture f, Map<Long, String> original, FieldEncryptor encryptor, EncryptionContext ctx,
      int keyId) throws Exception {
    Map<Long, Object> stored = f.read("email");
    assertThat(stored.keySet()).isEqualTo(original.keySet());
    for (Map.Entry<Long, String> row : original.entrySet()) {
      Object value = stored.get(row.getKey());
      if (row.getValue() == null) {
        assertThat(value).isNull();
        continue;
      }
      byte[] bytes = CiphertextFormat.fromText((String) value);
      assertThat(CiphertextFormat.algorithm(bytes)).as("row %s alg", row.getKey()).isEqualTo(CiphertextFormat.ALG_AES_256_GCM_SIV);
      assertThat(CiphertextFormat.keyId(bytes)).as("row %s key", row.getKey()).isEqualTo(keyId);
      assertThat(value).as("row %s", row.getKey()).isEqualTo(encryptor.encryptToTextDeterministic(row.getValue(), ctx));
      assertThat(encryptor.decryptText((String) value, ctx)).isEqualTo(row.getValue());
    }
  }
}
