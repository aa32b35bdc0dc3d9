package io.github.fieldcrypt.keys.envelope;

import io.github.fieldcrypt.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import liquibase.Scope;
import liquibase.changelog.ChangeLogParameters;
import liquibase.command.CommandScope;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.CompositeResourceAccessor;
import liquibase.resource.DirectoryResourceAccessor;

/**
 * A data key table for one test, made the way a user makes it: a changelog of theirs that
 * includes the shipped {@value TenantKeyStore#CHANGELOG}, run by Liquibase's {@link CommandScope}.
 * The table and Liquibase's own tables get unique names (the PostgreSQL and MariaDB servers are
 * shared with other builds) and are dropped on {@link #close()}.
 */
final class KeyTable implements AutoCloseable {
  final TestDatabase db;
  final String url;
  final String name;
  private final String changelogTable;

  private KeyTable(TestDatabase db, String url, String name) {
    this.db = db;
    this.url = url;
    this.name = name;
    this.changelogTable = "fcl_" + name.substring(4);
  }

  /** Creates a fresh table through the shipped changelog. */
  static KeyTable create(TestDatabase db) throws Exception {
    return create(db, db.url());
  }

  /** Creates a fresh table at this URL (an H2 URL names one in-memory database). */
  static KeyTable create(TestDatabase db, String url) throws Exception {
    KeyTable table = new KeyTable(db, url, "fck_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    try {
      table.liquibaseUpdate();
    } catch (Exception | Error e) {
      table.close();
      throw e;
    }
    return table;
  }

  /** {@code liquibase update} of a user changelog that includes ours, with the table name as a changelog parameter. */
  void liquibaseUpdate() throws Exception {
    Path dir = Files.createTempDirectory("fieldcrypt-changelog");
    try {
      Files.writeString(dir.resolve("db.changelog-master.xml"), """
          <?xml version="1.0" encoding="UTF-8"?>
          <databaseChangeLog
              xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
              xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
              xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
                  http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd">
            <include file="io/github/fieldcrypt/db/fieldcrypt-data-keys.changelog.xml"/>
          </databaseChangeLog>
          """, StandardCharsets.UTF_8);
      Map<String, Object> scope = new HashMap<>();
      scope.put(Scope.Attr.resourceAccessor.name(), new CompositeResourceAccessor(
          new DirectoryResourceAccessor(dir), new ClassLoaderResourceAccessor()));
      scope.put("liquibase.databaseChangeLogTableName", changelogTable);
      scope.put("liquibase.databaseChangeLogLockTableName", changelogTable + "_lock");
      scope.put("liquibase.analytics.enabled", false);
      scope.put("liquibase.showBanner", false);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Scope.child(scope, () -> {
        ChangeLogParameters parameters = new ChangeLogParameters();
        parameters.set("fieldcrypt.data-key-table", name);
        new CommandScope("update")
            .addArgumentValue("url", url)
            .addArgumentValue("username", db.user())
            .addArgumentValue("password", db.password())
            .addArgumentValue("changelogFile", "db.changelog-master.xml")
            .addArgumentValue("changelogParameters", parameters)
            .setOutput(out)
            .execute();
      });
    } finally {
      try (var files = Files.list(dir)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(file);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  Connection connect() throws SQLException {
    return db.connect(url);
  }

  ConnectionSource connections() {
    return this::connect;
  }

  /** A store builder on this table, with these master keys. */
  TenantKeyStore.Builder store(MasterKeys masterKeys) {
    return TenantKeyStore.builder(connections(), masterKeys).table(name);
  }

  /** Runs one statement with parameters ({@code $T} stands for the table); returns the update count. */
  int execute(String sql, Object... parameters) throws SQLException {
    try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql.replace("$T", name))) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setObject(i + 1, parameters[i]);
      }
      return ps.executeUpdate();
    }
  }

  long count(String where, Object... parameters) throws SQLException {
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + name + (where.isEmpty() ? "" : " WHERE " + where))) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setObject(i + 1, parameters[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** SHA-256 over every column of every row, in key order: "is every byte the same". Prints nothing of the rows. */
  String digest() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT tenant_id, key_id, state, active_slot, master_key_id, wrapped_key, fingerprint, created_at FROM "
            + name + " ORDER BY tenant_id, key_id")) {
      while (rs.next()) {
        for (int i = 1; i <= 8; i++) {
          Object value = i == 6 ? rs.getBytes(i) : rs.getString(i);
          byte[] bytes = value == null ? new byte[] {0} : value instanceof byte[] b ? b : ((String) value).getBytes(StandardCharsets.UTF_8);
          sha.update((bytes.length + ":").getBytes(StandardCharsets.UTF_8));
          sha.update(bytes);
        }
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      for (String table : List.of(name, changelogTable, changelogTable + "_lock")) {
        for (String variant : List.of(table, table.toUpperCase(Locale.ROOT))) {
          try {
            st.execute("DROP TABLE IF EXISTS " + variant);
          } catch (SQLException ignored) {
            // not created by this test
          }
        }
      }
    }
  }
}
