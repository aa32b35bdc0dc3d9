package io.github.fieldcrypt.liquibase.testing;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * One test's database objects: a table with a unique name (the PostgreSQL and MariaDB servers
 * are shared), its own Liquibase changelog tables, changelogs written to a temporary
 * directory, and the helpers to fill, hash and check the table.
 */
public final class Fixture implements AutoCloseable {
  public final TestDatabase db;
  public final String url;
  public final String table;
  public final Path dir;
  private final List<String> dropOnClose = new ArrayList<>();

  public Fixture(TestDatabase db, Path dir) {
    this(db, db.url(), dir);
  }

  public Fixture(TestDatabase db, String url, Path dir) {
    this.db = db;
    this.url = url;
    this.dir = dir;
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    this.table = "lbt_" + suffix;
    dropOnClose.add(table);
    dropOnClose.add(changelogTable());
    dropOnClose.add(changelogTable() + "_LOCK");
  }

  public String changelogTable() {
    return "dcl_" + table.substring(4);
  }

  public Connection connect() throws SQLException {
    return db.connect(url);
  }

  /** A Liquibase runner on this database with keys 1 and 2 as changelog parameters. */
  public LiquibaseRun liquibase() {
    return new LiquibaseRun(url, db.user(), db.password(), dir, changelogTable())
        .parameter(FieldcryptSettings.KEYS, TestKeys.keysSetting(1, 2));
  }

  /** The encryptor Liquibase uses with {@link #liquibase()}'s keys. */
  public static FieldEncryptor encryptor(int... ids) {
    return FieldEncryptor.fromSettings(FieldcryptSettings.from(Map.of(FieldcryptSettings.KEYS, TestKeys.keysSetting(ids))));
  }

  public EncryptionContext context(String column) {
    return EncryptionContext.forColumn(table, column);
  }

  public void execute(String... sql) throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  /** {@code CREATE TABLE <table> (id BIGINT PRIMARY KEY, <column> VARCHAR(width))}. */
  public void createTextTable(String column, int width) throws SQLException {
    execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, " + column + " VARCHAR(" + width + "))");
  }

  /** Inserts id → value (null allowed) in JDBC batches. */
  public void insert(String column, Map<Long, ?> rows) throws SQLException {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, " + column + ") VALUES (?, ?)")) {
        int n = 0;
        for (Map.Entry<Long, ?> row : rows.entrySet()) {
          ps.setLong(1, row.getKey());
          ps.setObject(2, row.getValue());
          ps.addBatch();
          if (++n % 1000 == 0) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      c.commit();
    }
  }

  /** The values of a column by id, as stored. */
  public Map<Long, Object> read(String column) throws SQLException {
    Map<Long, Object> result = new LinkedHashMap<>();
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, " + column + " FROM " + table + " ORDER BY id")) {
      while (rs.next()) {
        result.put(rs.getLong(1), rs.getObject(2) instanceof byte[] b ? b : rs.getString(2));
      }
    }
    return result;
  }

  /** SHA-256 over every (id, value) of the column, NULL distinct from empty: "is every byte the same". */
  public String hash(String column) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (Map.Entry<Long, Object> row : read(column).entrySet()) {
      sha.update((row.getKey() + "|").getBytes(StandardCharsets.UTF_8));
      Object v = row.getValue();
      if (v == null) {
        sha.update((byte) 0);
      } else {
        byte[] bytes = v instanceof byte[] b ? b : ((String) v).getBytes(StandardCharsets.UTF_8);
        sha.update((byte) 1);
        sha.update((bytes.length + ":").getBytes(StandardCharsets.UTF_8));
        sha.update(bytes);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Writes a changelog file into this fixture's directory; {@code TABLE} in the text becomes the table name. */
  public String changelog(String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text.replace("TABLE", table), StandardCharsets.UTF_8);
    return name;
  }

  /** An XML changelog whose changesets (given as id → change element) use the fieldcrypt namespace. */
  public String xmlChangelog(String name, Map<String, String> changeSets) throws IOException {
    StringBuilder sb = new StringBuilder("""
        <?xml version="1.0" encoding="UTF-8"?>
        <databaseChangeLog
            xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
            xmlns:fieldcrypt="http://fieldcrypt.github.io/xml/ns/liquibase"
            xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
                http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd
                http://fieldcrypt.github.io/xml/ns/liquibase
                http://fieldcrypt.github.io/xml/ns/liquibase/fieldcrypt-liquibase-1.0.xsd">
        """);
    changeSets.forEach((id, change) -> sb.append("  <changeSet id=\"").append(id).append("\" author=\"test\">\n    ")
        .append(change).append("\n  </changeSet>\n"));
    sb.append("</databaseChangeLog>\n");
    return changelog(name, sb.toString());
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      for (String t : dropOnClose) {
        for (String name : List.of(t, t.toUpperCase(Locale.ROOT))) {
          try {
            st.execute("DROP TABLE IF EXISTS " + name);
          } catch (SQLException ignored) {
            // not created by this test
          }
        }
      }
    }
  }
}
