package io.github.fieldcrypt.liquibase;

import static io.github.fieldcrypt.liquibase.ColumnChangesIT.summary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.DecryptionException;
import io.github.fieldcrypt.Encrypted;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.TenantFieldEncryptor;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.keys.KeyRing;
import io.github.fieldcrypt.keys.envelope.MasterKeys;
import io.github.fieldcrypt.keys.envelope.TenantKeyStore;
import io.github.fieldcrypt.liquibase.testing.Fixture;
import io.github.fieldcrypt.liquibase.testing.LiquibaseRun;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.annotations.TenantId;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tenant mode in the Liquibase changes: {@code encryptColumn tenantColumn="tenant_id"} encrypts each
 * row under its tenant's data key (created on the fly in {@code fieldcrypt_data_keys}, made by the
 * shipped changelog included in the same run), exactly as {@code @Encrypted} writes in tenant mode;
 * rerun writes nothing, rollback gives the plaintext back.
 */
class TenantColumnIT {
  @TempDir
  Path dir;

  @Entity(name = "TenantCustomer")
  @Table(name = "lbt_tenant_customers")
  static class TenantCustomer {
    @Id Long id;

    @TenantId
    @Column(name = "tenant_id", length = 64)
    String tenant;

    @Encrypted
    @Column(length = 255)
    String email;
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void encrypt_each_row_under_its_tenants_key_read_it_through_hibernate_and_roll_back(TestDatabase db) throws Exception {
    String keyTable = "fck_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Fixture f = new Fixture(TestDatabase.valueOf(db.name()), dir)) {
      try {
        f.execute("CREATE TABLE " + f.table + " (id BIGINT PRIMARY KEY, tenant_id VARCHAR(64), email VARCHAR(255))");
        Map<Long, String[]> rows = new LinkedHashMap<>();
        rows.put(1L, new String[] {"acme", "alice@acme.example"});
        rows.put(2L, new String[] {"acme", null});
        rows.put(3L, new String[] {"globex", "alice@acme.example"});
        rows.put(4L, new String[] {"globex", "Zoë ☃ \uD83C\uDF0D"});
        rows.put(5L, new String[] {"initech", ""});
        insert(f, rows);
        String before = f.hash("email");
        Map<String, String> changeSets = new LinkedHashMap<>();
        f.xmlChangelog("c.xml", changeSets);
        // The shipped data key table changelog, included by the user's changelog, then the change.
        String xml = java.nio.file.Files.readString(dir.resolve("c.xml")).replace("</databaseChangeLog>", """
              <include file="io/github/fieldcrypt/db/fieldcrypt-data-keys.changelog.xml"/>
              <changeSet id="enc" author="test">
                <fieldcrypt:encryptColumn tableName="TABLE" columnName="email" tenantColumn="tenant_id" batchSize="2"/>
              </changeSet>
            </databaseChangeLog>
            """.replace("TABLE", f.table));
        java.nio.file.Files.writeString(dir.resolve("c.xml"), xml);
        LiquibaseRun lb = f.liquibase().parameter(FieldcryptSettings.KEYS, TestKeys.keysSetting(1))
            .parameter(FieldcryptSettings.DATA_KEY_TABLE, keyTable);
        assertThat(lb.update("c.xml")).containsPattern(summary(f, 5, "4 encrypted, 0 already encrypted, 1 null"));

        // Each row decrypts under its tenant's key and context, and only there.
        try (TenantKeyStore store = TenantKeyStore.builder(f::connect, MasterKeys.of(KeyRing.builder().add(1, TestKeys.key(1)).build()))
            .table(keyTable).build()) {
          TenantFieldEncryptor tenants = new TenantFieldEncryptor(store, false);
          EncryptionContext column = f.context("email");
          Map<Long, Object> stored = f.read("email");
          for (Map.Entry<Long, String[]> row : rows.entrySet()) {
            if (row.getValue()[1] == null) {
              assertThat(stored.get(row.getKey())).isNull();
              continue;
            }
            assertThat(tenants.decryptText((String) stored.get(row.getKey()), column, row.getValue()[0], null))
                .as("row %s", row.getKey()).isEqualTo(row.getValue()[1]);
          }
          assertThat(stored.get(1L)).as("same e-mail, other tenant").isNotEqualTo(stored.get(3L));
          assertThatThrownBy(() -> tenants.decryptText((String) stored.get(1L), column, "globex", null))
              .isInstanceOf(DecryptionException.class);
          assertThat(store.keys("acme")).hasSize(1);
          assertThat(store.keys("globex")).hasSize(1);
        }

        // The application in tenant mode reads the migrated rows.
        Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
        settings.put("fieldcrypt.tenant-mode", "true");
        settings.put("fieldcrypt.data-key-table", keyTable);
        settings.put("hibernate.hbm2ddl.auto", "none");
        settings.put("hibernate.physical_naming_strategy", new PhysicalNamingStrategyStandardImpl() {
          @Override
          public Identifier toPhysicalTableName(Identifier name, JdbcEnvironment environment) {
            return name.getText().equals("lbt_tenant_customers") ? Identifier.toIdentifier(f.table) : name;
          }
        });
        try (SessionFactory sf = Hibernate.sessionFactory(f.db, f.url, settings, TenantCustomer.class)) {
          try (Session s = sf.withOptions().tenantIdentifier((Object) "globex").openSession()) {
            assertThat(s.find(TenantCustomer.class, 4L).email).isEqualTo("Zoë ☃ \uD83C\uDF0D");
          }
        }

        // Rerun: nothing to do.
        String encrypted = f.hash("email");
        lb.update("c.xml");
        assertThat(f.hash("email")).isEqualTo(encrypted);

        // Rotating acme's data key, then reencryptColumn: acme's rows move to its key 2, globex's stay.
        try (TenantKeyStore store = TenantKeyStore.builder(f::connect, MasterKeys.of(KeyRing.builder().add(1, TestKeys.key(1)).build()))
            .table(keyTable).build()) {
          assertThat(store.rotate("acme").id()).isEqualTo(2);
        }
        // (a second changelog file: rewriting c.xml in place was not picked up by the next update in this JVM)
        java.nio.file.Files.writeString(dir.resolve("c2.xml"), java.nio.file.Files.readString(dir.resolve("c.xml"))
            .replace("</databaseChangeLog>", "  <changeSet id=\"reenc\" author=\"test\">\n"
                + "    <fieldcrypt:reencryptColumn tableName=\"" + f.table + "\" columnName=\"email\" tenantColumn=\"tenant_id\"/>\n"
                + "  </changeSet>\n</databaseChangeLog>\n"));
        String reencrypted = lb.update("c2.xml");
        assertThat(reencrypted).containsPattern(summary(f, 5, "0 encrypted, 4 already encrypted, 1 null"))
            .containsPattern(summary(f, 5, "1 re-encrypted, 3 already under the active key, 1 null"));
        Map<Long, Object> moved = f.read("email");
        assertThat(CiphertextFormat.keyId(CiphertextFormat.fromText((String) moved.get(1L)))).isEqualTo(2);
        assertThat(CiphertextFormat.keyId(CiphertextFormat.fromText((String) moved.get(3L)))).isEqualTo(1);

        // Rollback of both: the plaintext, byte for byte.
        lb.rollbackCount("c2.xml", 2);
        assertThat(f.hash("email")).isEqualTo(before);
      } finally {
        try (Connection c = f.connect(); Statement st = c.createStatement()) {
          st.execute("DROP TABLE IF EXISTS " + keyTable);
        }
      }
    }
  }

