package io.github.fieldcrypt.liquibase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.liquibase.testing.Fixture;
import io.github.fieldcrypt.liquibase.testing.LiquibaseRun;
import io.github.fieldcrypt.liquibase.testing.Samples;
import io.github.fieldcrypt.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three changes run by Liquibase ({@code CommandScope}: update, rollbackCount) on every
 * database: what they write, that a second run writes nothing, that rollback gives back every
 * byte, and that problems stop them before any write.
 */
class ColumnChangesIT {
  private static final String ENCRYPT = "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\" batchSize=\"7\"/>";

  @TempDir
  Path tmp;

  private Fixture fixture(TestDatabase db) throws Exception {
    Path dir = Files.createTempDirectory(tmp, db.name());
    return new Fixture(db, dir);
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void update_then_rerun_writes_nothing_and_rollback_restores_every_byte(TestDatabase db) throws Exception {
    try (Fixture f = fixture(db)) {
      f.createTextTable("email", 255);
      Map<Long, String> original = Samples.textRows(255, 40);
      f.insert("email", original);
      String before = f.hash("email");
      f.xmlChangelog("v1.xml", Map.of("enc-1", ENCRYPT));
      f.xmlChangelog("v2.xml", new java.util.TreeMap<>(Map.of("enc-1", ENCRYPT, "enc-2", ENCRYPT)));
      LiquibaseRun lb = f.liquibase();

      String first = lb.update("v1.xml");
      assertThat(first).containsPattern(summary(f, 40, "39 encrypted, 0 already encrypted, 1 null, 0 retried"));
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));
      assertNoSecretIn(first, original.values(), f.read("email").values());

      String second = lb.update("v2.xml");
      assertThat(second).containsPattern(summary(f, 40, "0 encrypted, 39 already encrypted, 1 null"));
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));

      Map<Long, Object> encrypted = f.read("email");
      String rollback = lb.rollbackCount("v2.xml", 2);
      assertNoSecretIn(second + rollback, original.values(), encrypted.values());
      assertThat(f.hash("email")).isEqualTo(before);
      assertThat(f.read("email")).isEqualTo(original);
    }
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void too_narrow_column_fails_before_any_write_and_names_the_width_needed(TestDatabase db) throws Exception {
    try (Fixture f = fixture(db)) {
      f.createTextTable("email", 80);
      Map<Long, String> rows = new java.util.LinkedHashMap<>();
      for (long id = 1; id <= 30; id++) {
        rows.put(id, "a@b.c" + id);
      }
      rows.put(31L, "a-rather-long-address-that-is-too-long@example.com"); // 50 bytes, last row
      f.insert("email", rows);
      String before = f.hash("email");
      f.xmlChangelog("c.xml", Map.of("enc", ENCRYPT));

      assertThatThrownBy(() -> f.liquibase().update("c.xml"))
          .hasStackTraceContaining("holds at most 26 plaintext bytes; widen to")
          .hasStackTraceContaining("(" + ColumnSizing.textColumnLengthForBytes(50) + ")")
          .hasStackTraceContaining("Nothing was written")
          .satisfies(e -> assertThat(fullText(e)).containsIgnoringCase("row (id=31)").doesNotContain("a-rather-long-address"));
      assertThat(f.hash("email")).isEqualTo(before);
    }
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void column_sized_exactly_by_column_sizing_takes_a_half_encrypted_table(TestDatabase db) throws Exception {
    try (Fixture f = fixture(db)) {
      int width = (int) ColumnSizing.textColumnLengthForBytes(40);
      f.createTextTable("email", width);
      Map<Long, String> original = new java.util.LinkedHashMap<>();
      Map<Long, String> stored = new java.util.LinkedHashMap<>();
      FieldEncryptor encryptor = Fixture.encryptor(1, 2);
      for (long id = 1; id <= 20; id++) {
        String value = String.format("%040d", id); // 40 bytes: the widest the column takes
        original.put(id, value);
        // a crashed earlier run: the first half is already encrypted, exactly as wide as the column
        stored.put(id, id <= 10 ? encryptor.encryptToText(value, f.context("email")) : value);
      }
      f.insert("email", stored);
      f.xmlChangelog("c.xml", Map.of("enc", ENCRYPT));
      assertThat(f.liquibase().update("c.xml")).containsPattern(summary(f, 20, "10 encrypted, 10 already encrypted, 0 null"));
      assertEncrypted(f, original, encryptor, f.context("email"));
    }
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void undecryptable_value_fails_before_any_write_naming_row_and_key(TestDatabase db) throws Exception {
    try (Fixture f = fixture(db)) {
      f.createTextTable("email", 255);
      Map<Long, String> rows = new java.util.LinkedHashMap<>(Samples.textRows(255, 30));
      // Last row: a v1 value of key 2 written for another column: parses, does not authenticate here.
      String foreign = Fixture.encryptor(1, 2).encryptToText("secret-of-another-column", EncryptionContext.forColumn("other", "col"));
      rows.put(31L, foreign);
      f.insert("email", rows);
      String before = f.hash("email");
      f.xmlChangelog("c.xml", Map.of("enc", ENCRYPT));

      assertThatThrownBy(() -> f.liquibase().update("c.xml"))
          .hasStackTraceContaining("key id 2")
          .hasStackTraceContaining("does not authenticate")
          .hasStackTraceContaining("Nothing was written")
          .satisfies(e -> assertThat(fullText(e)).containsIgnoringCase("row (id=31)").doesNotContain(foreign)
              .doesNotContain("secret-of-another-column"));
      assertThat(f.hash("email")).isEqualTo(before);

      // a key id the ring does not have is named too
      f.execute("UPDATE " + f.table + " SET email = '" + Fixture.encryptor(7).encryptToText("x", f.context("email"))
          + "' WHERE id = 31");
      String before2 = f.hash("email");
      assertThatThrownBy(() -> f.liquibase().update("c.xml"))
          .hasStackTraceContaining("key id 7, which is not in the key ring [1, 2]")
          .satisfies(e -> assertThat(fullText(e)).containsIgnoringCase("row (id=31)"));
      assertThat(f.hash("email")).isEqualTo(before2);
    }
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void reencrypt_moves_every_value_to_the_active_key_and_its_rollback_changes_nothing(TestDatabase db) throws Exception {
    try (Fixture f = fixture(db)) {
      f.createTextTable("email", 255);
      Map<Long, String> original = Samples.textRows(255, 25);
      FieldEncryptor oldKey = Fixture.encryptor(1);
      Map<Long, String> encrypted = new java.util.LinkedHashMap<>();
      original.forEach((id, v) -> encrypted.put(id, v == null ? null
          : (id % 2 == 0 ? oldKey : Fixture.encryptor(1, 2)).encryptToText(v, f.context("email"))));
      f.insert("email", encrypted);
      f.xmlChangelog("r.xml", Map.of("rekey", "<fieldcrypt:reencryptColumn tableName=\"TABLE\" columnName=\"email\" batchSize=\"4\"/>"));
      LiquibaseRun lb = f.liquibase();

      String out = lb.update("r.xml");
      long oldOnes = original.entrySet().stream().filter(e -> e.getValue() != null && e.getKey() % 2 == 0).count();
      assertThat(out).containsPattern(summary(f, 25, oldOnes + " re-encrypted, " + (24 - oldOnes) + " already under the active key, 1 null"));
      for (Map.Entry<Long, Object> row : f.read("email").entrySet()) {
        if (row.getValue() != null) {
          byte[] bytes = CiphertextFormat.fromText((String) row.getValue());
          assertThat(CiphertextFormat.keyId(bytes)).as("key of row %s", row.getKey()).isEqualTo(2);
        }
      }
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));
      String after = f.hash("email");
      lb.rollbackCount("r.xml", 1);
      assertThat(f.hash("email")).isEqualTo(after);
    }
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void composite_primary_key_and_context_override(TestDatabase db) throws Exception {
    try (Fixture f = fixture(db)) {
      f.execute("CREATE TABLE " + f.table + " (tenant VARCHAR(20) NOT NULL, n INT NOT NULL, secret VARCHAR(200),"
          + " PRIMARY KEY (tenant, n))");
      Map<String, String> original = new java.util.TreeMap<>();
      try (var c = f.connect(); var ps = c.prepareStatement("INSERT INTO " + f.table + " VALUES (?, ?, ?)")) {
        for (String tenant : new String[] {"acme", "globex", "initech"}) {
          for (int n = 1; n <= 9; n++) {
            String v = n == 5 ? null : tenant + "-token-" + n;
            ps.setString(1, tenant);
            ps.setInt(2, n);
            ps.setString(3, v);
            ps.executeUpdate();
            original.put(tenant + "/" + n, v);
          }
        }
      }
      f.xmlChangelog("k.xml", Map.of("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"secret\""
          + " batchSize=\"4\" context=\"Vault.Secret\"/>"));
      String out = f.liquibase().update("k.xml");
      assertThat(out).containsPattern(summary(f, 27, "24 encrypted, 0 already encrypted, 3 null"));
      FieldEncryptor enc = Fixture.encryptor(1, 2);
      try (var c = f.connect(); var rs = c.createStatement().executeQuery("SELECT tenant, n, secret FROM " + f.table)) {
        int seen = 0;
        while (rs.next()) {
          String stored = rs.getString(3);
          String expected = original.get(rs.getString(1) + "/" + rs.getInt(2));
          assertThat(stored == null ? null : enc.decryptText(stored, EncryptionContext.of("vault.secret"))).isEqualTo(expected);
          seen++;
        }
        assertThat(seen).isEqualTo(27);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void binary_column_round_trips(TestDatabase db) throws Exception {
    try (Fixture f = fixture(db)) {
      String type = db == TestDatabase.POSTGRESQL ? "BYTEA" : "VARBINARY(200)";
      f.execute("CREATE TABLE " + f.table + " (id BIGINT PRIMARY KEY, blob_col " + type + ")");
      Map<Long, byte[]> rows = new java.util.LinkedHashMap<>();
      rows.put(1L, null);
      rows.put(2L, new byte[0]);
      for (long id = 3; id <= 20; id++) {
        byte[] b = new byte[(int) id * 5];
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) (i * 31 + id);
        }
        rows.put(id, b);
      }
      f.insert("blob_col", rows);
      String before = f.hash("blob_col");
      f.xmlChangelog("b.xml", Map.of("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"blob_col\" batchSize=\"6\"/>"));
      LiquibaseRun lb = f.liquibase();
      assertThat(lb.update("b.xml")).containsPattern(summary(f, 20, "19 encrypted, 0 already encrypted, 1 null"));
      FieldEncryptor enc = Fixture.encryptor(1, 2);
      for (Map.Entry<Long, Object> row : f.read("blob_col").entrySet()) {
        byte[] expected = rows.get(row.getKey());
        if (expected == null) {
          assertThat(row.getValue()).isNull();
        } else {
          assertThat(enc.decrypt((byte[]) row.getValue(), f.context("blob_col"))).isEqualTo(expected);
        }
      }
      lb.rollbackCount("b.xml", 1);
      assertThat(f.hash("blob_col")).isEqualTo(before);
    }
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void a_page_the_database_rejects_stops_the_change_after_the_pages_before_it_and_a_rerun_finishes(TestDatabase db)
      throws Exception {
    try (Fixture f = fixture(db)) {
      f.createTextTable("email", 255);
      Map<Long, String> original = Samples.textRows(255, 40);
      f.insert("email", original);
      // the database refuses the ciphertext for row 30 only: the fifth page of 7 rows fails, the
      // four before it are committed (on PostgreSQL all six pages share one round trip)
      f.execute("ALTER TABLE " + f.table + " ADD CONSTRAINT " + f.table + "_ck CHECK (id <> 30 OR email NOT LIKE '!_A%' ESCAPE '!')");
      f.xmlChangelog("c.xml", Map.of("enc", ENCRYPT));
      LiquibaseRun lb = f.liquibase();

      assertThatThrownBy(() -> lb.update("c.xml"))
          .hasStackTraceContaining("failed while writing a page")
          .hasStackTraceContaining("Committed pages stay done")
          .satisfies(e -> assertNoSecretIn(fullText(e), original.values(), f.read("email").values()));
      Map<Long, Object> stored = f.read("email");
      for (Map.Entry<Long, String> row : original.entrySet()) {
        if (row.getValue() != null) {
          boolean encrypted = !row.getValue().equals(stored.get(row.getKey()));
          assertThat(encrypted).as("row %s written", row.getKey()).isEqualTo(row.getKey() <= 28);
        }
      }

      // the connection was left usable (Liquibase released its lock); without the constraint the rerun completes
      f.execute("ALTER TABLE " + f.table + " DROP CONSTRAINT " + f.table + "_ck");
      assertThat(lb.update("c.xml")).containsPattern(summary(f, 40, "12 encrypted, 27 already encrypted, 1 null, 0 retried"));
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));
    }
  }

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void table_without_primary_key_fails_with_a_clear_message(TestDatabase db) throws Exception {
    try (Fixture f = fixture(db)) {
      f.execute("CREATE TABLE " + f.table + " (id BIGINT, email VARCHAR(255))",
          "INSERT INTO " + f.table + " VALUES (1, 'a@example.com')");
      f.xmlChangelog("c.xml", Map.of("enc", ENCRYPT));
      assertThatThrownBy(() -> f.liquibase().update("c.xml"))
          .hasStackTraceContaining("has no primary key");
      assertThat(f.read("email")).containsEntry(1L, "a@example.com");
    }
  }

  static Pattern summary(Fixture f, long rows, String rest) {
    return Pattern.compile("(?i)" + Pattern.quote(f.table + ".") + "\\w+: " + rows + " rows — " + Pattern.quote(rest));
  }

  static void assertEncrypted(Fixture f, Map<Long, String> original, FieldEncryptor encryptor, EncryptionContext ctx)
      throws Exception {
    Map<Long, Object> stored = f.read(ctx.value().substring(ctx.value().indexOf('.') + 1));
    assertThat(stored.keySet()).isEqualTo(original.keySet());
    for (Map.Entry<Long, String> row : original.entrySet()) {
      Object value = stored.get(row.getKey());
      if (row.getValue() == null) {
        assertThat(value).as("row %s", row.getKey()).isNull();
      } else {
        String text = (String) value;
        assertThat(CiphertextFormat.hasV1Shape(CiphertextFormat.fromText(text))).as("row %s is v1", row.getKey()).isTrue();
        // decrypting once gives the original: not left plaintext, not encrypted twice
        assertThat(encryptor.decryptText(text, ctx)).as("row %s", row.getKey()).isEqualTo(row.getValue());
      }
    }
  }

  /** Liquibase's whole output names no plaintext (of 5+ characters), no ciphertext and no key. */
  static void assertNoSecretIn(String output, java.util.Collection<String> plaintexts, java.util.Collection<Object> stored) {
    for (String p : plaintexts) {
      if (p != null && p.trim().length() >= 5) {
        assertThat(output).doesNotContain(p.trim());
      }
    }
    for (Object c : stored) {
      if (c instanceof String s && s.length() > 20) {
        assertThat(output).doesNotContain(s.substring(0, 20));
      }
    }
    for (int id : new int[] {1, 2}) {
      assertThat(output).doesNotContain(io.github.fieldcrypt.testing.TestKeys.base64(id))
          .doesNotContain(java.util.HexFormat.of().formatHex(io.github.fieldcrypt.testing.TestKeys.key(id)));
    }
  }

  static String fullText(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t).append('\n');
    }
    return sb.toString();
  }
}
