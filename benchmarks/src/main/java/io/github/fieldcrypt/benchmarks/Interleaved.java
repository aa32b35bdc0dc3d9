package io.github.fieldcrypt.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A cross-check of {@link EncryptorBenchmark}'s ratios that holds up on a busy machine: the
 * variants run in turns of 20 ms, round after round, in one JVM, so a burst of load from other
 * processes hits all of them alike; each round gives a ratio to the baseline and the median of
 * those ratios is reported (with the 25th and 75th percentiles). JMH's own figures come first;
 * this only says whether the ratio is stable under load.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.Interleaved [rounds] [size...]
 * java -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.Interleaved hibernate [rounds] [h2|postgresql...]
 * java -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.Interleaved tenant [rounds]
 * </pre>
 *
 * Defaults: 60 rounds, sizes 32, 256 and 4096; for {@link HibernateBenchmark}: 10 rounds (each
 * round one persist-and-load of plain, plain with values as wide as ciphertexts, and encrypted,
 * in a rotating order, after 3 warm-up rounds), both databases; for {@link TenantBenchmark} ({@code tenant}): 60 rounds of its
 * decrypt and encrypt variants at 32 bytes, the single-key ones the baselines.
 */
public final class Interleaved {
  private static final long SLICE_NANOS = 20_000_000L;
  private static long sink;

  private Interleaved() {}

  /** One benchmark variant: returns something whose length feeds the sink. */
  interface Op {
    int run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("hibernate")) {
      hibernate(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("tenant")) {
      tenant(args.length > 1 ? Integer.parseInt(args[1]) : 60);
      return;
    }
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int[] sizes = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {32, 256, 4096};
    System.out.printf(Locale.ROOT, "%-8s %-28s %12s %12s %22s%n", "size", "variant", "median ns/op", "baseline", "ratio median [p25, p75]");
    for (int size : sizes) {
      EncryptorBenchmark b = new EncryptorBenchmark();
      b.size = size;
      b.setUp();
      Map<String, Op> encrypt = new LinkedHashMap<>();
      encrypt.put("encrypt_rawJce", () -> b.encrypt_rawJce().length);
      encrypt.put("encrypt_rawJceBufferedNonce", () -> b.encrypt_rawJceBufferedNonce().length);
      encrypt.put("encrypt_fieldcrypt", () -> b.encrypt_fieldcrypt().length());
      encrypt.put("encrypt_fieldcryptBytes", () -> b.encrypt_fieldcryptBytes().length);
      Map<String, Op> decrypt = new LinkedHashMap<>();
      decrypt.put("decrypt_rawJce", () -> b.decrypt_rawJce().length());
      decrypt.put("decrypt_fieldcrypt", () -> b.decrypt_fieldcrypt().length());
      decrypt.put("decrypt_fieldcryptBytes", () -> b.decrypt_fieldcryptBytes().length());
      report(size, encrypt, rounds);
      report(size, decrypt, rounds);
      Map<String, Op> roundTrip = new LinkedHashMap<>();
      roundTrip.put("roundTrip_rawJce", () -> b.encrypt_rawJce().length + b.decrypt_rawJce().length());
      roundTrip.put("roundTrip_fieldcrypt", () -> b.encrypt_fieldcrypt().length() + b.decrypt_fieldcrypt().length());
      report(size, roundTrip, rounds);
    }
    if (sink == 42) {
      System.out.println();
    }
  }

  private static void tenant(int rounds) throws Exception {
    System.out.printf(Locale.ROOT, "%-8s %-28s %12s %12s %22s%n", "size", "variant", "median ns/op", "baseline", "ratio median [p25, p75]");
    TenantBenchmark b = new TenantBenchmark();
    b.setUp();
    try {
      Map<String, Op> decrypt = new LinkedHashMap<>();
      decrypt.put("decrypt_singleKey", () -> b.decrypt_singleKey().length());
      decrypt.put("decrypt_tenant", () -> b.decrypt_tenant().length());
      decrypt.put("decrypt_sameTenant", () -> b.decrypt_sameTenant().length());
      decrypt.put("decrypt_keyRing100", () -> b.decrypt_keyRing100().length());
      Map<String, Op> encrypt = new LinkedHashMap<>();
      encrypt.put("encrypt_singleKey", () -> b.encrypt_singleKey().length());
      encrypt.put("encrypt_tenant", () -> b.encrypt_tenant().length());
      report(32, decrypt, rounds);
      report(32, encrypt, rounds);
    } finally {
      b.tearDown();
    }
    if (sink == 42) {
      System.out.println();
    }
  }

