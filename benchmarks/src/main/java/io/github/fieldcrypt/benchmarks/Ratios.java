package io.github.fieldcrypt.benchmarks;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs JMH with its usual command line, then prints each benchmark's score as a ratio to the
 * {@link Baseline @Baseline} of the same class, operation and parameters, measured in the same
 * run. Benchmarks are named {@code <operation>_<variant>} (e.g. {@code encrypt_fieldcrypt},
 * baseline {@code encrypt_rawJce}).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.Ratios EncryptorBenchmark -f 1 -wi 3 -i 5
 * </pre>
 *
 * <p>The ± of a ratio combines the two scores' 99.9% confidence intervals (relative errors
 * added), so it is a rough, conservative band, not a confidence interval of its own.
 */
public final class Ratios {
  private Ratios() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions options = new CommandLineOptions(args);
    Collection<RunResult> results = new Runner(options).run();
    System.out.println();
    System.out.println(table(results));
  }

  /** The ratio table of these results. */
  public static String table(Collection<RunResult> results) {
    // key: class + operation + params  ->  variant -> result
    Map<String, Map<String, RunResult>> groups = new TreeMap<>();
    Map<String, String> baselineVariant = new LinkedHashMap<>();
    for (RunResult run : results) {
      BenchmarkParams params = run.getParams();
      String benchmark = params.getBenchmark();
      int dot = benchmark.lastIndexOf('.');
      String className = benchmark.substring(0, dot);
      String method = benchmark.substring(dot + 1);
      int underscore = method.indexOf('_');
      if (underscore < 0) {
        continue;
      }
      String operation = method.substring(0, underscore);
      String variant = method.substring(underscore + 1);
      StringBuilder key = new StringBuilder(className.substring(className.lastIndexOf('.') + 1)).append(' ').append(operation);
      for (String p : params.getParamsKeys()) {
        key.append(' ').append(p).append('=').append(params.getParam(p));
      }
      groups.computeIfAbsent(key.toString(), k -> new LinkedHashMap<>()).put(variant, run);
      if (isBaseline(className, method)) {
        baselineVariant.put(key.toString(), variant);
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%-50s %-32s %18s %18s %15s", "benchmark (params)", "variant [metric]", "score", "baseline",
        "ratio"));
    for (Map.Entry<String, Map<String, RunResult>> group : groups.entrySet()) {
      String baseVariant = baselineVariant.get(group.getKey());
      RunResult base = baseVariant == null ? null : group.getValue().get(baseVariant);
      for (String metric : METRICS) {
        for (Map.Entry<String, RunResult> variant : group.getValue().entrySet()) {
          Result<?> r = metric(variant.getValue(), metric);
          if (r == null) {
            continue;
          }
          Result<?> b = base == null ? null : metric(base, metric);
          String ratio = "";
          String baseScore = "";
          if (b != null) {
            double q = r.getScore() / b.getScore();
            double rel = relErr(r) + relErr(b);
            ratio = String.format(Locale.ROOT, "%.3f ± %.3f", q, q * rel);
            baseScore = score(b);
          }
          String name = variant.getKey() + (variant.getKey().equals(baseVariant) ? " (baseline)" : "")
              + (metric.isEmpty() ? "" : " [" + metric + "]");
          lines.add(String.format(Locale.ROOT, "%-50s %-32s %18s %18s %15s", group.getKey(), name, score(r), baseScore, ratio));
        }
      }
    }
    return String.join(System.lineSeparator(), lines);
  }

  /** "" is the primary result (wall-clock time); then {@link CpuTimeProfiler}'s and {@code -prof gc}'s bytes per op. */
  private static final List<String> METRICS = List.of("", "cpu.thread", "cpu.process", "gc.alloc.rate.norm");

  private static Result<?> metric(RunResult run, String metric) {
    return metric.isEmpty() ? run.getPrimaryResult() : run.getSecondaryResults().get(metric);
  }

  private static double relErr(Result<?> r) {
    double e = r.getScoreError();
    return Double.isNaN(e) || r.getScore() == 0 ? 0 : e / r.getScore();
  }

  private static String score(Result<?> r) {
    double e = r.getScoreError();
    return Double.isNaN(e)
        ? String.format(Locale.ROOT, "%.1f %s", r.getScore(), r.getScoreUnit())
        : String.format(Locale.ROOT, "%.1f±%.1f %s", r.getScore(), e, r.getScoreUnit());
  }

  private static boolean isBaseline(String className, String method) {
    try {
      for (Method m : Class.forName(className).getMethods()) {
        if (m.getName().equals(method)) {
          return m.isAnnotationPresent(Baseline.class);
        }
      }
    } catch (ClassNotFoundException e) {
      // not on this class path: no baseline known
    }
    return false;
  }
}
