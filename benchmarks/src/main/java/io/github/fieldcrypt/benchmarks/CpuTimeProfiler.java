package io.github.fieldcrypt.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResultMetaData;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation, a figure that other processes on a shared machine disturb much less
 * than wall-clock time: {@code cpu.thread} is the benchmark threads' own CPU time,
 * {@code cpu.process} the whole JVM's (so it includes the GC work caused by allocation).
 * Both are normalised by all the operations the iteration performed.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar EncryptorBenchmark -prof io.github.fieldcrypt.benchmarks.CpuTimeProfiler
 * </pre>
 *
 * Meaningful for benchmarks whose whole cost is in this JVM (not for a database server's share).
 */
public final class CpuTimeProfiler implements InternalProfiler {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long processStart;
  private long threadStart;

  @Override
  public String getDescription() {
    return "CPU time per operation (benchmark threads, whole process)";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    processStart = os.getProcessCpuTime();
    threadStart = workerCpuTime();
  }

  @Override
  public List<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
      IterationResult result) {
    long process = os.getProcessCpuTime() - processStart;
    long thread = workerCpuTime() - threadStart;
    IterationResultMetaData meta = result.getMetadata();
    long ops = meta == null ? 0 : meta.getAllOps();
    if (ops <= 0) {
      return List.of();
    }
    return List.of(
        new ScalarResult("cpu.thread", (double) thread / ops, "ns/op", AggregationPolicy.AVG),
        new ScalarResult("cpu.process", (double) process / ops, "ns/op", AggregationPolicy.AVG));
  }

  /**
   * CPU time of JMH's worker threads. They are created per iteration, so time of threads that
   * ended is lost; JMH keeps its workers alive across iterations of one fork, which this relies on.
   */
  private long workerCpuTime() {
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().contains("jmh-worker")) {
        long ns = threads.getThreadCpuTime(t.getId());
        if (ns > 0) {
          total += ns;
        }
      }
    }
    return total;
  }
}