  private static void hibernate(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    String[] databases = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : new String[] {"h2", "postgresql"};
    org.openjdk.jmh.infra.Blackhole bh = new org.openjdk.jmh.infra.Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    System.out.printf(Locale.ROOT, "%-12s %10s %10s %10s %22s %22s%n", "database", "plain ms", "wide ms", "encrypted ms",
        "encrypted/plain [p25, p75]", "wide/plain [p25, p75]");
    for (String database : databases) {
      HibernateBenchmark b = new HibernateBenchmark();
      b.database = database;
      try {
        b.setUp();
      } catch (IllegalStateException unreachable) {
        System.out.printf(Locale.ROOT, "%-12s skipped: %s%n", database, unreachable.getMessage());
        continue;
      }
      try {
        double[] plain = new double[rounds];
        double[] wide = new double[rounds];
        double[] encrypted = new double[rounds];
        double[] ratios = new double[rounds];
        double[] wideRatios = new double[rounds];
        Runnable[] ops = {() -> b.persistAndLoad_plain(bh), () -> b.persistAndLoad_plainWide(bh), () -> b.persistAndLoad_encrypted(bh)};
        for (int r = -3; r < rounds; r++) {
          // the three in a rotating order, so none always follows the same one
          double[] t = new double[3];
          for (int k = 0; k < 3; k++) {
            int which = Math.floorMod(r + k, 3);
            t[which] = timed(ops[which], b);
          }
          if (r >= 0) {
            plain[r] = t[0];
            wide[r] = t[1];
            encrypted[r] = t[2];
            ratios[r] = t[2] / t[0];
            wideRatios[r] = t[1] / t[0];
          }
        }
        System.out.printf(Locale.ROOT, "%-12s %10.1f %10.1f %10.1f %8.3f [%.3f, %.3f] %8.3f [%.3f, %.3f]%n", database,
            percentile(plain, 50), percentile(wide, 50), percentile(encrypted, 50), percentile(ratios, 50), percentile(ratios, 25),
            percentile(ratios, 75), percentile(wideRatios, 50), percentile(wideRatios, 25), percentile(wideRatios, 75));
      } finally {
        b.tearDown();
      }
    }
  }

  /** One operation after emptying the tables (not timed); ms. */
  private static double timed(Runnable op, HibernateBenchmark b) {
    b.emptyTables();
    long start = System.nanoTime();
    op.run();
    return (System.nanoTime() - start) / 1e6;
  }

  /** Runs the variants in turns; the first one is the baseline. */
  private static void report(int size, Map<String, Op> variants, int rounds) throws Exception {
    List<String> names = new ArrayList<>(variants.keySet());
    int n = names.size();
    // Warm-up: 2 s each, also in turns.
    for (int r = 0; r < 100; r++) {
      for (String name : names) {
        slice(variants.get(name));
      }
    }
    double[][] nsPerOp = new double[n][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < n; i++) {
        // Rotate the order so no variant always follows the same one.
        int v = (i + r) % n;
        nsPerOp[v][r] = slice(variants.get(names.get(v)));
      }
    }
    double baseMedian = percentile(nsPerOp[0], 50);
    for (int v = 0; v < n; v++) {
      double[] ratios = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        ratios[r] = nsPerOp[v][r] / nsPerOp[0][r];
      }
      System.out.printf(Locale.ROOT, "%-8d %-28s %12.1f %12.1f %8.3f [%.3f, %.3f]%n", size, names.get(v) + (v == 0 ? " (base)" : ""),
          percentile(nsPerOp[v], 50), baseMedian, percentile(ratios, 50), percentile(ratios, 25), percentile(ratios, 75));
    }
  }

  /** Runs the op for one slice; ns per op. */
  private static double slice(Op op) throws Exception {
    long start = System.nanoTime();
    long end = start + SLICE_NANOS;
    long ops = 0;
    long now;
    long s = 0;
    do {
      for (int i = 0; i < 16; i++) {
        s += op.run();
      }
      ops += 16;
      now = System.nanoTime();
    } while (now < end);
    sink += s;
    return (double) (now - start) / ops;
  }

  private static double percentile(double[] values, int p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double index = (sorted.length - 1) * p / 100.0;
    int lo = (int) Math.floor(index);
    int hi = (int) Math.ceil(index);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (index - lo);
  }
}
