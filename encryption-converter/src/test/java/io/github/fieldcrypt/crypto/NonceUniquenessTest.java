package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.testing.Ciphertexts;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.spec.AlgorithmParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Random nonces never repeat in practice, and nothing public lets a caller choose one. */
class NonceUniquenessTest {
  private static final int N = 1 << 20;

  @Test
  void two_to_the_twenty_encryptions_of_one_value_repeat_no_nonce() {
    FieldEncryptor encryptor = Ciphertexts.encryptor(1);
    EncryptionContext context = EncryptionContext.forColumn("users", "email");
    byte[] plaintext = "the same value every time".getBytes();
    long[] prefixes = new long[N];
    int[] suffixes = new int[N];
    for (int i = 0; i < N; i++) {
      byte[] value = encryptor.encrypt(plaintext, context);
      prefixes[i] = prefix(value);
      suffixes[i] = suffix(value);
    }
    assertDistinct(prefixes, suffixes);
  }

  @Test
  void nonces_from_concurrent_threads_do_not_repeat_either() throws Exception {
    FieldEncryptor encryptor = Ciphertexts.encryptor(1);
    EncryptionContext context = EncryptionContext.forColumn("users", "email");
    int perThread = N / 4;
    List<CompletableFuture<long[][]>> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(CompletableFuture.supplyAsync(() -> {
        long[] p = new long[perThread];
        long[] s = new long[perThread];
        for (int i = 0; i < perThread; i++) {
          byte[] value = encryptor.encrypt(new byte[] {1}, context);
          p[i] = prefix(value);
          s[i] = suffix(value);
        }
        return new long[][] {p, s};
      }, java.util.concurrent.Executors.newSingleThreadExecutor()));
    }
    long[] prefixes = new long[perThread * 4];
    int[] suffixes = new int[perThread * 4];
    for (int t = 0; t < 4; t++) {
      long[][] result = threads.get(t).get();
      System.arraycopy(result[0], 0, prefixes, t * perThread, perThread);
      for (int i = 0; i < perThread; i++) {
        suffixes[t * perThread + i] = (int) result[1][i];
      }
    }
    assertDistinct(prefixes, suffixes);
  }

  /** First 8 of the 12 nonce bytes. */
  private static long prefix(byte[] value) {
    long p = 0;
    for (int i = 0; i < 8; i++) {
      p = p << 8 | (value[CiphertextFormat.NONCE_OFFSET + i] & 0xFF);
    }
    return p;
  }

  /** Last 4 of the 12 nonce bytes. */
  private static int suffix(byte[] value) {
    int s = 0;
    for (int i = 8; i < 12; i++) {
      s = s << 8 | (value[CiphertextFormat.NONCE_OFFSET + i] & 0xFF);
    }
    return s;
  }

  /** Distinct 96-bit nonces: sort by the 64-bit prefix; equal prefixes must differ in the suffix. */
  private static void assertDistinct(long[] prefixes, int[] suffixes) {
    Integer[] order = new Integer[prefixes.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> Long.compare(prefixes[a], prefixes[b]));
    int repeats = 0;
    for (int i = 1; i < order.length; i++) {
      if (prefixes[order[i]] == prefixes[order[i - 1]] && suffixes[order[i]] == suffixes[order[i - 1]]) {
        repeats++;
      }
    }
    assertThat(repeats).as("repeated nonces among %d", prefixes.length).isZero();
    assertThat(Arrays.stream(prefixes).distinct().count()).as("the nonces are not constant").isGreaterThan(prefixes.length - 2L);
  }

  @Test
  void no_public_api_takes_a_callers_nonce() throws IOException, URISyntaxException, ClassNotFoundException {
    Path classes = Path.of(FieldEncryptor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> offenders = new ArrayList<>();
    int scanned = 0;
    List<Path> files;
    if (Files.isDirectory(classes)) {
      try (Stream<Path> walk = Files.walk(classes)) {
        files = walk.filter(p -> p.toString().endsWith(".class")).toList();
      }
    } else {
      try (var jar = new java.util.jar.JarFile(classes.toFile())) {
        files = jar.stream().map(e -> Path.of(e.getName())).filter(p -> p.toString().endsWith(".class")).toList();
        classes = Path.of("");
      }
    }
    for (Path file : files) {
      String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
      Class<?> type = Class.forName(name, false, getClass().getClassLoader());
      if (!Modifier.isPublic(type.getModifiers())) {
        continue;
      }
      scanned++;
      List<Executable> members = new ArrayList<>(Arrays.asList(type.getDeclaredMethods()));
      members.addAll(Arrays.asList((Constructor<?>[]) type.getDeclaredConstructors()));
      for (Executable member : members) {
        if (!Modifier.isPublic(member.getModifiers()) && !Modifier.isProtected(member.getModifiers())) {
          continue;
        }
        for (Parameter parameter : member.getParameters()) {
          String p = parameter.getName().toLowerCase(Locale.ROOT);
          if (!parameter.isNamePresent()) {
            throw new AssertionError("compile with -parameters: the check reads parameter names");
          }
          if (p.contains("nonce") || p.equals("iv") || AlgorithmParameterSpec.class.isAssignableFrom(parameter.getType())) {
            offenders.add(type.getSimpleName() + "." + member.getName() + "(" + parameter.getName() + ")");
          }
        }
      }
    }
    assertThat(scanned).as("public classes scanned").isGreaterThan(10);
    assertThat(offenders).isEmpty();
    // The known-answer seam exists, and is not public.
    Method seam = Arrays.stream(AesGcm.class.getDeclaredMethods()).filter(m -> m.getName().equals("sealWithNonce")).findFirst().orElseThrow();
    assertThat(Modifier.isPublic(seam.getModifiers()) || Modifier.isProtected(seam.getModifiers())).isFalse();
  }
}
