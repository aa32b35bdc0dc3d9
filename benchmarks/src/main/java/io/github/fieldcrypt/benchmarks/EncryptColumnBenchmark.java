package io.github.fieldcrypt.benchmarks;

import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.liquibase.MigrationSummary;
import io.github.fieldcrypt.liquibase.internal.ColumnMigration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code encryptColumn} over 1,000,000 rows of about 40 characters, beside its two baselines in
 * the same run and on the same data: (a) the crypto-free loop (the same keyset pagination,
 * an unchanged-length transformation written back row by row in JDBC batches of the same size,
 * a commit per batch) and (b) the database's own single {@code UPDATE t SET c = UPPER(c)}.
 * Each variant starts from a freshly loaded table, vacuumed and analysed (PostgreSQL) and
 * checkpointed before the clock starts, so that none pays for the load's dirty pages or for
 * autovacuum. Not JMH: one 1M-row pass is seconds long, so each variant is timed as a whole,
 * {@code rounds} times, in an order that rotates from round to round, after {@code warmup} rounds
 * that are printed but not counted (the first round of a JVM runs the database's and the JDBC
 * driver's code cold: H2's (a) took 5.4 s there and 3.5–3.7 s after); with more than one round
 * the median of the per-round ratios follows, with the lowest and highest.
 *
 * <p>Run (after {@code mvn -B -pl benchmarks -am package -DskipTests}):
 * <pre>
 * java -Xmx128m -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.EncryptColumnBenchmark \
 *     [rows=1000000] [batch=1000] [rounds=1] [warmup=1] [db=h2,postgresql] [pg=jdbc:postgresql://127.0.0.1:5432/test] [only=a,b,encrypt (any of them)]
 * </pre>
 */
public final class EncryptColumnBenchmark {
  private EncryptColumnBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new java.util.HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      opts.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    int rows = Integer.parseInt(opts.getOrDefault("rows", "1000000"));
    int batch = Integer.parseInt(opts.getOrDefault("batch", "1000"));
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "1"));
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "1"));
    List<String> only = List.of(opts.getOrDefault("only", "a,b,encrypt").split(","));
    List<String> dbs = List.of(opts.getOrDefault("db", "h2,postgresql").split(","));
    System.out.printf(Locale.ROOT, "rows=%d batch=%d rounds=%d warmup=%d maxMemory=%d MiB cores=%d%n", rows, batch, rounds,
        warmup, Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
    for (String db : dbs) {
      Path dir = null;
      String url;
      String user;
      if (db.equals("h2")) {
        dir = Files.createTempDirectory("fieldcrypt-bench");
        url = "jdbc:h2:file:" + dir.resolve("bench").toAbsolutePath();
        user = "sa";
      } else {
        url = opts.getOrDefault("pg", "jdbc:postgresql://127.0.0.1:5432/test");
        user = opts.getOrDefault("pgUser", "postgres");
      }
      try (Connection c = DriverManager.getConnection(url, user, "")) {
        List<Double> toA = new ArrayList<>();
        List<Double> toB = new ArrayList<>();
        for (int round = 1 - warmup; round <= rounds; round++) {
          Map<String, Double> rate = new java.util.HashMap<>();
          // a rotating order, so that no variant always follows the same one
          for (int k = 0; k < VARIANTS.size(); k++) {
            String variant = VARIANTS.get(Math.floorMod(round - 1 + k, VARIANTS.size()));
            if (only.contains(variant)) {
              rate.put(variant, switch (variant) {
                case "a" -> measure(c, rows, db + " (a) keyset + JDBC batch, no crypto", () -> baseline(c, batch));
                case "b" -> measure(c, rows, db + " (b) UPDATE t SET c = UPPER(c)", () -> upper(c));
                default -> measure(c, rows, db + " encryptColumn", () -> encrypt(c, batch));
              });
            }
          }
          double e = rate.getOrDefault("encrypt", 0.0);
          double a = rate.getOrDefault("a", 0.0);
          double b = rate.getOrDefault("b", 0.0);
          if (round < 1) {
            System.out.printf(Locale.ROOT, "%s warm-up round (not counted): encryptColumn = %.2f x (a), %.2f x (b)%n", db, e / a, e / b);
            continue;
          }
          if (a > 0) {
            toA.add(e / a);
          }
          if (b > 0) {
            toB.add(e / b);
          }
          System.out.printf(Locale.ROOT, "%s round %d: encryptColumn = %.2f x (a), %.2f x (b)%n", db, round, e / a, e / b);
        }
        if (rounds > 1 && only.contains("encrypt")) {
          System.out.printf(Locale.ROOT, "%s median of %d rounds: encryptColumn = %s x (a), %s x (b)%n", db, rounds, median(toA),
              median(toB));
        }
        try (Statement st = c.createStatement()) {
          st.execute("DROP TABLE IF EXISTS bench_t");
        }
      } finally {
        if (dir != null) {
          try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
        }
      }
    }
  }

  /** The variants, in the order of the first round. */
  private static final List<String> VARIANTS = List.of("a", "b", "encrypt");

  private static String median(List<Double> ratios) {
    if (ratios.isEmpty()) {
      return "-";
    }
    List<Double> sorted = new ArrayList<>(ratios);
    java.util.Collections.sort(sorted);
    int n = sorted.size();
    double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    return String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", median, sorted.get(0), sorted.get(n - 1));
  }

  interface Work {
    void run() throws Exception;
  }

  private static double measure(Connection c, int rows, String name, Work work) throws Exception {
    load(c, rows);
    System.gc();
    long start = System.nanoTime();
    work.run();
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = rows / seconds;
    System.out.printf(Locale.ROOT, "%-45s %8.0f rows/s (%.2f s)%n", name, rate, seconds);
    return rate;
  }

  /** A fresh table of {@code rows} values of about 40 characters. */
  private static void load(Connection c, int rows) throws SQLException {
    c.setAutoCommit(true);
    try (Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS bench_t");
      st.execute("CREATE TABLE bench_t (id BIGINT PRIMARY KEY, c VARCHAR(255))");
    }
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO bench_t (id, c) VALUES (?, ?)")) {
      for (int id = 1; id <= rows; id++) {
        ps.setLong(1, id);
        ps.setString(2, String.format(Locale.ROOT, "customer.%08d@example-mail-domain.org", id));
        ps.addBatch();
        if (id % 5000 == 0) {
          ps.executeBatch();
          c.commit();
        }
      }
      ps.executeBatch();
    }
    c.commit();
    // VACUUM cannot run in a transaction block
    c.setAutoCommit(true);
    try (Statement st = c.createStatement()) {
      if (c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres")) {
        // statistics and the visibility map now, not by autovacuum while a variant runs
        st.execute("VACUUM ANALYZE bench_t");
      }
      // the load's dirty pages written out now, so that the variant measured next does not pay for them
      st.execute("CHECKPOINT");
    }
  }

  /** (a): read pages by keyset, write an unchanged-length transformation back in JDBC batches. */
  private static void baseline(Connection c, int batch) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement first = c.prepareStatement("SELECT id, c FROM bench_t ORDER BY id LIMIT " + batch);
        PreparedStatement next = c.prepareStatement("SELECT id, c FROM bench_t WHERE id > ? ORDER BY id LIMIT " + batch);
        PreparedStatement update = c.prepareStatement("UPDATE bench_t SET c = ? WHERE id = ?")) {
      long after = -1;
      while (true) {
        PreparedStatement ps = after < 0 ? first : next;
        if (after >= 0) {
          ps.setLong(1, after);
        }
        List<Object[]> page = new ArrayList<>(batch);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            page.add(new Object[] {rs.getLong(1), rs.getString(2)});
          }
        }
        if (page.isEmpty()) {
          break;
        }
        for (Object[] row : page) {
          update.setString(1, new StringBuilder((String) row[1]).reverse().toString());
          update.setLong(2, (Long) row[0]);
          update.addBatch();
        }
        update.executeBatch();
        c.commit();
        after = (Long) page.get(page.size() - 1)[0];
        if (page.size() < batch) {
          break;
        }
      }
    }
    c.setAutoCommit(true);
  }

  /** (b): the database's own set-based update. */
  private static void upper(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE bench_t SET c = UPPER(c)");
    }
    c.commit();
    c.setAutoCommit(true);
  }

  /** encryptColumn's engine, as the Liquibase change runs it (pre-flight, compare-and-set and idempotency check included). */
  private static void encrypt(Connection c, int batch) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    FieldEncryptor encryptor = FieldEncryptor.fromSettings(FieldcryptSettings.from(
        Map.of(FieldcryptSettings.KEYS, "1:" + Base64.getEncoder().encodeToString(key))));
    MigrationSummary summary = ColumnMigration.run(c, new ColumnMigration.Target(null, null, "bench_t", "c"),
        ColumnMigration.Operation.ENCRYPT, encryptor, null, batch, line -> { }, Duration.ofDays(1));
    System.out.println("  " + summary.describe());
  }
}
