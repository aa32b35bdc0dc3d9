package io.github.fieldcrypt.sample;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Inserts many legacy (plaintext) customers, to try a large migration with {@code update}. */
@Command(name = "seed", mixinStandardHelpOptions = true,
    description = {"Creates the legacy schema if missing and inserts plaintext customers, as the legacy app did.",
        "Then `update` encrypts them, with a progress bar."})
final class SeedCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DatabaseOptions db;

  @Option(names = "--rows", defaultValue = "100000", description = "How many customers (default: ${DEFAULT-VALUE}).")
  int rows;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (rows < 1) {
      spec.commandLine().getErr().println("--rows must be 1 or more");
      return 2;
    }
    db.migrations(SampleKeys.load(db.folder(), out), out).update("db/001-legacy-schema.xml");
    long start = System.nanoTime();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      long first;
      try (ResultSet rs = c.createStatement().executeQuery("select coalesce(max(id), 0) from customers")) {
        rs.next();
        first = rs.getLong(1) + 1;
      }
      try (PreparedStatement ps = c.prepareStatement(
          "insert into customers (id, tenant_id, email, national_id, birth_date, notes) values (?, ?, ?, ?, ?, ?)")) {
        for (int i = 0; i < rows; i++) {
          long id = first + i;
          ps.setLong(1, id);
          ps.setLong(2, 1 + id % 2);
          ps.setString(3, "customer" + id + "@example.com");
          ps.setString(4, String.format("%03d.%04d.%04d.%02d", id % 1000, id % 10000, (id * 7) % 10000, id % 100));
          ps.setString(5, java.time.LocalDate.of(1950, 1, 1).plusDays(id % 20000).toString());
          ps.setString(6, id % 5 == 0 ? null : "Customer note " + id);
          ps.addBatch();
          if ((i + 1) % 1000 == 0) {
            ps.executeBatch();
            c.commit();
          }
        }
        ps.executeBatch();
        c.commit();
      }
    }
    out.printf("%d plaintext customers inserted in %.1f s. Now encrypt them: java -jar sample-app/target/sample-app.jar update%n",
        rows, (System.nanoTime() - start) / 1e9);
    return 0;
  }
}
