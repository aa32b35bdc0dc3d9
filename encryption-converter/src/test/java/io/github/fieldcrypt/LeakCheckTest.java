package io.github.fieldcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.hibernate.Person;
import io.github.fieldcrypt.testing.Ciphertexts;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.LeakCapture;
import io.github.fieldcrypt.testing.Planted;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * No plaintext, key bytes or ciphertext in any log line, exception message or toString.
 *
 * <p>Runs in its own surefire execution after the rest of the suite (see the pom). First it
 * provokes every error path with planted secrets and checks the full stack traces; then it
 * searches everything the whole suite printed and logged ({@link LeakCapture}, written to
 * {@code target/leak-capture/}) for the planted plaintexts and the test keys.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeakCheckTest {

  @Test
  @Order(1)
  void every_error_path_names_context_and_key_id_but_no_secret() throws Exception {
    List<Throwable> failures = new ArrayList<>();
    List<String> stored = new ArrayList<>();
    TestDatabase db = TestDatabase.H2;
    String url = db.url();
    Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings, Person.class)) {
      sf.inTransaction(s -> s.persist(new Person(1L, Planted.API_KEY, "x")));
      String ciphertext = Raw.readText(db, url, "people", "email", 1);
      stored.add(ciphertext);
      byte[] bytes = CiphertextFormat.fromText(ciphertext);
      bytes[bytes.length - 3] ^= 4;
      String tampered = CiphertextFormat.toText(bytes);
      stored.add(tampered);
      for (String value : List.of(tampered, Planted.LEGACY, ciphertext.substring(0, 50),
          Ciphertexts.encryptor(1, 2).encryptToText(Planted.API_KEY, EncryptionContext.forColumn("people", "email")))) {
        Raw.write(db, url, "people", "email", 1, value);
        failures.add(catchThrowable(() -> sf.fromTransaction(s -> s.find(Person.class, 1L))));
      }
    }
    String key = TestKeys.base64(3);
    for (Map<String, Object> bad : List.of(
        Map.<String, Object>of("fieldcrypt.keys", key),
        Map.<String, Object>of("fieldcrypt.keys", "1:" + key.substring(0, 40) + "*" + key.substring(41)),
        Map.<String, Object>of("fieldcrypt.keys", "1:" + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(TestKeys.key(3), 31))),
        Map.<String, Object>of("fieldcrypt.keys", key + ":" + key),
        Map.<String, Object>of("fieldcrypt.keys", "1:" + key, "fieldcrypt.active-key", key),
        Map.<String, Object>of("fieldcrypt.keys", "1:" + key + ",1:" + key))) {
      failures.add(catchThrowable(() -> Hibernate.sessionFactory(db, db.url(), bad, Person.class).close()));
    }
    assertThat(failures).hasSize(10).doesNotContainNull();
    for (Throwable failure : failures) {
      LeakCapture.record(failure);
      String trace = stackTrace(failure);
      assertThat(trace).contains("fieldcrypt");
      assertNoSecret(trace, stored);
    }
  }

  @Test
  @Order(2)
  void to_string_of_keys_settings_and_encryptors_shows_no_key_material() {
    FieldcryptSettings settings = FieldcryptSettings.from(Map.of("fieldcrypt.keys", TestKeys.keysSetting(1, 2)), k -> null, k -> null);
    FieldEncryptor encryptor = FieldEncryptor.fromSettings(settings);
    String all = settings + " " + encryptor + " " + encryptor.keyRing() + " " + encryptor.keyRing().active() + " "
        + encryptor.keyRing().find(1) + " " + EncryptionContext.forColumn("people", "email");
    assertNoSecret(all, List.of());
    assertThat(all).contains("ids=[1, 2]").contains("active=2");
  }

  @Test
  @Order(3)
  void nothing_the_whole_suite_printed_or_logged_contains_a_planted_secret() throws Exception {
    assertThat(LeakCapture.isInstalled()).as("LeakCapture is registered as a JUnit launcher session listener").isTrue();
    Path dir = LeakCapture.captureDirectory();
    Assumptions.assumeTrue(dir != null, "run by the build (mvn verify), which captures the suite's output first");
    StringBuilder captured = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        captured.append(Files.readString(file, StandardCharsets.UTF_8));
      }
    }
    // The capture is the real output of the suite: fieldcrypt logs its key ring summary at every
    // bootstrap, and the tests record the typed exceptions they provoke.
    assertThat(captured).contains("INFO: fieldcrypt: ").contains("Cannot decrypt").contains("DecryptionException")
        .contains("No encryption keys configured").contains("AllTypes.text");
    assertNoSecret(captured.toString(), List.of());
  }

  private static void assertNoSecret(String text, List<String> ciphertexts) {
    for (String plaintext : Planted.plaintexts()) {
      assertThat(text).as("planted plaintext").doesNotContain(plaintext);
    }
    for (String keyForm : Planted.keyForms()) {
      assertThat(text).as("a test key").doesNotContain(keyForm);
    }
    for (String ciphertext : ciphertexts) {
      assertThat(text).as("a stored ciphertext").doesNotContain(ciphertext.substring(8, 40));
    }
  }

  private static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