  /**
   * Tenant mode with the master key inside a PKCS#11 token (SoftHSM2), configured as the README
   * says (no {@code fieldcrypt.pkcs11.wrapped-keys}, no {@code fieldcrypt.keys}), all of it as
   * changelog parameters: {@code encryptColumn} creates each tenant's data key wrapped in the token,
   * the values decrypt under a store started from the same settings, and rollback gives the
   * plaintext back.
   */
  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void pkcs11_master_key_in_tenant_mode(TestDatabase db) throws Exception {
    String keyTable = "fck_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Path token = io.github.fieldcrypt.testing.SoftHsm.token();
    String master = "fc-lb-master-" + UUID.randomUUID();
    try (io.github.fieldcrypt.keys.Pkcs11Token t = io.github.fieldcrypt.keys.Pkcs11Token.open(token,
        io.github.fieldcrypt.testing.SoftHsm.PIN.toCharArray())) {
      assertThat(t.createMasterKey(master)).isTrue();
    }
    Map<String, String> keySettings = Map.of("fieldcrypt.key-provider", "pkcs11", "fieldcrypt.pkcs11.config", token.toString(),
        "fieldcrypt.pkcs11.pin", io.github.fieldcrypt.testing.SoftHsm.PIN, "fieldcrypt.pkcs11.master-key", master,
        FieldcryptSettings.DATA_KEY_TABLE, keyTable);
    try (Fixture f = new Fixture(TestDatabase.valueOf(db.name()), dir)) {
      try {
        f.execute("CREATE TABLE " + f.table + " (id BIGINT PRIMARY KEY, tenant_id VARCHAR(64), email VARCHAR(255))");
        Map<Long, String[]> rows = new LinkedHashMap<>();
        rows.put(1L, new String[] {"acme", "alice@acme.example"});
        rows.put(2L, new String[] {"globex", "bob@globex.example"});
        rows.put(3L, new String[] {"globex", null});
        insert(f, rows);
        String before = f.hash("email");
        f.xmlChangelog("p.xml", new LinkedHashMap<>());
        String xml = java.nio.file.Files.readString(dir.resolve("p.xml")).replace("</databaseChangeLog>", """
              <include file="io/github/fieldcrypt/db/fieldcrypt-data-keys.changelog.xml"/>
              <changeSet id="enc" author="test">
                <fieldcrypt:encryptColumn tableName="TABLE" columnName="email" tenantColumn="tenant_id"/>
              </changeSet>
            </databaseChangeLog>
            """.replace("TABLE", f.table));
        java.nio.file.Files.writeString(dir.resolve("p.xml"), xml);
        // Only the token's settings: not the fieldcrypt.keys that f.liquibase() passes.
        LiquibaseRun lb = new LiquibaseRun(f.url, f.db.user(), f.db.password(), dir, f.changelogTable());
        keySettings.forEach(lb::parameter);
        assertThat(lb.update("p.xml")).containsPattern(summary(f, 3, "2 encrypted, 0 already encrypted, 1 null"));

        Map<String, Object> settings = new HashMap<>(keySettings);
        settings.put(FieldcryptSettings.TENANT_MODE, "true");
        try (TenantKeyStore store = TenantKeyStore.fromSettings(FieldcryptSettings.from(settings, k -> null, k -> null),
            f::connect)) {
          TenantFieldEncryptor tenants = new TenantFieldEncryptor(store, false);
          Map<Long, Object> stored = f.read("email");
          for (long id : new long[] {1L, 2L}) {
            String value = (String) stored.get(id);
            assertThat(CiphertextFormat.keyId(CiphertextFormat.fromText(value))).isEqualTo(1);
            assertThat(tenants.decryptText(value, f.context("email"), rows.get(id)[0], null)).isEqualTo(rows.get(id)[1]);
          }
          assertThat(stored.get(3L)).isNull();
        }

        lb.rollbackCount("p.xml", 1);
        assertThat(f.hash("email")).isEqualTo(before);
      } finally {
        try (Connection c = f.connect(); Statement st = c.createStatement()) {
          st.execute("DROP TABLE IF EXISTS " + keyTable);
        }
      }
    }
  }

  /** Inserts rows of (id, {tenant_id, email}) into the fixture's table. */
  private static void insert(Fixture f, Map<Long, String[]> rows) throws java.sql.SQLException {
    try (Connection c = f.connect();
        PreparedStatement ps = c.prepareStatement("INSERT INTO " + f.table + " (id, tenant_id, email) VALUES (?, ?, ?)")) {
      for (Map.Entry<Long, String[]> row : rows.entrySet()) {
        ps.setLong(1, row.getKey());
        ps.setString(2, row.getValue()[0]);
        ps.setString(3, row.getValue()[1]);
        ps.executeUpdate();
      }
    }
  }
}
