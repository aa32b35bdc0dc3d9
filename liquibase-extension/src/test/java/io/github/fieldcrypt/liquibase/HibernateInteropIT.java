package io.github.fieldcrypt.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.liquibase.testing.LiquibaseRun;
import io.github.fieldcrypt.liquibase.testing.Samples;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Values written by {@code @Encrypted} and by the Liquibase changes are interchangeable: the
 * entity reads migrated rows, {@code encryptColumn} skips rows Hibernate wrote, and
 * {@code decryptColumn} decrypts them.
 */
class HibernateInteropIT {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void entities_read_migrated_rows_and_changes_accept_hibernate_rows(TestDatabase db) throws Exception {
    String url = db.url();
    Path dir = Files.createTempDirectory(tmp, db.name());
    String changelogTable = "dcl_hib_" + Long.toHexString(System.nanoTime());
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1, 2), Customer.class)) {
      Map<Long, String> expected = new TreeMap<>();
      // legacy rows, written before encryption existed
      Map<Long, String> legacy = Samples.textRows(255, 20);
      try (Connection c = db.connect(url); PreparedStatement ps = c.prepareStatement("INSERT INTO lbt_customers (id, email) VALUES (?, ?)")) {
        for (Map.Entry<Long, String> row : legacy.entrySet()) {
          ps.setLong(1, row.getKey());
          ps.setString(2, row.getValue());
          ps.executeUpdate();
        }
      }
      expected.putAll(legacy);
      // rows written by the application with @Encrypted
      sf.inTransaction(s -> {
        for (long id = 21; id <= 30; id++) {
          s.persist(new Customer(id, "hibernate-" + id + "@example.com"));
          expected.put(id, "hibernate-" + id + "@example.com");
        }
      });

      Files.writeString(dir.resolve("c.xml"), """
          <?xml version="1.0" encoding="UTF-8"?>
          <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
              xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
              xmlns:fieldcrypt="http://fieldcrypt.github.io/xml/ns/liquibase"
              xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd
                  http://fieldcrypt.github.io/xml/ns/liquibase http://fieldcrypt.github.io/xml/ns/liquibase/fieldcrypt-liquibase-1.0.xsd">
            <changeSet id="encrypt" author="test">
              <fieldcrypt:encryptColumn tableName="lbt_customers" columnName="email" batchSize="8"/>
            </changeSet>
            <changeSet id="decrypt" author="test">
              <fieldcrypt:decryptColumn tableName="lbt_customers" columnName="email" batchSize="8"/>
            </changeSet>
          </databaseChangeLog>
          """);
      LiquibaseRun lb = new LiquibaseRun(url, db.user(), db.password(), dir, changelogTable)
          .parameter("fieldcrypt.keys", TestKeys.keysSetting(1, 2));
      try {
        // encrypt only: a changelog with the first changeset
        Files.writeString(dir.resolve("enc.xml"), Files.readString(dir.resolve("c.xml"))
            .replaceAll("(?s)<changeSet id=\"decrypt\".*?</changeSet>", ""));
        String out = lb.update("enc.xml");
        assertThat(out).containsPattern("(?i)lbt_customers\\.email: 30 rows — 19 encrypted, 10 already encrypted, 1 null");

        Map<Long, String> read = new HashMap<>();
        sf.inTransaction(s -> s.createQuery("from Customer", Customer.class).getResultList()
            .forEach(customer -> read.put(customer.getId(), customer.getEmail())));
        assertThat(new TreeMap<>(read)).isEqualTo(expected);

        lb.update("c.xml"); // runs decryptColumn
        Map<Long, String> raw = new TreeMap<>();
        try (Connection c = db.connect(url); ResultSet rs = c.createStatement().executeQuery("SELECT id, email FROM lbt_customers")) {
          while (rs.next()) {
            raw.put(rs.getLong(1), rs.getString(2));
          }
        }
        assertThat(raw).isEqualTo(expected);
        for (String v : raw.values()) {
          assertThat(v == null || !CiphertextFormat.hasV1Shape(CiphertextFormat.fromText(v))).isTrue();
        }
      } finally {
        try (Connection c = db.connect(url)) {
          for (String t : List.of(changelogTable, changelogTable + "_LOCK")) {
            c.createStatement().execute("DROP TABLE IF EXISTS " + t);
          }
        }
      }
    }
  }
}
