package io.github.fieldcrypt.liquibase.internal;

import io.github.fieldcrypt.liquibase.ColumnMigrationException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a migration needs to know about its table, read from the JDBC metadata: the qualified
 * names as the database stores them, the primary key columns in key order, and the kind and
 * width of the column to migrate.
 *
 * @param table the table as named in messages ({@code users})
 * @param column the column as named in messages ({@code email})
 * @param qualifiedTable the quoted, qualified table for SQL
 * @param quotedColumn the quoted column for SQL
 * @param keys the primary key columns in key order
 * @param kind text or binary
 * @param typeName the column's SQL type as the database reports it, upper case ({@code VARCHAR})
 * @param width the declared width in characters (text) or bytes (binary), or
 *     {@link Long#MAX_VALUE} when practically unbounded
 * @param product the database product, lower case ({@code postgresql}, {@code h2}, {@code mariadb})
 */
record TableShape(String table, String column, String qualifiedTable, String quotedColumn, List<KeyColumn> keys,
    Kind kind, String typeName, long width, String product, String quotedTenantColumn) {

  /** Widths at or above this are treated as unbounded (PostgreSQL {@code text}, LOBs). */
  private static final long UNBOUNDED = 1L << 30;

  /** Whether the column holds strings (base64url ciphertext) or bytes (raw ciphertext). */
  enum Kind { TEXT, BINARY }

  /** One primary key column: its quoted name, JDBC type and database type name. */
  record KeyColumn(String name, String quoted, int jdbcType, String typeName) {}

  /** Reads the shape; catalog and schema may be {@code null} for the connection's own. */
  static TableShape read(Connection connection, String catalog, String schema, String table, String column) {
    return read(connection, catalog, schema, table, column, null);
  }

  /**
   * Reads the shape, and in tenant mode the quoted name of the column holding each row's tenant
   * ({@link #quotedTenantColumn()}, {@code null} when {@code tenantColumn} is).
   */
  static TableShape read(Connection connection, String catalog, String schema, String table, String column, String tenantColumn) {
    String where = table + "." + column;
    try {
      DatabaseMetaData meta = connection.getMetaData();
      String product = meta.getDatabaseProductName().toLowerCase(Locale.ROOT);
      String cat = catalog != null ? catalog : connection.getCatalog();
      String sch = schema != null ? schema : connection.getSchema();
      // MariaDB and MySQL name databases as catalogs and have no schemas.
      if (product.contains("mariadb") || product.contains("mysql")) {
        if (schema != null && catalog == null) {
          cat = schema;
        }
        sch = null;
      }
      Map<String, ColumnInfo> columns = null;
      String storedTable = null;
      String storedCat = null;
      String storedSchema = null;
      for (String candidate : variants(table)) {
        Map<String, ColumnInfo> found = new TreeMap<>();
        try (ResultSet rs = meta.getColumns(cat, pattern(sch, meta), pattern(candidate, meta), null)) {
          while (rs.next()) {
            if (!candidate.equals(rs.getString("TABLE_NAME"))) {
              continue;
            }
            storedCat = rs.getString("TABLE_CAT");
            storedSchema = rs.getString("TABLE_SCHEM");
            found.put(rs.getString("COLUMN_NAME"), new ColumnInfo(rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"),
                rs.getString("TYPE_NAME"), rs.getLong("COLUMN_SIZE")));
          }
        }
        if (!found.isEmpty()) {
          columns = found;
          storedTable = candidate;
          break;
        }
      }
      if (columns == null) {
        throw new ColumnMigrationException("Cannot migrate " + where + ": table " + table + " not found"
            + (sch != null ? " in schema " + sch : cat != null ? " in " + cat : ""), null, (Integer) null);
      }
      ColumnInfo target = null;
      for (String candidate : variants(column)) {
        target = columns.get(candidate);
        if (target != null) {
          break;
        }
      }
      if (target == null) {
        throw new ColumnMigrationException("Cannot migrate " + where + ": table " + storedTable + " has no column "
            + column + " (it has " + columns.keySet() + ")", null, (Integer) null);
      }

      TreeMap<Integer, String> keyOrder = new TreeMap<>();
      try (ResultSet rs = meta.getPrimaryKeys(storedCat, storedSchema, storedTable)) {
        while (rs.next()) {
          keyOrder.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
        }
      }
      if (keyOrder.isEmpty()) {
        throw new ColumnMigrationException("Cannot migrate " + where + ": table " + storedTable + " has no primary key;"
            + " the migration pages through the table by primary key and writes each row by it. Add a primary key"
            + " (or a unique not-null column made the primary key) first", null, (Integer) null);
      }
      String quote = meta.getIdentifierQuoteString().trim();
      List<KeyColumn> keys = new ArrayList<>();
      for (String name : keyOrder.values()) {
        ColumnInfo info = columns.get(name);
        if (name.equals(target.name)) {
          throw new ColumnMigrationException("Cannot migrate " + where + ": the column is part of the primary key",
              null, (Integer) null);
        }
        keys.add(new KeyColumn(name, quote(name, quote), info.jdbcType, info.typeName));
      }

      String typeName = target.typeName == null ? "?" : target.typeName.toUpperCase(Locale.ROOT);
      Kind kind = kindOf(target, typeName, where);
      long width = target.size <= 0 || target.size >= UNBOUNDED ? Long.MAX_VALUE : target.size;
      String qualifier = storedSchema != null ? storedSchema : storedCat;
      String qualified = (qualifier == null ? "" : quote(qualifier, quote) + ".") + quote(storedTable, quote);
      String quotedTenant = null;
      if (tenantColumn != null) {
        ColumnInfo tenant = null;
        for (String candidate : variants(tenantColumn)) {
          tenant = columns.get(candidate);
          if (tenant != null) {
            break;
          }
        }
        if (tenant == null || tenant.name.equals(target.name)) {
          throw new ColumnMigrationException("Cannot migrate " + where + ": table " + storedTable + " has no tenant column "
              + tenantColumn + " (tenantColumn; it has " + columns.keySet() + ")", null, (Integer) null);
        }
        quotedTenant = quote(tenant.name, quote);
      }
      return new TableShape(storedTable, target.name, qualified, quote(target.name, quote), List.copyOf(keys), kind,
          typeName, width, product, quotedTenant);
    } catch (SQLException e) {
      throw new ColumnMigrationException("Cannot read the metadata of " + where + ": " + e.getMessage(), null, e);
    }
  }

  /** {@code "<table>.<column>"} as the database names them, for messages. */
  String describe() {
    return table + "." + column;
  }

  /** The declared type with its width, e.g. {@code VARCHAR(255)}. */
  String declaredType() {
    return width == Long.MAX_VALUE ? typeName : typeName + "(" + width + ")";
  }

  private static Kind kindOf(ColumnInfo column, String typeName, String where) {
    switch (column.jdbcType) {
      case Types.VARCHAR, Types.LONGVARCHAR, Types.NVARCHAR, Types.LONGNVARCHAR, Types.CLOB, Types.NCLOB:
        return Kind.TEXT;
      case Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB:
        return Kind.BINARY;
      case Types.BINARY:
        if (typeName.equals("BYTEA")) {
          return Kind.BINARY;
        }
        throw new ColumnMigrationException("Cannot migrate " + where + ": the column is " + typeName
            + ", a fixed-width type that pads values; change it to VARBINARY (or BLOB)", null, (Integer) null);
      case Types.CHAR, Types.NCHAR:
        throw new ColumnMigrationException("Cannot migrate " + where + ": the column is " + typeName
            + ", a fixed-width type that pads values; change it to VARCHAR", null, (Integer) null);
      default:
        throw new ColumnMigrationException("Cannot migrate " + where + ": the column is " + typeName
            + "; encrypted values are stored in text columns (VARCHAR, TEXT, CLOB) for strings and in binary columns"
            + " (VARBINARY, BLOB, bytea) for byte arrays. Other types are first converted to a string column", null,
            (Integer) null);
    }
  }

  private static Set<String> variants(String name) {
    Set<String> result = new LinkedHashSet<>();
    result.add(name);
    result.add(name.toUpperCase(Locale.ROOT));
    result.add(name.toLowerCase(Locale.ROOT));
    return result;
  }

  private static String pattern(String name, DatabaseMetaData meta) throws SQLException {
    if (name == null) {
      return null;
    }
    String escape = meta.getSearchStringEscape();
    if (escape == null || escape.isEmpty()) {
      return name;
    }
    return name.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
  }

  private static String quote(String identifier, String quote) {
    if (quote.isEmpty()) {
      return identifier;
    }
    return quote + identifier.replace(quote, quote + quote) + quote;
  }

  private record ColumnInfo(String name, int jdbcType, String typeName, long size) {}
}
