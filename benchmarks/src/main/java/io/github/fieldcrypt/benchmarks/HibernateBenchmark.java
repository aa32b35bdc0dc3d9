package io.github.fieldcrypt.benchmarks;

import io.github.fieldcrypt.Encrypted;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Table;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.Transaction;
import org.hibernate.cfg.Configuration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Persist then load 100,000 entities with three {@code @Encrypted} String attributes (40
 * characters each), against the same entity without {@code @Encrypted}, in one SessionFactory
 * with the same settings (so both run in the same JVM and the ratio is fair).
 *
 * <p>One operation: a session persists 100,000 new entities in one transaction, flushing and
 * clearing every {@value #FLUSH_EVERY} ({@code hibernate.jdbc.batch_size} =
 * {@value #FLUSH_EVERY}, so each flush is one JDBC batch); then a new session loads them all with
 * one query and reads every attribute. The table is emptied before each operation, outside the
 * measured time. Ids are assigned (as {@code IDENTITY} would disable JDBC batching).
 *
 * <p>Databases ({@code @Param database}): {@code h2} in memory, where the database costs almost
 * nothing so the ratio is nearly the pure converter and crypto overhead, and {@code postgresql}
 * at {@code 127.0.0.1:5432} (database {@code test}, user {@code postgres}; override with
 * {@code -Dfieldcrypt.bench.pg.url=... -Dfieldcrypt.bench.pg.user=...}). When PostgreSQL is not
 * reachable its setup fails with a message saying so and JMH goes on with H2; pass
 * {@code -p database=h2} to run H2 only.
 *
 * <p>Targets (issue 2): {@code encrypted} ≤ 1.8× {@code plain} on H2, ≤ 1.15× on PostgreSQL.
 *
 * <p>{@code plainWide} splits the overhead in two: the plain entity storing values as long as
 * the ciphertexts (99 characters for 40), so {@code plainWide / plain} is what the width costs
 * the database and the driver, and {@code encrypted / plainWide} what encryption costs beyond.
 *
 * <pre>
 * mvn -o -B -pl encryption-converter,benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.Ratios HibernateBenchmark -f 1 -wi 3 -i 8 -prof gc
 * java -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.Interleaved hibernate 8
 * </pre>
 *
 * The first is JMH (plain, then encrypted, each in its own fork); the second runs the two in
 * alternation in one JVM and reports the median of the per-round ratios, which is what to trust
 * on a machine that other jobs load (see {@link Interleaved}). The plain JMH table:
 * {@code java -jar benchmarks/target/benchmarks.jar HibernateBenchmark -f 1 -wi 3 -i 8}.
 *
 * <p>Where the encrypted time goes (H2, JDK 17, measured with {@code -prof gc} and JFR, 7 December
 * 2026): about a quarter of the samples are fieldcrypt's encryption and decryption, most of it the
 * GHASH products of {@code crypto.ShortGcm} (values up to 64 bytes no longer go through SunJCE's
 * per-value GCM set-up); the rest of the overhead is one more young collection per operation
 * when the operation's allocation tips it over the young generation (the thread's allocation
 * counter: about 490 MB for the encrypted operation, 430 MB for the plain one; each collection
 * copies the 100,000 rows H2 holds in memory). Before {@code ShortGcm}, SunJCE made about 1 KB of
 * garbage per value ({@code -prof gc}: 1.49 GB per operation then, 0.71 GB plain).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class HibernateBenchmark {
  static final int ENTITIES = 100_000;
  static final int FLUSH_EVERY = 100;
  static final String PG_URL = System.getProperty("fieldcrypt.bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
  static final String PG_USER = System.getProperty("fieldcrypt.bench.pg.user", "postgres");
  static final String PG_PASSWORD = System.getProperty("fieldcrypt.bench.pg.password", "");

  /** Held so that the level set on it stays (java.util.logging keeps loggers weakly). */
  private static final Logger HIBERNATE_LOG = Logger.getLogger("org.hibernate");

  @Param({"h2", "postgresql"})
  public String database;

  private SessionFactory sessionFactory;
  private String[] emails;
  private String[] names;
  private String[] phones;
  private String[] wideEmails;
  private String[] wideNames;
  private String[] widePhones;

  @Setup(org.openjdk.jmh.annotations.Level.Trial)
  public void setUp() {
    HIBERNATE_LOG.setLevel(Level.WARNING);
    Configuration configuration = new Configuration();
    switch (database) {
      case "h2" -> {
        configuration.setProperty("hibernate.connection.url", "jdbc:h2:mem:fieldcrypt_bench;DB_CLOSE_DELAY=-1");
        configuration.setProperty("hibernate.connection.username", "sa");
        configuration.setProperty("hibernate.connection.password", "");
      }
      case "postgresql" -> {
        requireReachable();
        configuration.setProperty("hibernate.connection.url", PG_URL);
        configuration.setProperty("hibernate.connection.username", PG_USER);
        configuration.setProperty("hibernate.connection.password", PG_PASSWORD);
      }
      default -> throw new IllegalArgumentException("database must be h2 or postgresql, not " + database);
    }
    configuration.setProperty("hibernate.hbm2ddl.auto", "create-drop");
    configuration.setProperty("hibernate.jdbc.batch_size", Integer.toString(FLUSH_EVERY));
    configuration.setProperty("hibernate.order_inserts", "true");
    configuration.setProperty("hibernate.connection.pool_size", "2");
    configuration.setProperty("fieldcrypt.keys", "1:" + EncryptorBenchmark.KEY_BASE64);
    configuration.addAnnotatedClass(PlainUser.class);
    configuration.addAnnotatedClass(EncryptedUser.class);
    configuration.addAnnotatedClass(WideUser.class);
    sessionFactory = configuration.buildSessionFactory();

    SplittableRandom random = new SplittableRandom(42);
    emails = values(i -> "user" + i + "@example.com", random);
    names = values(i -> "Name " + i + " ", random);
    phones = values(i -> "+41 " + i + " ", random);
    wideEmails = widened(emails, random);
    wideNames = widened(names, random);
    widePhones = widened(phones, random);
  }

  /** The values made as long as their ciphertexts (99 characters for 40), with random letters. */
  private static String[] widened(String[] values, SplittableRandom random) {
    String[] out = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      StringBuilder s = new StringBuilder(values[i]);
      long width = CiphertextFormat.textLength(values[i].getBytes(StandardCharsets.UTF_8).length);
      while (s.length() < width) {
        s.append((char) ('a' + random.nextInt(26)));
      }
      out[i] = s.toString();
    }
    return out;
  }

  /** 100,000 distinct strings of exactly 40 characters. */
  private static String[] values(Function<Integer, String> prefix, SplittableRandom random) {
    String[] out = new String[ENTITIES];
    StringBuilder s = new StringBuilder(40);
    for (int i = 0; i < ENTITIES; i++) {
      s.setLength(0);
      s.append(prefix.apply(i));
      while (s.length() < 40) {
        s.append((char) ('a' + random.nextInt(26)));
      }
      out[i] = s.toString();
    }
    return out;
  }

  private static void requireReachable() {
    try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD)) {
      c.isValid(2);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL is not reachable at " + PG_URL + " (" + e.getMessage()
          + "): the postgresql benchmarks are skipped", e);
    }
  }

  @Setup(org.openjdk.jmh.annotations.Level.Iteration)
  public void emptyTables() {
    sessionFactory.inTransaction(s -> {
      s.createMutationQuery("delete from PlainUser").executeUpdate();
      s.createMutationQuery("delete from EncryptedUser").executeUpdate();
      s.createMutationQuery("delete from WideUser").executeUpdate();
    });
    System.gc();
  }

  @TearDown(org.openjdk.jmh.annotations.Level.Trial)
  public void tearDown() {
    if (sessionFactory != null) {
      sessionFactory.close();
    }
  }

  @Benchmark
  @Baseline
  public void persistAndLoad_plain(Blackhole bh) {
    persistAndLoad(PlainUser.class, PlainUser::new, bh);
  }

  @Benchmark
  public void persistAndLoad_encrypted(Blackhole bh) {
    persistAndLoad(EncryptedUser.class, EncryptedUser::new, bh);
  }

  /**
   * Not a baseline for the target, a decomposition: the plain entity storing plaintext as long
   * as the ciphertexts (99 characters). Its time over {@code plain} is what the wider values cost
   * the database and the driver; {@code encrypted} over it is what encryption costs beyond that.
   */
  @Benchmark
  public void persistAndLoad_plainWide(Blackhole bh) {
    persistAndLoad(WideUser.class, WideUser::new, bh, wideEmails, wideNames, widePhones);
  }

  private <T extends User> void persistAndLoad(Class<T> type, java.util.function.Supplier<T> factory, Blackhole bh) {
    persistAndLoad(type, factory, bh, emails, names, phones);
  }

  private <T extends User> void persistAndLoad(Class<T> type, java.util.function.Supplier<T> factory, Blackhole bh,
      String[] emails, String[] names, String[] phones) {
    try (Session session = sessionFactory.openSession()) {
      Transaction tx = session.beginTransaction();
      for (int i = 0; i < ENTITIES; i++) {
        T user = factory.get();
        user.set(i, emails[i], names[i], phones[i]);
        session.persist(user);
        if ((i + 1) % FLUSH_EVERY == 0) {
          session.flush();
          session.clear();
        }
      }
      tx.commit();
    }
    try (Session session = sessionFactory.openSession()) {
      Transaction tx = session.beginTransaction();
      List<T> all = session.createSelectionQuery("from " + type.getSimpleName(), type).getResultList();
      if (all.size() != ENTITIES) {
        throw new IllegalStateException("loaded " + all.size() + " of " + ENTITIES);
      }
      long chars = 0;
      for (T user : all) {
        chars += user.email().length() + user.name().length() + user.phone().length();
      }
      bh.consume(chars);
      tx.commit();
    }
  }

  /** What both entities have. */
  public interface User {
    void set(long id, String email, String name, String phone);

    String email();

    String name();

    String phone();
  }

  /** The plain columns, shared by the baseline and the wide variant. */
  @MappedSuperclass
  public abstract static class PlainColumns implements User {
    @Id
    Long id;
    @Column(name = "email")
    String email;
    @Column(name = "full_name")
    String name;
    @Column(name = "phone")
    String phone;

    @Override
    public void set(long id, String email, String name, String phone) {
      this.id = id;
      this.email = email;
      this.name = name;
      this.phone = phone;
    }

    @Override
    public String email() {
      return email;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String phone() {
      return phone;
    }
  }

  /** The baseline entity: plain columns. */
  @Entity(name = "PlainUser")
  @Table(name = "bench_users_plain")
  public static class PlainUser extends PlainColumns {
    public PlainUser() {}
  }

  /** The baseline entity with values as wide as ciphertexts (a decomposition, not a baseline). */
  @Entity(name = "WideUser")
  @Table(name = "bench_users_wide")
  public static class WideUser extends PlainColumns {
    public WideUser() {}
  }

  /** The same entity with the three attributes encrypted. */
  @Entity(name = "EncryptedUser")
  @Table(name = "bench_users_encrypted")
  public static class EncryptedUser implements User {
    @Id
    Long id;
    @Encrypted
    @Column(name = "email")
    String email;
    @Encrypted
    @Column(name = "full_name")
    String name;
    @Encrypted
    @Column(name = "phone")
    String phone;

    public EncryptedUser() {}

    @Override
    public void set(long id, String email, String name, String phone) {
      this.id = id;
      this.email = email;
      this.name = name;
      this.phone = phone;
    }

    @Override
    public String email() {
      return email;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String phone() {
      return phone;
    }
  }
}
