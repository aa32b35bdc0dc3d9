package io.github.fieldcrypt.keys.envelope;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SQL of the data key table, the one place that knows its columns (the Liquibase changelog
 * {@code io/github/fieldcrypt/db/fieldcrypt-data-keys.changelog.xml} creates them):
 *
 * <pre>
 * tenant_id     VARCHAR(255) NOT NULL  ┐ primary key
 * key_id        INT          NOT NULL  ┘
 * state         VARCHAR(16)  NOT NULL  active | retired | destroyed
 * active_slot   SMALLINT               1 for the tenant's active key, NULL otherwise;
 *                                      UNIQUE (tenant_id, active_slot): one active key per tenant
 * master_key_id INT                    NULL once destroyed
 * wrapped_key   VARBINARY(255)         NULL once destroyed
 * fingerprint   VARCHAR(64)  NOT NULL
 * created_at    TIMESTAMP    NOT NULL  UTC
 * </pre>
 *
 * <p>Every statement runs on the connection given, in its transaction; nothing here commits.
 */
final class DataKeyTable {
  private static final String COLUMNS = "tenant_id, key_id, state, master_key_id, wrapped_key, fingerprint, created_at";

  /** One row. {@code wrapped} and {@code masterKeyId} are {@code null} when destroyed. */
  record Row(String tenant, int keyId, KeyState state, Integer masterKeyId, byte[] wrapped, String fingerprint, Instant createdAt) {
    TenantKeyInfo info() {
      return new TenantKeyInfo(tenant, keyId, state, masterKeyId, fingerprint, createdAt);
    }

    @Override
    public String toString() {
      return "Row[tenant=" + tenant + ", key=" + keyId + ", state=" + state + ", master=" + masterKeyId + "]";
    }
  }

  /** The highest key id of a tenant (0 when none) and how many of its keys are destroyed. */
  record TenantState(int maxKeyId, int destroyed) {}

  private final String name;
  private final String shareLock;

  /**
   * @param name the table, already validated as {@code [schema.]identifier}
   * @param shareLock the clause that makes a SELECT read the latest committed row and lock it
   *     against changes without blocking other such readers
   */
  DataKeyTable(String name, String shareLock) {
    this.name = name;
    this.shareLock = shareLock;
  }

  /**
   * The share-lock clause for this database: PostgreSQL {@code FOR SHARE}, MariaDB/MySQL
   * {@code LOCK IN SHARE MODE} (a plain read in InnoDB's default REPEATABLE READ would read an old
   * snapshot; {@code FOR UPDATE} by several readers of one row that each hold the shared lock of a
   * failed duplicate insert deadlocks), H2 and others {@code FOR UPDATE}.
   */
  static String shareLockFor(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    if (product.contains("postgres")) {
      return " FOR SHARE";
    }
    if (product.contains("mariadb") || product.contains("mysql")) {
      return " LOCK IN SHARE MODE";
    }
    return " FOR UPDATE";
  }

  String name() {
    return name;
  }

  /** The tenant's active key; {@code lock}: read the latest committed row and share-lock it. */
  Row active(Connection c, String tenant, boolean lock) throws SQLException {
    List<Row> rows = query(c, "SELECT " + COLUMNS + " FROM " + name + " WHERE tenant_id = ? AND active_slot = 1"
        + (lock ? shareLock : ""), tenant);
    return rows.isEmpty() ? null : rows.get(0);
  }

