package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.keys.KeyRing;
import io.github.fieldcrypt.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The test vectors of FORMAT.md (the project's format specification), read from the file itself
 * and checked three ways: by fieldcrypt, by the JDK's own AES-GCM following FORMAT.md's rules
 * alone, and by Python's {@code cryptography} package; and values fieldcrypt writes on every path
 * (short and long, ASCII text, other text, bytes) read by Python following FORMAT.md alone.
 */
class FormatVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  static Path formatMd() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("FORMAT.md")) && Files.exists(dir.resolve("pom.xml"))) {
        return dir.resolve("FORMAT.md");
      }
    }
    throw new AssertionError("FORMAT.md not found above " + Path.of("").toAbsolutePath());
  }

  static List<Map<String, String>> vectors() throws Exception {
    return vectors("vectors");
  }

  static List<Map<String, String>> vectors(String blockName) throws Exception {
    Matcher block = Pattern.compile("```" + blockName + "\\n(.*?)```", Pattern.DOTALL)
        .matcher(Files.readString(formatMd(), StandardCharsets.UTF_8));
    assertThat(block.find()).as("FORMAT.md has a " + blockName + " block").isTrue();
    List<Map<String, String>> vectors = new ArrayList<>();
    for (String chunk : block.group(1).strip().split("\\n\\n")) {
      Map<String, String> vector = new LinkedHashMap<>();
      for (String line : chunk.strip().split("\\n")) {
        int colon = line.indexOf(':');
        vector.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
      }
      vectors.add(vector);
    }
    return vectors;
  }

  @Test
  void fieldcrypt_decrypts_every_vector() throws Exception {
    List<Map<String, String>> vectors = vectors();
    assertThat(vectors).hasSize(5);
    for (Map<String, String> v : vectors) {
      FieldEncryptor encryptor = FieldEncryptor.create(
          KeyRing.builder().add(Integer.parseInt(v.get("key-id")), HEX.parseHex(v.get("key"))).build());
      EncryptionContext context = EncryptionContext.of(v.get("context"));
      byte[] plaintext = HEX.parseHex(v.get("plaintext-hex"));
      if (v.get("column-kind").equals("text")) {
        assertThat(encryptor.decryptText(v.get("value-text"), context)).as(v.get("vector"))
            .isEqualTo(new String(plaintext, StandardCharsets.UTF_8));
      }
      assertThat(encryptor.decrypt(HEX.parseHex(v.get("value-hex")), context)).as(v.get("vector")).isEqualTo(plaintext);
      // And what fieldcrypt writes today has the same layout: header, then 12 + n + 16 bytes.
      byte[] fresh = encryptor.encrypt(plaintext, context);
      assertThat(Arrays.copyOf(fresh, 6)).isEqualTo(Arrays.copyOf(HEX.parseHex(v.get("value-hex")), 6));
      assertThat(fresh).hasSize(plaintext.length + 34);
    }
  }

  @Test
  void fieldcrypt_writes_and_reads_exactly_the_deterministic_vectors() throws Exception {
    List<Map<String, String>> vectors = vectors("vectors-deterministic");
    assertThat(vectors).hasSize(4);
    for (Map<String, String> v : vectors) {
      FieldEncryptor encryptor = FieldEncryptor.create(
          KeyRing.builder().add(Integer.parseInt(v.get("key-id")), HEX.parseHex(v.get("key"))).build());
      EncryptionContext context = EncryptionContext.of(v.get("context"));
      byte[] plaintext = HEX.parseHex(v.get("plaintext-hex"));
      byte[] value = HEX.parseHex(v.get("value-hex"));
      assertThat(encryptor.encryptDeterministic(plaintext, context)).as(v.get("vector")).isEqualTo(value);
      assertThat(encryptor.decrypt(value, context)).as(v.get("vector")).isEqualTo(plaintext);
      assertThat(AesGcmSiv.hkdfSha256(HEX.parseHex(v.get("key")), AesGcmSiv.ENCRYPTION_KEY_LABEL))
          .isEqualTo(HEX.parseHex(v.get("encryption-key")));
      assertThat(AesGcmSiv.hkdfSha256(HEX.parseHex(v.get("key")), AesGcmSiv.NONCE_KEY_LABEL))
          .isEqualTo(HEX.parseHex(v.get("nonce-key")));
      assertThat(Arrays.copyOfRange(value, 6, 18)).isEqualTo(HEX.parseHex(v.get("nonce")));
      if (v.get("column-kind").equals("text")) {
        assertThat(encryptor.encryptToTextDeterministic(new String(plaintext, StandardCharsets.UTF_8), context))
            .as(v.get("vector")).isEqualTo(v.get("value-text"));
        assertThat(encryptor.decryptText(v.get("value-text"), context)).isEqualTo(new String(plaintext, StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void the_jdk_alone_following_format_md_reads_and_reproduces_every_vector() throws Exception {
    for (Map<String, String> v : vectors()) {
      byte[] value = HEX.parseHex(v.get("value-hex"));
      if (v.containsKey("value-text")) {
        assertThat(v.get("value-text")).doesNotContain("=");
        assertThat(Base64.getUrlDecoder().decode(v.get("value-text"))).isEqualTo(value);
      }
      assertThat(value[0]).isEqualTo((byte) 0xFC);
      assertThat(value[1]).isEqualTo((byte) 0x01);
      assertThat(((value[2] & 0xFF) << 24) | ((value[3] & 0xFF) << 16) | ((value[4] & 0xFF) << 8) | (value[5] & 0xFF))
          .isEqualTo(Integer.parseInt(v.get("key-id")));
      byte[] context = v.get("context").getBytes(StandardCharsets.UTF_8);
      byte[] aad = new byte[6 + context.length];
      System.arraycopy(value, 0, aad, 0, 6);
      System.arraycopy(context, 0, aad, 6, context.length);
      SecretKeySpec key = new SecretKeySpec(HEX.parseHex(v.get("key")), "AES");
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, value, 6, 12));
      cipher.updateAAD(aad);
      assertThat(cipher.doFinal(value, 18, value.length - 18)).as(v.get("vector")).isEqualTo(HEX.parseHex(v.get("plaintext-hex")));
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, HEX.parseHex(v.get("nonce"))));
      cipher.updateAAD(aad);
      assertThat(cipher.doFinal(HEX.parseHex(v.get("plaintext-hex")))).as(v.get("vector"))
          .isEqualTo(Arrays.copyOfRange(value, 18, value.length));
    }
  }

  @Test
  void python_cryptography_reads_and_reproduces_every_vector() throws Exception {
    // The script may sit inside the test jar (hibernate7-tests): run a copy.
    Path script = Files.createTempFile("check_vectors", ".py");
    try (var in = getClass().getResourceAsStream("/format/check_vectors.py")) {
      Files.write(script, in.readAllBytes());
    }
    script.toFile().deleteOnExit();
    // The first python3 whose cryptography has AES-GCM-SIV (42+), else the first with any cryptography.
    String python = null;
    boolean siv = false;
    for (String candidate : List.of("python3", System.getProperty("user.home") + "/.pyenv/shims/python3", "/usr/bin/python3")) {
      if (runs(candidate, "from cryptography.hazmat.primitives.ciphers.aead import AESGCMSIV")) {
        python = candidate;
        siv = true;
        break;
      }
      if (python == null && runs(candidate, "import cryptography")) {
        python = candidate;
      }
    }
    if (python == null) {
      if (TestDatabase.required()) {
        throw new AssertionError("python3 with the cryptography package is required under CI=true");
      }
      Assumptions.abort("python3 with the cryptography package is not installed");
    }
    Process check = new ProcessBuilder(python, script.toString(), formatMd().toString()).redirectErrorStream(true).start();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(check.waitFor(120, TimeUnit.SECONDS)).isTrue();
    if (siv) {
      assertThat(output).isEqualTo("ok 5 4");
    } else {
      // An old cryptography (Debian 12 ships 38) has no AES-GCM-SIV: the randomized vectors are still checked.
      assertThat(output).startsWith("ok 5 skipped-deterministic");
    }
    assertThat(check.exitValue()).isZero();
  }

  @Test
  void python_cryptography_reads_the_values_fieldcrypt_writes_on_every_path() throws Exception {
    String python = null;
    for (String candidate : List.of("python3", System.getProperty("user.home") + "/.pyenv/shims/python3", "/usr/bin/python3")) {
      if (runs(candidate, "from cryptography.hazmat.primitives.ciphers.aead import AESGCM")) {
        python = candidate;
        break;
      }
    }
    if (python == null) {
      if (TestDatabase.required()) {
        throw new AssertionError("python3 with the cryptography package is required under CI=true");
      }
      Assumptions.abort("python3 with the cryptography package is not installed");
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String keyHex = HEX.formatHex(key);
    FieldEncryptor encryptor = FieldEncryptor.fromSettings(FieldcryptSettings.from(
        Map.of(FieldcryptSettings.KEYS, "1:" + Base64.getEncoder().encodeToString(key))));
    EncryptionContext context = EncryptionContext.forColumn("tenants", "api_key");
    List<String> plaintexts = new ArrayList<>();
    StringBuilder lines = new StringBuilder();
    for (int length = 0; length <= 200; length++) {
      // ASCII text (the short text path up to 64 bytes), non-ASCII text, and bytes: every path that writes
      String ascii = "k".repeat(length);
      String other = "\u00e9".repeat(length / 2) + "x".repeat(length % 2);
      byte[] bytes = new byte[length];
      new Random(length).nextBytes(bytes);
      for (byte[] plaintext : List.of(ascii.getBytes(StandardCharsets.UTF_8), other.getBytes(StandardCharsets.UTF_8), bytes)) {
        String text = plaintext == bytes ? CiphertextFormat.toText(encryptor.encrypt(bytes, context))
            : encryptor.encryptToText(new String(plaintext, StandardCharsets.UTF_8), context);
        lines.append(keyHex).append(' ').append(context.value()).append(' ').append(text).append('\n');
        plaintexts.add(HEX.formatHex(plaintext));
      }
    }
    Path input = Files.createTempFile("fieldcrypt-values", ".txt");
    Path script = Files.createTempFile("read_values", ".py");
    try {
      Files.writeString(input, lines);
      try (var in = getClass().getResourceAsStream("/format/read_values.py")) {
        Files.write(script, in.readAllBytes());
      }
      Process read = new ProcessBuilder(python, script.toString(), input.toString()).redirectErrorStream(true).start();
      String output = new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(read.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(read.exitValue()).as(output).isZero();
      assertThat(output.lines().toList()).isEqualTo(plaintexts);
    } finally {
      Files.deleteIfExists(input);
      Files.deleteIfExists(script);
    }
  }

  private static boolean runs(String python, String code) {
    try {
      Process probe = new ProcessBuilder(python, "-c", code).redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      return probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (java.io.IOException | InterruptedException e) {
      return false;
    }
  }
}
