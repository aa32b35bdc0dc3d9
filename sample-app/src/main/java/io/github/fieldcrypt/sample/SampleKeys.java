package io.github.fieldcrypt.sample;

import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.keys.KeyProviders;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The demo's keys: from the key provider configured in the environment or system properties
 * ({@code FIELDCRYPT_KEY_PROVIDER} and its settings), else from {@code FIELDCRYPT_KEYS} when
 * set, otherwise a demo key file in the demo folder (made on first run). A key next to its
 * database is for a demo only.
 *
 * @param source where the keys come from when not from the demo file (for messages), else {@code null}
 */
record SampleKeys(Path file, String keys, int activeId, String source) {
  static SampleKeys load(Path dir, PrintWriter out) throws IOException {
    FieldcryptSettings configured = FieldcryptSettings.from(Map.of());
    String provider = configured.get(KeyProviders.KEY_PROVIDER);
    if (provider != null && !provider.trim().equalsIgnoreCase("settings")) {
      // the provider reads its own settings from the environment / system properties
      String source = "the key provider '" + provider.trim() + "' (" + FieldcryptSettings.environmentVariable(KeyProviders.KEY_PROVIDER) + ")";
      out.println("Keys: from " + source);
      return new SampleKeys(null, null, -1, source);
    }
    String fromEnv = configured.get(FieldcryptSettings.KEYS);
    if (fromEnv != null) {
      String source = FieldcryptSettings.environmentVariable(FieldcryptSettings.KEYS);
      out.println("Keys: from " + source + " / -Dfieldcrypt.keys");
      return new SampleKeys(null, fromEnv, -1, source);
    }
    Path file = dir.resolve("demo-keys.txt");
    if (!Files.exists(file)) {
      Files.writeString(file, "1:" + randomKey() + "\n", StandardCharsets.UTF_8);
    }
    String keys = Files.readString(file, StandardCharsets.UTF_8).trim();
    out.println("Keys: FIELDCRYPT_KEYS is not set, so this demo uses the key file " + file.toAbsolutePath());
    out.println("      (demo only: in production the key never sits next to the data; see the README)");
    return new SampleKeys(file, keys, highestId(keys), null);
  }

  /** Whether the keys come from the environment or system properties (a key provider, or FIELDCRYPT_KEYS), not the demo file. */
  boolean fromEnvironment() {
    return source != null;
  }

  /** The key settings to pass on: none with a key provider (it reads its own from the environment). */
  Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>();
    if (keys != null) {
      settings.put(FieldcryptSettings.KEYS, keys);
    }
    return settings;
  }

  /** Adds a key with the next id to the file; it becomes active (the highest id). */
  SampleKeys rotate() throws IOException {
    int next = highestId(keys) + 1;
    String rotated = keys + "," + next + ":" + randomKey();
    Files.writeString(file, rotated + "\n", StandardCharsets.UTF_8);
    return new SampleKeys(file, rotated, next, null);
  }

  private static int highestId(String keys) {
    int max = 0;
    for (String entry : keys.split(",")) {
      max = Math.max(max, Integer.parseInt(entry.substring(0, entry.indexOf(':')).trim()));
    }
    return max;
  }

  private static String randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  @Override
  public String toString() {
    return "SampleKeys[" + (fromEnvironment() ? "environment" : file) + "]";
  }
}
