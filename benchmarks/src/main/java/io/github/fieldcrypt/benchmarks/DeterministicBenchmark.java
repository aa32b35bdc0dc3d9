package io.github.fieldcrypt.benchmarks;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Deterministic mode (AES-256-GCM-SIV of {@code crypto.GcmSiv}, HMAC-SHA256 synthetic nonce) beside
 * randomized mode (JDK AES-GCM), both through the public text API, in the same run: the
 * randomized variant is the {@link Baseline}.
 *
 * <p>Target (issue 5): {@code encrypt_deterministic} ≤ 2× {@code encrypt_randomized} at 32 bytes.
 * {@code encryptDistinct_*} does the same with a different plaintext per call (see there).
 *
 * <pre>
 * mvn -o -B -q -pl encryption-converter,benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.Ratios DeterministicBenchmark -f 2 -wi 5 -i 10 -w 1s -r 1s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class DeterministicBenchmark {
  /** Plaintext length in bytes (ASCII). */
  @Param({"32", "256"})
  public int size;

  private FieldEncryptor encryptor;
  private EncryptionContext context;
  private String plaintext;
  private String randomized;
  private String deterministic;
  /** {@link #DISTINCT} different plaintexts of {@link #size} characters, used in turn. */
  private String[] plaintexts;
  private int next;

  /** How many different plaintexts the {@code *Distinct} benchmarks cycle through. */
  static final int DISTINCT = 4096;

  @Setup
  public void setUp() {
    encryptor = FieldEncryptor.fromSettings(FieldcryptSettings.from(
        Map.of(FieldcryptSettings.KEYS, "1:" + EncryptorBenchmark.KEY_BASE64), k -> null, k -> null));
    context = EncryptionContext.forColumn("users", "email");
    plaintext = EncryptorBenchmark.text(size);
    randomized = encryptor.encryptToText(plaintext, context);
    deterministic = encryptor.encryptToTextDeterministic(plaintext, context);
    plaintexts = new String[DISTINCT];
    for (int i = 0; i < DISTINCT; i++) {
      String number = Integer.toString(i);
      plaintexts[i] = number + plaintext.substring(number.length());
    }
    if (!plaintext.equals(encryptor.decryptText(deterministic, context))
        || !deterministic.equals(encryptor.encryptToTextDeterministic(plaintext, context))) {
      throw new IllegalStateException("deterministic round trip failed");
    }
  }

  @Benchmark
  @Baseline
  public String encrypt_randomized() {
    return encryptor.encryptToText(plaintext, context);
  }

  @Benchmark
  public String encrypt_deterministic() {
    return encryptor.encryptToTextDeterministic(plaintext, context);
  }

  @Benchmark
  @Baseline
  public String decrypt_randomized() {
    return encryptor.decryptText(randomized, context);
  }

  @Benchmark
  public String decrypt_deterministic() {
    return encryptor.decryptText(deterministic, context);
  }

  /**
   * Every call another plaintext, as in a real column. It matters for deterministic mode only:
   * GCM-SIV encrypts each value under its own key derived from its synthetic nonce, and SunJCE
   * keeps the AES key schedule of the last key only, so the same plaintext over and over (the
   * {@code encrypt} pair above) reuses one schedule while different plaintexts pay a new one
   * (about 1 µs on SunJCE) per value. Randomized mode uses one key for all values.
   */
  @Benchmark
  @Baseline
  public String encryptDistinct_randomized() {
    return encryptor.encryptToText(nextPlaintext(), context);
  }

  @Benchmark
  public String encryptDistinct_deterministic() {
    return encryptor.encryptToTextDeterministic(nextPlaintext(), context);
  }

  private String nextPlaintext() {
    String value = plaintexts[next];
    next = (next + 1) & (DISTINCT - 1);
    return value;
  }
}
