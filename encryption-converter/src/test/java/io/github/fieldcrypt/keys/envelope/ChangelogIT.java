package io.github.fieldcrypt.keys.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.TestDatabase;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;

/** The shipped changelog makes a table that refuses a second active key for a tenant on every database. */
class ChangelogIT {

  @OnEachDatabase
  void the_table_allows_one_active_key_per_tenant_and_any_number_of_retired_ones(TestDatabase db) throws Exception {
    try (KeyTable table = KeyTable.create(db)) {
      String insert = "INSERT INTO $T (tenant_id, key_id, state, active_slot, master_key_id, wrapped_key, fingerprint, created_at)"
          + " VALUES (?, ?, ?, ?, 1, ?, 'f', ?)";
      Timestamp now = Timestamp.valueOf(LocalDateTime.of(2026, 1, 1, 0, 0));
      assertThat(table.execute(insert, "acme", 1, "active", 1, new byte[60], now)).isEqualTo(1);
      assertThat(table.execute(insert, "acme", 2, "retired", null, new byte[60], now)).isEqualTo(1);
      assertThat(table.execute(insert, "acme", 3, "retired", null, new byte[60], now)).isEqualTo(1);
      assertThat(table.execute(insert, "globex", 1, "active", 1, new byte[60], now)).isEqualTo(1);
      Throwable secondActive = catchThrowable(() -> table.execute(insert, "acme", 4, "active", 1, new byte[60], now));
      assertThat(secondActive).isInstanceOf(SQLException.class);
      assertThat(((SQLException) secondActive).getSQLState()).startsWith("23");
      Throwable sameId = catchThrowable(() -> table.execute(insert, "acme", 2, "retired", null, new byte[60], now));
      assertThat(((SQLException) sameId).getSQLState()).startsWith("23");
      // tenant ids compare exactly, also on MariaDB (whose default collation ignores case)
      assertThat(table.execute(insert, "ACME", 1, "active", 1, new byte[60], now)).isEqualTo(1);
      assertThat(table.count("tenant_id = ?", "acme")).isEqualTo(3);
      // the changelog ran once: running it again changes nothing
      table.liquibaseUpdate();
      assertThat(table.count("")).isEqualTo(5);
    }
  }
}
