package io.github.fieldcrypt.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Python's {@code cryptography.fernet}, the independent Fernet implementation the tests check
 * fieldcrypt against, run as a subprocess ({@code src/test/resources/fernet/fernet_tool.py}).
 * Without python3 and the package the calling test is skipped, or fails under {@code CI=true}.
 */
public final class PythonFernet {
  private static final HexFormat HEX = HexFormat.of();
  private static volatile Path script;
  private static volatile Boolean available;

  private PythonFernet() {}

  /** Skips the calling test when python3 with {@code cryptography} is missing; fails instead under {@code CI=true}. */
  public static void require() {
    if (available == null) {
      available = probe();
    }
    if (!available) {
      if (TestDatabase.required()) {
        throw new AssertionError("python3 with the cryptography package is required under CI=true");
      }
      Assumptions.abort("python3 with the cryptography package is not installed");
    }
  }

  private static boolean probe() {
    try {
      Process probe = new ProcessBuilder("python3", "-c", "import cryptography.fernet").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      return probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException noPython) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** {@code Fernet.generate_key()}: a fresh key as Python prints it. */
  public static String generateKey() {
    return run(List.of("generate_key")).get(0);
  }

  /** {@code Fernet(key).encrypt(plaintext)} for each plaintext (UTF-8): the tokens, in order. */
  public static List<String> encrypt(String key, List<String> plaintexts) {
    List<String> commands = new ArrayList<>();
    for (String p : plaintexts) {
      commands.add("encrypt " + key + " x" + HEX.formatHex(p.getBytes(StandardCharsets.UTF_8)));
    }
    return run(commands);
  }

  /** {@code Fernet(key).encrypt(plaintext)} of raw bytes. */
  public static String encrypt(String key, byte[] plaintext) {
    return run(List.of("encrypt " + key + " x" + HEX.formatHex(plaintext))).get(0);
  }

  /** {@code Fernet(key)._encrypt_from_parts(plaintext, time, iv)}: a token of a fixed time and IV. */
  public static String encryptAt(String key, byte[] plaintext, long time, byte[] iv) {
    return run(List.of("encrypt_at " + key + " x" + HEX.formatHex(plaintext) + " " + time + " x" + HEX.formatHex(iv))).get(0);
  }

  /** {@link #encryptAt(String, byte[], long, byte[])} for each plaintext, in one process. */
  public static List<String> encryptAt(String key, List<byte[]> plaintexts, long time, byte[] iv) {
    List<String> commands = new ArrayList<>();
    for (byte[] p : plaintexts) {
      commands.add("encrypt_at " + key + " x" + HEX.formatHex(p) + " " + time + " x" + HEX.formatHex(iv));
    }
    return run(commands);
  }

  /**
   * {@code decrypt_at_time(token, ttl, now)} of one token at each of these times: the plaintext,
   * or {@code null} where Python raises {@code InvalidToken}.
   */
  public static List<byte[]> decryptAtTimes(List<String> keys, long ttl, List<Long> nows, String token) {
    List<String> commands = new ArrayList<>();
    for (long now : nows) {
      commands.add("decrypt " + String.join(",", keys) + " " + ttl + " " + now + " " + token);
    }
    return answers(run(commands));
  }

  /**
   * {@code MultiFernet([Fernet(k) for k in keys]).decrypt(token)} for each token: the plaintext
   * bytes, or {@code null} where Python raises {@code InvalidToken}.
   */
  public static List<byte[]> decrypt(List<String> keys, List<String> tokens) {
    return decrypt(keys, null, 0, tokens);
  }

  /** The same with {@code decrypt_at_time(token, ttl, now)} when {@code ttl} is not null. */
  public static List<byte[]> decrypt(List<String> keys, Long ttl, long now, List<String> tokens) {
    List<String> commands = new ArrayList<>();
    for (String token : tokens) {
      commands.add("decrypt " + String.join(",", keys) + " " + (ttl == null ? "- -" : ttl + " " + now) + " " + token);
    }
    return answers(run(commands));
  }

  private static List<byte[]> answers(List<String> lines) {
    List<byte[]> result = new ArrayList<>();
    for (String line : lines) {
      if (line.equals("invalid")) {
        result.add(null);
      } else if (line.startsWith("ok x")) {
        result.add(HEX.parseHex(line.substring(4)));
      } else {
        throw new AssertionError("unexpected answer from fernet_tool.py");
      }
    }
    return result;
  }

  /** Runs the commands in one python3 process; one answer line per command. */
  private static List<String> run(List<String> commands) {
    require();
    try {
      Process process = new ProcessBuilder("python3", script().toString()).start();
      CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
      CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
      try (OutputStream in = process.getOutputStream()) {
        in.write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      if (!process.waitFor(300, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("fernet_tool.py did not finish in 300 s");
      }
      String out = new String(stdout.get(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        // the tool prints no data on errors: its stderr is Python's traceback of the failing line number
        throw new AssertionError("fernet_tool.py exited with " + process.exitValue() + ": "
            + new String(stderr.get(), StandardCharsets.UTF_8).lines().reduce((a, b) -> b).orElse(""));
      }
      List<String> lines = out.isEmpty() ? List.of() : List.of(out.split("\n"));
      if (lines.size() != commands.size()) {
        throw new AssertionError("fernet_tool.py answered " + lines.size() + " lines to " + commands.size() + " commands");
      }
      return lines;
    } catch (IOException | java.util.concurrent.ExecutionException e) {
      throw new AssertionError("running fernet_tool.py failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The script, copied out of the classpath (it may sit in a test jar). */
  private static synchronized Path script() throws IOException {
    if (script == null) {
      Path copy = Files.createTempFile("fernet_tool", ".py");
      try (InputStream in = PythonFernet.class.getResourceAsStream("/fernet/fernet_tool.py")) {
        if (in == null) {
          throw new AssertionError("/fernet/fernet_tool.py is not on the test classpath");
        }
        Files.write(copy, in.readAllBytes());
      }
      copy.toFile().deleteOnExit();
      script = copy;
    }
    return script;
  }
}
