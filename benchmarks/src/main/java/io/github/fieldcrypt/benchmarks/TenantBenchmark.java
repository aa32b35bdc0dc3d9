package io.github.fieldcrypt.benchmarks;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.TenantFieldEncryptor;
import io.github.fieldcrypt.keys.envelope.KeyCacheStats;
import io.github.fieldcrypt.keys.envelope.TenantKeyStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.logging.core.NoOpLogService;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.CompositeResourceAccessor;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.h2.jdbcx.JdbcDataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tenant mode with a warm key cache beside the single-key path, in the same run: the cost of
 * finding the tenant's data key (and the tenant's context) per value.
 *
 * <ul>
 *   <li>{@code decrypt_singleKey}, <b>the baseline</b>: {@link FieldEncryptor#decryptText} with a
 *       key ring of one key from {@code fieldcrypt.keys}, context
 *       {@code EncryptionContext.forColumn("users", "email")}, 32-byte ASCII plaintext.
 *   <li>{@code decrypt_tenant}: {@link TenantFieldEncryptor#decryptText(String, EncryptionContext,
 *       String, java.sql.Connection) decryptText(value, context, tenant, null)} over a
 *       {@link TenantKeyStore} of {@value #TENANTS} tenants, each with its own data key (made in
 *       setup, wrapped by a master key from {@code fieldcrypt.keys}), in the table made by the
 *       shipped changelog on H2 in memory. Each call takes the next tenant of a precomputed random
 *       sequence (fixed seed), so random-number generation is not measured. The cache is warm
 *       (default TTL 5 minutes, size 10,000; every key is loaded in setup): a call touches neither
 *       the database nor the master key.
 *   <li>{@code decrypt_sameTenant}: tenant mode, every value of one tenant (as within one Hibernate
 *       session): the tenant lookup alone, without a change of key between calls.
 *   <li>{@code decrypt_keyRing100}: the control, no tenant mode: one {@link FieldEncryptor} whose key
 *       ring has {@value #TENANTS} keys, each value under a random one of them (the same sequence).
 *       SunJCE keeps the AES key schedule of the last key a {@code Cipher} was initialised with and
 *       a new one costs about 1 µs; each data key keeps its own ciphers ({@code crypto.GcmKey}), so
 *       this variant shows what a change of key between values costs (in tenant mode as here).
 *   <li>{@code encrypt_singleKey} (baseline) / {@code encrypt_tenant}: {@code encryptToText}, the
 *       tenant variant with {@code (plaintext, context, tenant, false, null, null)}, the active key
 *       from the warm cache.
 * </ul>
 *
 * <p>Both variants of an operation walk the same tenant sequence: the baseline decrypts one of
 * {@value #TENANTS} values of its single key (same plaintext, different nonces) at the same index.
 * What differs is the tenant machinery (the tenant's context and its key from the store's cache)
 * and, in {@code decrypt_tenant} and {@code encrypt_tenant}, a change of AES key between most
 * calls; {@code decrypt_sameTenant} and {@code decrypt_keyRing100} take the two apart.
 *
 * <p>Target (issue 4): {@code decrypt_tenant} ≤ 1.1× {@code decrypt_singleKey}. Ratios computed from
 * the same run:
 *
 * <pre>
 * mvn -o -B -q -pl encryption-converter,benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.Ratios TenantBenchmark -f 2 -wi 15 -i 10 -w 1s -r 1s
 * java -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.Interleaved tenant 60
 * </pre>
 *
 * On a busy 2-core machine 5 warm-up iterations ({@code -wi 5}) sometimes leave a fork running
 * interpreted code into the measurement (the JIT threads get no CPU): microseconds per call for
 * the first iterations, ratios off by several times; 15 were enough. {@link Interleaved} runs the
 * same variants in alternation in one JVM: the figure to trust on a busy machine. Add
 * {@code -prof gc} to the first for the bytes allocated per call.
 *
 * The cost of a cache miss per master key provider: {@link TenantColdMiss}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class TenantBenchmark {
  /** How many tenants, each with its own data key. */
  static final int TENANTS = 100;
  /** Length of the precomputed tenant sequence (a power of two). */
  private static final int SEQUENCE = 1 << 14;
  private static final int MASK = SEQUENCE - 1;
  /** The master key of the tenant store, 32 fixed bytes, base64: benchmark only. */
  static final String MASTER_KEY_BASE64 = "gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp8=";
  /** The in-memory database of the data key table. */
  static final String H2_URL = "jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1";

  private FieldEncryptor single;
  private TenantKeyStore store;
  private TenantFieldEncryptor tenantEncryptor;
  private EncryptionContext context;
  private String plaintext;
  private String[] tenants;
  /** Per tenant index: a value of that tenant (tenant mode) and a value of the single key. */
  private String[] tenantValues;
  private String[] singleValues;
  /** A key ring of {@value #TENANTS} keys, and per index a value under key id index + 1. */
  private FieldEncryptor ring;
  private String[] ringValues;
  private int[] order;
  private int next;
  private long missesAfterSetup;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    single = FieldEncryptor.fromSettings(FieldcryptSettings.from(
        Map.of(FieldcryptSettings.KEYS, "1:" + EncryptorBenchmark.KEY_BASE64), k -> null, k -> null));
    context = EncryptionContext.forColumn("users", "email");
    plaintext = EncryptorBenchmark.text(32);

    JdbcDataSource dataSource = h2();
    createDataKeyTable(H2_URL);
    store = TenantKeyStore.fromSettings(FieldcryptSettings.from(
        Map.of(FieldcryptSettings.KEYS, "1:" + MASTER_KEY_BASE64), k -> null, k -> null), dataSource);
    tenantEncryptor = new TenantFieldEncryptor(store, false);

    tenants = new String[TENANTS];
    tenantValues = new String[TENANTS];
    singleValues = new String[TENANTS];
    for (int t = 0; t < TENANTS; t++) {
      tenants[t] = String.format("tenant-%03d", t);
      // the first write creates the tenant's key (in a transaction of the store's own) and caches it
      tenantValues[t] = tenantEncryptor.encryptToText(plaintext, context, tenants[t], false, null, null);
      singleValues[t] = single.encryptToText(plaintext, context);
    }
    // the control: as many keys as tenants, in one key ring, no tenant machinery
    StringBuilder keys = new StringBuilder();
    SplittableRandom keyBytes = new SplittableRandom(7);
    for (int k = 1; k <= TENANTS; k++) {
      byte[] key = new byte[32];
      keyBytes.nextBytes(key);
      keys.append(k == 1 ? "" : ",").append(k).append(':').append(Base64.getEncoder().encodeToString(key));
    }
    ringValues = new String[TENANTS];
    for (int t = 0; t < TENANTS; t++) {
      FieldEncryptor withActive = FieldEncryptor.fromSettings(FieldcryptSettings.from(Map.of(FieldcryptSettings.KEYS, keys.toString(),
          FieldcryptSettings.ACTIVE_KEY, String.valueOf(t + 1)), k -> null, k -> null));
      ringValues[t] = withActive.encryptToText(plaintext, context);
      if (t == 0) {
        ring = withActive;
      }
    }
    for (int t = 0; t < TENANTS; t++) {
      if (!plaintext.equals(tenantEncryptor.decryptText(tenantValues[t], context, tenants[t], null))
          || !plaintext.equals(single.decryptText(singleValues[t], context))
          || !plaintext.equals(ring.decryptText(ringValues[t], context))) {
        throw new IllegalStateException("round trip failed");
      }
      if (store.find(tenants[t], 1).fingerprint().equals(store.find(tenants[(t + 1) % TENANTS], 1).fingerprint())) {
        throw new IllegalStateException("two tenants share a data key");
      }
    }
    KeyCacheStats stats = store.cacheStats();
    if (stats.size() < 2L * TENANTS) {
      throw new IllegalStateException("cache not warm: " + stats);
    }
    missesAfterSetup = stats.misses();
    order = new int[SEQUENCE];
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < SEQUENCE; i++) {
      order[i] = random.nextInt(TENANTS);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    KeyCacheStats stats = store.cacheStats();
    store.close();
    try (Connection c = h2().getConnection(); Statement st = c.createStatement()) {
      st.execute("SHUTDOWN");
    }
    // a miss after setup means the cache was not warm during the measurement
    if (stats.misses() != missesAfterSetup) {
      throw new IllegalStateException("the key cache missed during the measurement: " + stats);
    }
  }

  static JdbcDataSource h2() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL(H2_URL);
    dataSource.setUser("sa");
    dataSource.setPassword("");
    return dataSource;
  }

  /**
   * Creates {@value TenantKeyStore#DEFAULT_TABLE} the way a user does: a changelog of theirs that
   * includes the shipped {@value TenantKeyStore#CHANGELOG}, run by Liquibase's {@link CommandScope}.
   */
  static void createDataKeyTable(String url) throws Exception {
    Path dir = Files.createTempDirectory("fieldcrypt-changelog");
    Path changelog = dir.resolve("db.changelog-master.xml");
    try {
      Files.writeString(changelog, """
          <?xml version="1.0" encoding="UTF-8"?>
          <databaseChangeLog
              xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
              xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
              xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
                  http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd">
            <include file="%s"/>
          </databaseChangeLog>
          """.formatted(TenantKeyStore.CHANGELOG), StandardCharsets.UTF_8);
      Map<String, Object> scope = new HashMap<>();
      scope.put(Scope.Attr.resourceAccessor.name(), new CompositeResourceAccessor(
          new DirectoryResourceAccessor(dir), new ClassLoaderResourceAccessor()));
      scope.put("liquibase.analytics.enabled", false);
      scope.put("liquibase.showBanner", false);
      // quiet: a failure still throws
      scope.put(Scope.Attr.logService.name(), new NoOpLogService());
      scope.put(Scope.Attr.ui.name(), new LoggerUIService());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Scope.child(scope, () -> new CommandScope("update")
          .addArgumentValue("url", url)
          .addArgumentValue("username", "sa")
          .addArgumentValue("password", "")
          .addArgumentValue("changelogFile", "db.changelog-master.xml")
          .setOutput(out)
          .execute());
    } finally {
      Files.deleteIfExists(changelog);
      Files.deleteIfExists(dir);
    }
  }

  private int nextIndex() {
    int i = order[next];
    next = (next + 1) & MASK;
    return i;
  }

  // ---- decrypt ----

  @Benchmark
  @Baseline
  public String decrypt_singleKey() {
    return single.decryptText(singleValues[nextIndex()], context);
  }

  @Benchmark
  public String decrypt_tenant() {
    int t = nextIndex();
    return tenantEncryptor.decryptText(tenantValues[t], context, tenants[t], null);
  }

  /** Tenant mode, but every value of one tenant (as in one Hibernate session): the lookup without the key switch. */
  @Benchmark
  public String decrypt_sameTenant() {
    nextIndex();
    return tenantEncryptor.decryptText(tenantValues[0], context, tenants[0], null);
  }

  /** The control: one key ring of {@value #TENANTS} keys, a random one per value: the key switch without tenant mode. */
  @Benchmark
  public String decrypt_keyRing100() {
    return ring.decryptText(ringValues[nextIndex()], context);
  }

  // ---- encrypt ----

  @Benchmark
  @Baseline
  public String encrypt_singleKey() {
    nextIndex();
    return single.encryptToText(plaintext, context);
  }

  @Benchmark
  public String encrypt_tenant() {
    return tenantEncryptor.encryptToText(plaintext, context, tenants[nextIndex()], false, null, null);
  }
}
