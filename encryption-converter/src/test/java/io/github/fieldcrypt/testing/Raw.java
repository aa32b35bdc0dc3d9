package io.github.fieldcrypt.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Reads and writes columns behind Hibernate's back, through plain JDBC. */
public final class Raw {
  private Raw() {}

  public static Object read(TestDatabase db, String url, String table, String column, long id) throws SQLException {
    try (Connection c = db.connect(url);
        PreparedStatement ps = c.prepareStatement("select " + column + " from " + table + " where id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new AssertionError("no row " + id + " in " + table);
        }
        Object value = rs.getObject(1);
        if (value instanceof java.sql.Clob clob) {
          return clob.getSubString(1, (int) clob.length());
        }
        if (value instanceof java.sql.Blob blob) {
          return blob.getBytes(1, (int) blob.length());
        }
        return value;
      }
    }
  }

  public static String readText(TestDatabase db, String url, String table, String column, long id) throws SQLException {
    return (String) read(db, url, table, column, id);
  }

  public static byte[] readBytes(TestDatabase db, String url, String table, String column, long id) throws SQLException {
    return (byte[]) read(db, url, table, column, id);
  }

  public static void write(TestDatabase db, String url, String table, String column, long id, Object value) throws SQLException {
    try (Connection c = db.connect(url);
        PreparedStatement ps = c.prepareStatement("update " + table + " set " + column + " = ? where id = ?")) {
      ps.setObject(1, value);
      ps.setLong(2, id);
      if (ps.executeUpdate() != 1) {
        throw new AssertionError("no row " + id + " in " + table);
      }
    }
  }
}
