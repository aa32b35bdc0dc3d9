package io.github.fieldcrypt.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.liquibase.testing.Fixture;
import io.github.fieldcrypt.liquibase.testing.Samples;
import io.github.fieldcrypt.testing.TestDatabase;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The changes count their rows by outcome in Micrometer's global registry ({@code fieldcrypt.migration.rows}). */
class MigrationMetricsIT {
  @TempDir
  Path dir;

  @Test
  void migration_rows_are_counted_by_outcome() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Metrics.addRegistry(registry);
    try (Fixture f = new Fixture(TestDatabase.H2, dir)) {
      f.createTextTable("email", 255);
      f.insert("email", Samples.textRows(255, 20));
      f.xmlChangelog("c.xml", Map.of("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\" batchSize=\"6\"/>"));
      f.liquibase().update("c.xml");
      String column = f.table + ".email";
      assertThat(rows(registry, "encryptColumn", column, "written")).isEqualTo(19);
      assertThat(rows(registry, "encryptColumn", column, "null")).isEqualTo(1);
      f.liquibase().rollbackCount("c.xml", 1);
      assertThat(rows(registry, "decryptColumn", column, "written")).isEqualTo(19);
    } finally {
      Metrics.removeRegistry(registry);
    }
  }

  private static double rows(SimpleMeterRegistry registry, String change, String column, String outcome) {
    var counter = registry.find("fieldcrypt.migration.rows").tag("change", change).tag("outcome", outcome).counters().stream()
        .filter(c -> c.getId().getTag("column").equalsIgnoreCase(column)).findFirst().orElse(null);
    return counter == null ? 0 : counter.count();
  }
}
