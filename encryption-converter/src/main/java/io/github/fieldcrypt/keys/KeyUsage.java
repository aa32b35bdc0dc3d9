package io.github.fieldcrypt.keys;

import io.github.fieldcrypt.crypto.CiphertextFormat;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * How many rows of a column are under each key id, read from the values' headers without
 * decrypting anything: tells an operator when an old key can be retired (no row left under it)
 * and how many rows are still plaintext.
 */
public final class KeyUsage {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

  private KeyUsage() {}

  /** The counts for one column. */
  public record Report(String table, String column, long rows, long nulls, long notEncrypted, SortedMap<Integer, Long> rowsByKeyId) {
    public Report {
      rowsByKeyId = Collections.unmodifiableSortedMap(new TreeMap<>(rowsByKeyId));
    }

    /** Whether no row of the column is under this key id. */
    public boolean unused(int keyId) {
      return !rowsByKeyId.containsKey(keyId);
    }

    /** One line: "users.email: 1000 rows — key 1: 10, key 2: 980, 5 not encrypted, 5 null". */
    @Override
    public String toString() {
      StringBuilder line = new StringBuilder(table + "." + column + ": " + rows + " rows");
      String separator = " — ";
      for (Map.Entry<Integer, Long> entry : rowsByKeyId.entrySet()) {
        line.append(separator).append("key ").append(entry.getKey()).append(": ").append(entry.getValue());
        separator = ", ";
      }
      return line.append(separator).append(notEncrypted).append(" not encrypted, ").append(nulls).append(" null").toString();
    }
  }

  /**
   * Refuses to retire a key that rows still use: scans each {@code "table.column"} (headers only)
   * and returns the reports when no row of any of them is under {@code keyId}.
   *
   * @throws io.github.fieldcrypt.KeyInUseException naming the columns and how many rows use the key
   */
  public static java.util.List<Report> requireUnused(Connection connection, int keyId, java.util.List<String> columns)
      throws SQLException {
    java.util.List<Report> reports = new java.util.ArrayList<>();
    StringBuilder users = new StringBuilder();
    long total = 0;
    for (String qualified : columns) {
      int dot = qualified.lastIndexOf('.');
      if (dot <= 0) {
        throw new IllegalArgumentException("Expected table.column, got " + qualified);
      }
      Report report = of(connection, qualified.substring(0, dot), qualified.substring(dot + 1));
      reports.add(report);
      long rows = report.rowsByKeyId().getOrDefault(keyId, 0L);
      if (rows > 0) {
        users.append(users.length() == 0 ? "" : ", ").append(qualified).append(": ").append(rows);
        total += rows;
      }
    }
    if (total > 0) {
      throw new io.github.fieldcrypt.KeyInUseException("Key id " + keyId + " cannot be retired: " + total
          + " row(s) still use it (" + users + "); run reencryptColumn on those columns first", keyId);
    }
    return reports;
  }

  /**
   * Scans the column once (streaming: memory does not grow with the table).
   *
   * @param table a table name, optionally {@code schema.table}, as plain identifiers
   * @param column a column name
   * @throws IllegalArgumentException when a name is not a plain identifier
   */
  public static Report of(Connection connection, String table, String column) throws SQLException {
    requireIdentifier(table, "table");
    requireIdentifier(column, "column");
    long rows = 0;
    long nulls = 0;
    long notEncrypted = 0;
    TreeMap<Integer, Long> byKey = new TreeMap<>();
    try (Statement statement = connection.createStatement()) {
      statement.setFetchSize(1000);
      try (ResultSet rs = statement.executeQuery("select " + column + " from " + table)) {
        while (rs.next()) {
          rows++;
          Object value = rs.getObject(1);
          if (value == null) {
            nulls++;
            continue;
          }
          byte[] bytes = value instanceof byte[] b ? b : CiphertextFormat.fromText(rs.getString(1));
          if (CiphertextFormat.hasV1Shape(bytes)) {
            byKey.merge(CiphertextFormat.keyId(bytes), 1L, Long::sum);
          } else {
            notEncrypted++;
          }
        }
      }
    }
    return new Report(table, column, rows, nulls, notEncrypted, byKey);
  }

  private static void requireIdentifier(String name, String what) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("Invalid " + what + " name: use a plain identifier (letters, digits, _), optionally schema.table");
    }
  }
}