  Row byId(Connection c, String tenant, int keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM " + name + " WHERE tenant_id = ? AND key_id = ?")) {
      ps.setString(1, tenant);
      ps.setInt(2, keyId);
      List<Row> rows = rows(ps);
      return rows.isEmpty() ? null : rows.get(0);
    }
  }

  /** Every key of a tenant by id; {@code forUpdate}: locked for this transaction's changes. */
  List<Row> tenantRows(Connection c, String tenant, boolean forUpdate) throws SQLException {
    return query(c, "SELECT " + COLUMNS + " FROM " + name + " WHERE tenant_id = ? ORDER BY key_id" + (forUpdate ? " FOR UPDATE" : ""), tenant);
  }

  /** Every tenant's active key, locked for this transaction's changes. */
  List<Row> activeRowsForUpdate(Connection c) throws SQLException {
    return query(c, "SELECT " + COLUMNS + " FROM " + name + " WHERE active_slot = 1 ORDER BY tenant_id, key_id FOR UPDATE");
  }

  /** Every key that is not destroyed, locked for this transaction's changes. */
  List<Row> liveRowsForUpdate(Connection c) throws SQLException {
    return query(c, "SELECT " + COLUMNS + " FROM " + name + " WHERE state <> 'destroyed' ORDER BY tenant_id, key_id FOR UPDATE");
  }

  /** One key (the oldest) wrapped by this master key, or {@code null}. */
  Row sampleOf(Connection c, int masterKeyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM " + name
        + " WHERE master_key_id = ? AND state <> 'destroyed' ORDER BY created_at, tenant_id, key_id")) {
      ps.setInt(1, masterKeyId);
      ps.setMaxRows(1);
      List<Row> rows = rows(ps);
      return rows.isEmpty() ? null : rows.get(0);
    }
  }

  TenantState state(Connection c, String tenant) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT MAX(key_id), SUM(CASE WHEN state = 'destroyed' THEN 1 ELSE 0 END) FROM "
        + name + " WHERE tenant_id = ?")) {
      ps.setString(1, tenant);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new TenantState(rs.getInt(1), rs.getInt(2));
      }
    }
  }

  /** How many keys that are not destroyed each master key wraps. */
  Map<Integer, Long> masterKeyUsage(Connection c) throws SQLException {
    Map<Integer, Long> usage = new TreeMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT master_key_id, COUNT(*) FROM " + name + " WHERE state <> 'destroyed' GROUP BY master_key_id")) {
      while (rs.next()) {
        usage.put(rs.getInt(1), rs.getLong(2));
      }
    }
    return usage;
  }

  void insertActive(Connection c, String tenant, int keyId, int masterKeyId, byte[] wrapped, String fingerprint, Instant createdAt)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + name
        + " (tenant_id, key_id, state, active_slot, master_key_id, wrapped_key, fingerprint, created_at) VALUES (?, ?, 'active', 1, ?, ?, ?, ?)")) {
      ps.setString(1, tenant);
      ps.setInt(2, keyId);
      ps.setInt(3, masterKeyId);
      ps.setBytes(4, wrapped);
      ps.setString(5, fingerprint);
      ps.setObject(6, LocalDateTime.ofInstant(createdAt, ZoneOffset.UTC));
      ps.executeUpdate();
    }
  }

  /** Makes the tenant's active key {@code keyId} retired; 0 when it is not (any more) the active one. */
  int retire(Connection c, String tenant, int keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + name
        + " SET state = 'retired', active_slot = NULL WHERE tenant_id = ? AND key_id = ? AND active_slot = 1")) {
      ps.setString(1, tenant);
      ps.setInt(2, keyId);
      return ps.executeUpdate();
    }
  }

  /** Destroys every key of the tenant: the wrapped key and its master key id are erased. */
  int destroy(Connection c, String tenant) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + name + " SET state = 'destroyed', active_slot = NULL,"
        + " master_key_id = NULL, wrapped_key = NULL WHERE tenant_id = ? AND state <> 'destroyed'")) {
      ps.setString(1, tenant);
      return ps.executeUpdate();
    }
  }

  /** Replaces a key's wrapped form, if it is still wrapped by {@code oldMasterKeyId}. */
  int rewrap(Connection c, String tenant, int keyId, int oldMasterKeyId, int newMasterKeyId, byte[] wrapped) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + name
        + " SET master_key_id = ?, wrapped_key = ? WHERE tenant_id = ? AND key_id = ? AND master_key_id = ? AND state <> 'destroyed'")) {
      ps.setInt(1, newMasterKeyId);
      ps.setBytes(2, wrapped);
      ps.setString(3, tenant);
      ps.setInt(4, keyId);
      ps.setInt(5, oldMasterKeyId);
      return ps.executeUpdate();
    }
  }

  private List<Row> query(Connection c, String sql, String... parameters) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setString(i + 1, parameters[i]);
      }
      return rows(ps);
    }
  }

  private static List<Row> rows(PreparedStatement ps) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        int master = rs.getInt(4);
        Integer masterKeyId = rs.wasNull() ? null : master;
        LocalDateTime created = rs.getObject(7, LocalDateTime.class);
        rows.add(new Row(rs.getString(1), rs.getInt(2), KeyState.ofColumn(rs.getString(3)), masterKeyId, rs.getBytes(5),
            rs.getString(6), created.toInstant(ZoneOffset.UTC)));
      }
    }
    return rows;
  }
}
