package io.github.fieldcrypt.benchmarks;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
 * The cost of one field value through the public {@link FieldEncryptor} (string in, base64url v1
 * text out, and back) beside hand-written JCE AES-256-GCM in the same run.
 *
 * <ul>
 *   <li>{@code encrypt_fieldcrypt} / {@code decrypt_fieldcrypt}: {@code encryptToText} /
 *       {@code decryptText} under {@code EncryptionContext.forColumn("users", "email")}, key ring
 *       built from {@code fieldcrypt.keys} once (as Hibernate does at bootstrap).
 *   <li>{@code encrypt_rawJce} / {@code decrypt_rawJce}, <b>the baseline</b>: what a careful
 *       hand-written converter does. A per-thread cached {@code Cipher}, a fresh 12-byte nonce per
 *       value from a per-thread {@code new SecureRandom()}, the key as a ready
 *       {@code SecretKeySpec}, output {@code nonce || ct || tag} as bytes (no base64, no header, no
 *       associated data). String ↔ UTF-8 is included on both sides, as any String converter has it.
 *   <li>{@code encrypt_rawJceBufferedNonce}: the same, but nonces drawn like fieldcrypt's
 *       {@code NonceSource} (a per-thread DRBG read 4 KiB at a time). fieldcrypt minus this is
 *       the pure cost of framing, associated data, key lookup and base64.
 *   <li>{@code encrypt_fieldcryptBytes} / {@code decrypt_fieldcryptBytes}: the binary API
 *       ({@code encrypt(byte[])}), which isolates base64.
 * </ul>
 *
 * <p>Target (issue 2): {@code encrypt_fieldcrypt} and {@code decrypt_fieldcrypt} ≤ 1.3× the raw
 * baseline at 32 bytes. Ratios computed from the same run:
 *
 * <pre>
 * mvn -o -B -pl encryption-converter,benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.Ratios EncryptorBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s \
 *     -prof io.github.fieldcrypt.benchmarks.CpuTimeProfiler -prof gc
 * java -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar io.github.fieldcrypt.benchmarks.Interleaved 40
 * </pre>
 *
 * The ratio table gives wall-clock, CPU-time ({@link CpuTimeProfiler}) and allocation figures;
 * {@link Interleaved} runs the variants in alternation, the figure to trust on a busy machine.
 *
 * or the plain JMH table: {@code java -jar benchmarks/target/benchmarks.jar EncryptorBenchmark -f 1 -wi 3 -i 5}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class EncryptorBenchmark {
  /** Plaintext length in bytes (ASCII, so also in characters). */
  @Param({"32", "256", "4096"})
  public int size;

  /** 32 fixed bytes, base64: benchmark only. */
  static final String KEY_BASE64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

  private FieldEncryptor encryptor;
  private EncryptionContext context;
  private String plaintext;
  private String ciphertextText;
  private byte[] ciphertextBytes;
  private byte[] rawCiphertext;
  private SecretKey rawKey;

  @Setup
  public void setUp() throws GeneralSecurityException {
    encryptor = FieldEncryptor.fromSettings(FieldcryptSettings.from(
        Map.of(FieldcryptSettings.KEYS, "1:" + KEY_BASE64), k -> null, k -> null));
    context = EncryptionContext.forColumn("users", "email");
    plaintext = text(size);
    ciphertextText = encryptor.encryptToText(plaintext, context);
    ciphertextBytes = encryptor.encrypt(plaintext.getBytes(StandardCharsets.UTF_8), context);
    rawKey = new SecretKeySpec(java.util.Base64.getDecoder().decode(KEY_BASE64), "AES");
    rawCiphertext = RawJce.encrypt(rawKey, plaintext, RawJce.RANDOM.get());
    if (!plaintext.equals(encryptor.decryptText(ciphertextText, context)) || !plaintext.equals(RawJce.decrypt(rawKey, rawCiphertext))) {
      throw new IllegalStateException("round trip failed");
    }
  }

  /** An ASCII string of this many characters that looks like field data. */
  static String text(int length) {
    StringBuilder s = new StringBuilder(length);
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789.@-_ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    long x = 0x9E3779B97F4A7C15L;
    while (s.length() < length) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      s.append(alphabet.charAt((int) Math.floorMod(x, alphabet.length())));
    }
    return s.toString();
  }

  // ---- fieldcrypt ----

  @Benchmark
  public String encrypt_fieldcrypt() {
    return encryptor.encryptToText(plaintext, context);
  }

  @Benchmark
  public String decrypt_fieldcrypt() {
    return encryptor.decryptText(ciphertextText, context);
  }

  @Benchmark
  public byte[] encrypt_fieldcryptBytes() {
    return encryptor.encrypt(plaintext.getBytes(StandardCharsets.UTF_8), context);
  }

  @Benchmark
  public String decrypt_fieldcryptBytes() {
    return new String(encryptor.decrypt(ciphertextBytes, context), StandardCharsets.UTF_8);
  }

  // ---- baselines ----

  @Benchmark
  @Baseline
  public byte[] encrypt_rawJce() throws GeneralSecurityException {
    return RawJce.encrypt(rawKey, plaintext, RawJce.RANDOM.get());
  }

  @Benchmark
  public byte[] encrypt_rawJceBufferedNonce() throws GeneralSecurityException {
    return RawJce.encrypt(rawKey, plaintext, RawJce.BUFFERED.get());
  }

  @Benchmark
  @Baseline
  public String decrypt_rawJce() throws GeneralSecurityException {
    return RawJce.decrypt(rawKey, rawCiphertext);
  }

  /** The hand-written converter the baselines stand for. */
  static final class RawJce {
    static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
      try {
        return Cipher.getInstance("AES/GCM/NoPadding");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    });
    static final ThreadLocal<NonceSupplier> RANDOM = ThreadLocal.withInitial(() -> {
      SecureRandom random = new SecureRandom();
      return (out, offset) -> {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, offset, 12);
      };
    });
    static final ThreadLocal<NonceSupplier> BUFFERED = ThreadLocal.withInitial(BufferedDrbg::new);

    static byte[] encrypt(SecretKey key, String plaintext, NonceSupplier nonces) throws GeneralSecurityException {
      byte[] in = plaintext.getBytes(StandardCharsets.UTF_8);
      byte[] out = new byte[12 + in.length + 16];
      nonces.next(out, 0);
      Cipher cipher = CIPHER.get();
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, out, 0, 12));
      cipher.doFinal(in, 0, in.length, out, 12);
      return out;
    }

    static String decrypt(SecretKey key, byte[] value) throws GeneralSecurityException {
      Cipher cipher = CIPHER.get();
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, value, 0, 12));
      return new String(cipher.doFinal(value, 12, value.length - 12), StandardCharsets.UTF_8);
    }
  }

  interface NonceSupplier {
    void next(byte[] out, int offset);
  }

  /** fieldcrypt's nonce approach (crypto.NonceSource is package-private): a DRBG read 4 KiB at a time. */
  static final class BufferedDrbg implements NonceSupplier {
    private static final int BUFFER = (4096 / 12) * 12;
    private final SecureRandom random;
    private final byte[] buffer = new byte[BUFFER];
    private int position = BUFFER;

    BufferedDrbg() {
      try {
        random = SecureRandom.getInstance("DRBG");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void next(byte[] out, int offset) {
      if (position == BUFFER) {
        random.nextBytes(buffer);
        position = 0;
      }
      System.arraycopy(buffer, position, out, offset, 12);
      java.util.Arrays.fill(buffer, position, position + 12, (byte) 0);
      position += 12;
    }
  }
}
