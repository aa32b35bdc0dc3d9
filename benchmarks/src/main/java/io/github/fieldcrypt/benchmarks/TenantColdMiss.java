package io.github.fieldcrypt.benchmarks;

import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.keys.Pkcs11Token;
import io.github.fieldcrypt.keys.envelope.ConnectionSource;
import io.github.fieldcrypt.keys.envelope.KeyCacheStats;
import io.github.fieldcrypt.keys.envelope.MasterKeys;
import io.github.fieldcrypt.keys.envelope.TenantKeyStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The cost of a key cache miss in tenant mode, per master key provider: {@code store.find(tenant,
 * keyId)} on a store whose cache is off ({@code cacheTtl(Duration.ZERO)}), so that every call reads
 * the tenant's row from the data key table (H2 in memory, made by the shipped changelog) and
 * unwraps its data key with the master key. Beside it, in the same JVM, the warm hit (the same
 * call on a store with the default cache, all keys loaded). Not JMH: a miss is tens of
 * microseconds and each one is timed on its own; the providers take turns in rounds, so that a
 * change of the machine's load hits them alike.
 *
 * <p>Providers:
 * <ul>
 *   <li>{@code settings}: the master key from {@code fieldcrypt.keys} (a key ring; AES-256-GCM
 *       unwrap in the JVM).
 *   <li>{@code pkcs11}: a master key inside a SoftHSM2 token ({@code /usr/lib/softhsm/libsofthsm2.so},
 *       initialised with {@code softhsm2-util} in a temporary directory); the unwrap runs in the
 *       token through SunPKCS11. SoftHSM2 reads {@code SOFTHSM2_CONF} when it loads, so this main
 *       starts itself again with that variable set (same JVM options). Skipped, and said so,
 *       without SoftHSM2.
 * </ul>
 *
 * <p>For each provider three figures: {@code miss, pooled} — {@code find(tenant, keyId)} with a
 * {@link ConnectionSource} that hands out one open connection (as a pool does): the query plus
 * the unwrap; {@code miss, DataSource} — the same through a plain H2 {@code DataSource}, which
 * opens a connection (an H2 session, with its password check) per call; {@code hit} —
 * {@code find(tenant, keyId)} from the warm cache, timed in batches of {@value #HIT_BATCH} calls
 * (one call is shorter than the clock's resolution), a sample per batch ({@code misses / 10}
 * samples). Each miss also emits a
 * {@code KEY_UNWRAPPED} audit event; the benchmarks jar has no SLF4J provider, so it is not
 * written anywhere (a real logger adds its own cost).
 *
 * <pre>
 * mvn -o -B -q -pl encryption-converter,benchmarks -am package -DskipTests
 * java -Xms256m -Xmx256m -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.TenantColdMiss \
 *     [misses=2000] [warmup=2000] [rounds=10] [tenants=100] [providers=settings,pkcs11]
 * </pre>
 *
 * Prints median, p90 and p99 per provider and figure, in microseconds (hits in nanoseconds).
 */
public final class TenantColdMiss {
  private static final String SOFTHSM_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";
  private static final String SOFTHSM_UTIL = "/usr/bin/softhsm2-util";
  /** The PIN of the throw-away token (benchmark only, created and deleted by this run). */
  private static final String TOKEN_PIN = "1234";
  private static final String MASTER_ALIAS = "fieldcrypt-master";
  private static final int HIT_BATCH = 1000;

  private TenantColdMiss() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected name=value, got " + arg);
      }
      opts.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    List<String> providers = List.of(opts.getOrDefault("providers", "settings,pkcs11").split(","));
    if (providers.contains("pkcs11") && !opts.containsKey("pkcs11Config")) {
      if (!Files.exists(Path.of(SOFTHSM_LIBRARY)) || !Files.isExecutable(Path.of(SOFTHSM_UTIL))) {
        System.out.println("pkcs11: SoftHSM2 is not installed (" + SOFTHSM_LIBRARY + "), skipped");
        List<String> rest = new ArrayList<>(providers);
        rest.remove("pkcs11");
        opts.put("providers", String.join(",", rest));
      } else {
        System.exit(relaunchWithToken(opts));
      }
    }
    run(opts);
  }

  private static void run(Map<String, String> opts) throws Exception {
    int misses = Integer.parseInt(opts.getOrDefault("misses", "2000"));
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "2000"));
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "10"));
    int tenants = Integer.parseInt(opts.getOrDefault("tenants", "100"));
    List<String> providers = List.of(opts.getOrDefault("providers", "settings,pkcs11").split(","));
    System.out.printf(Locale.ROOT, "misses=%d warmup=%d rounds=%d tenants=%d providers=%s maxMemory=%d MiB cores=%d%n", misses,
        warmup, rounds, tenants, providers, Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());

    List<Provider> setups = new ArrayList<>();
    Pkcs11Token token = null;
    try {
      for (String name : providers) {
        MasterKeysFactory masterKeys;
        switch (name) {
          case "settings" -> {
            FieldcryptSettings settings = FieldcryptSettings.from(
                Map.of(FieldcryptSettings.KEYS, "1:" + TenantBenchmark.MASTER_KEY_BASE64), k -> null, k -> null);
            masterKeys = () -> MasterKeys.fromSettings(settings);
          }
          case "pkcs11" -> {
            if (token == null) {
              token = Pkcs11Token.open(Path.of(opts.get("pkcs11Config")), TOKEN_PIN.toCharArray());
              token.createMasterKey(MASTER_ALIAS);
            }
            Pkcs11Token t = token;
            masterKeys = () -> MasterKeys.inToken(t, Map.of(1, MASTER_ALIAS), 1);
          }
          default -> throw new IllegalArgumentException("unknown provider " + name + " (settings, pkcs11)");
        }
        setups.add(new Provider(name, masterKeys, tenants));
      }

      SplittableRandom random = new SplittableRandom(42);
      IntFunction<int[]> sequence = n -> random.ints(n, 0, tenants).toArray();
      // warm-up: every code path of every provider, not recorded
      for (Provider p : setups) {
        p.missPooled(sequence.apply(warmup), null);
        p.missDataSource(sequence.apply(warmup / 4), null);
        p.hits(sequence.apply(warmup * 50), null);
      }
      int perRound = Math.max(1, misses / rounds);
      for (int round = 0; round < rounds; round++) {
        for (Provider p : setups) {
          p.missPooled(sequence.apply(perRound), p.pooled);
          p.missDataSource(sequence.apply(perRound), p.dataSource);
          p.hits(sequence.apply(perRound * HIT_BATCH / 10), p.hit);
        }
      }
      System.out.printf(Locale.ROOT, "%-10s %-18s %6s %12s %12s %12s%n", "provider", "figure", "n", "median", "p90", "p99");
      for (Provider p : setups) {
        print(p.name, "miss, pooled", p.pooled, 1e-3, "µs");
        print(p.name, "miss, DataSource", p.dataSource, 1e-3, "µs");
        print(p.name, "hit (warm cache)", p.hit, 1, "ns");
        KeyCacheStats cold = p.cold.cacheStats();
        if (cold.hits() != 0) {
          throw new IllegalStateException(p.name + ": the cache-off store had hits: " + cold);
        }
      }
      for (Provider p : setups) {
        p.close();
      }
    } finally {
      if (token != null) {
        token.close();
      }
    }
  }

  private static void print(String provider, String figure, List<Long> samples, double scale, String unit) {
    long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(Locale.ROOT, "%-10s %-18s %6d %9.1f %-2s %9.1f %-2s %9.1f %-2s%n", provider, figure, sorted.length,
        percentile(sorted, 0.5) * scale, unit, percentile(sorted, 0.9) * scale, unit, percentile(sorted, 0.99) * scale, unit);
  }

  private static double percentile(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  @FunctionalInterface
  private interface MasterKeysFactory {
    MasterKeys create();
  }

  /** One provider's database, stores and samples. */
  private static final class Provider {
    final String name;
    final String[] tenants;
    final Connection held;
    final TenantKeyStore cold;
    final TenantKeyStore coldUnpooled;
    final TenantKeyStore warm;
    final List<Long> pooled = new ArrayList<>();
    final List<Long> dataSource = new ArrayList<>();
    final List<Long> hit = new ArrayList<>();
    private final String url;
    long sink;

    Provider(String name, MasterKeysFactory masterKeys, int tenantCount) throws Exception {
      this.name = name;
      this.url = "jdbc:h2:mem:coldmiss_" + name + ";DB_CLOSE_DELAY=-1";
      TenantBenchmark.createDataKeyTable(url);
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL(url);
      ds.setUser("sa");
      ds.setPassword("");
      held = ds.getConnection();
      ConnectionSource pool = new ConnectionSource() {
        @Override
        public Connection open() {
          return held;
        }

        @Override
        public void release(Connection connection) {
          // kept open, as a pool keeps it
        }
      };
      warm = TenantKeyStore.builder(pool, masterKeys.create()).build();
      tenants = new String[tenantCount];
      for (int t = 0; t < tenantCount; t++) {
        tenants[t] = String.format(Locale.ROOT, "tenant-%03d", t);
        warm.activeKey(tenants[t]); // creates the tenant's data key, wrapped by this provider's master key
      }
      cold = TenantKeyStore.builder(pool, masterKeys.create()).cacheTtl(Duration.ZERO).build();
      coldUnpooled = TenantKeyStore.builder(ConnectionSource.of(ds), masterKeys.create()).cacheTtl(Duration.ZERO).build();
      for (String tenant : tenants) {
        String a = warm.find(tenant, 1).fingerprint();
        if (!a.equals(cold.find(tenant, 1).fingerprint()) || !a.equals(coldUnpooled.find(tenant, 1).fingerprint())) {
          throw new IllegalStateException(name + ": the stores disagree on tenant " + tenant);
        }
      }
    }

    void missPooled(int[] order, List<Long> out) {
      timeEach(cold, order, out);
    }

    void missDataSource(int[] order, List<Long> out) {
      timeEach(coldUnpooled, order, out);
    }

    private void timeEach(TenantKeyStore store, int[] order, List<Long> out) {
      for (int t : order) {
        long start = System.nanoTime();
        DataKey key = store.find(tenants[t], 1);
        long elapsed = System.nanoTime() - start;
        sink += key.id();
        if (out != null) {
          out.add(elapsed);
        }
      }
    }

    /** Hits timed in batches of {@link #HIT_BATCH}: one sample is the mean of a batch. */
    void hits(int[] order, List<Long> out) {
      for (int from = 0; from + HIT_BATCH <= order.length; from += HIT_BATCH) {
        long start = System.nanoTime();
        for (int i = from; i < from + HIT_BATCH; i++) {
          sink += warm.find(tenants[order[i]], 1).id();
        }
        long elapsed = System.nanoTime() - start;
        if (out != null) {
          out.add(elapsed / HIT_BATCH);
        }
      }
    }

    void close() throws SQLException {
      warm.close();
      cold.close();
      coldUnpooled.close();
      try (Statement st = held.createStatement()) {
        st.execute("SHUTDOWN");
      }
      held.close();
      if (sink == 42) {
        System.out.println();
      }
    }
  }

  // ---- the SoftHSM2 token ----

  /**
   * Initialises a SoftHSM2 token in a temporary directory and runs this main again in a JVM that
   * has {@code SOFTHSM2_CONF} (the library reads it once, when it loads); deletes the directory.
   */
  private static int relaunchWithToken(Map<String, String> opts) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("fieldcrypt-softhsm");
    try {
      Path tokens = Files.createDirectories(dir.resolve("tokens"));
      Path conf = dir.resolve("softhsm2.conf");
      Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n",
          StandardCharsets.UTF_8);
      ProcessBuilder init = new ProcessBuilder(SOFTHSM_UTIL, "--init-token", "--free", "--label", "fieldcrypt-bench",
          "--pin", TOKEN_PIN, "--so-pin", "5678").redirectErrorStream(true);
      init.environment().put("SOFTHSM2_CONF", conf.toString());
      Process process = init.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("softhsm2-util --init-token failed: " + output);
      }
      // an initialised token moves to a slot numbered from its serial
      Matcher slot = Pattern.compile("reassigned to slot (\\d+)").matcher(output);
      if (!slot.find()) {
        throw new IllegalStateException("softhsm2-util did not say the token's slot: " + output);
      }
      Path config = dir.resolve("sunpkcs11.cfg");
      Files.writeString(config, "name = SoftHSM-bench\nlibrary = " + SOFTHSM_LIBRARY + "\nslot = " + slot.group(1) + "\n",
          StandardCharsets.UTF_8);

      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(TenantColdMiss.class.getName());
      Map<String, String> childOpts = new HashMap<>(opts);
      childOpts.put("pkcs11Config", config.toString());
      childOpts.forEach((k, v) -> command.add(k + "=" + v));
      ProcessBuilder child = new ProcessBuilder(command).inheritIO();
      child.environment().put("SOFTHSM2_CONF", conf.toString());
      return child.start().waitFor();
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
