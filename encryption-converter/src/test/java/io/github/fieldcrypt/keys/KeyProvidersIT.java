package io.github.fieldcrypt.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.hibernate.Person;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.LeakCapture;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.crypto.spec.SecretKeySpec;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key providers picked by {@code fieldcrypt.key-provider}, each end to end with Hibernate. */
class KeyProvidersIT {
  private static final String STORE_PASSWORD = "store-pass-for-tests";

  private static KeyRing load(Map<String, ?> settings) {
    return KeyProviders.load(FieldcryptSettings.from(settings, k -> null, k -> null));
  }

  private static ConfigurationException failure(Map<String, ?> settings) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> load(settings));
    assertThat(t).isInstanceOf(ConfigurationException.class);
    LeakCapture.record(t);
    return (ConfigurationException) t;
  }

  /** The README's keytool command, run for real. */
  private static void keytool(Path store, String alias, String algorithm, int bits) throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process = new ProcessBuilder(keytool.toString(), "-genseckey", "-keyalg", algorithm, "-keysize", String.valueOf(bits),
        "-alias", alias, "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", STORE_PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  private static byte[] entry(Path store, String alias) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      ks.load(in, STORE_PASSWORD.toCharArray());
    }
    return ks.getKey(alias, STORE_PASSWORD.toCharArray()).getEncoded();
  }

  private static Map<String, Object> pkcs12(Path store, String keys) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("fieldcrypt.key-provider", "pkcs12");
    settings.put("fieldcrypt.keystore.path", store.toString());
    settings.put("fieldcrypt.keystore.password", STORE_PASSWORD);
    settings.put("fieldcrypt.keystore.keys", keys);
    return settings;
  }

  @Test
  void pkcs12_store_made_by_keytool_end_to_end_with_hibernate(@TempDir Path dir) throws Exception {
    Path store = dir.resolve("fieldcrypt.p12");
    keytool(store, "fieldcrypt-1", "AES", 256);
    Keygen.addToPkcs12(store, STORE_PASSWORD.toCharArray(), "fieldcrypt-2");
    Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-------"));

    KeyRing ring = load(pkcs12(store, "1:fieldcrypt-1, 2:fieldcrypt-2"));
    assertThat(ring.ids()).containsExactly(1, 2);
    assertThat(ring.active().id()).isEqualTo(2);
    assertThat(ring.find(1).secretKey().getEncoded()).isEqualTo(entry(store, "fieldcrypt-1"));

    Map<String, Object> settings = pkcs12(store, "1:fieldcrypt-1,2:fieldcrypt-2");
    settings.put("fieldcrypt.active-key", "1");
    String url = TestDatabase.H2.url();
    try (SessionFactory sf = Hibernate.sessionFactory(TestDatabase.H2, url, settings, Person.class)) {
      sf.inTransaction(s -> s.persist(new Person(1L, "erin@example.com", "Erin")));
      assertThat(sf.fromTransaction(s -> s.find(Person.class, 1L)).getEmail()).isEqualTo("erin@example.com");
      String stored = Raw.readText(TestDatabase.H2, url, "people", "email", 1);
      FieldEncryptor withStoreKey = FieldEncryptor.create(KeyRing.builder().add(1, entry(store, "fieldcrypt-1")).build());
      assertThat(withStoreKey.decryptText(stored, EncryptionContext.forColumn("people", "email"))).isEqualTo("erin@example.com");
    }
  }

  @Test
  void pkcs12_errors_name_the_setting(@TempDir Path dir) throws Exception {
    Path store = dir.resolve("fieldcrypt.p12");
    keytool(store, "aes", "AES", 256);
    keytool(store, "short", "AES", 128);
    keytool(store, "hmac", "HmacSHA256", 256);
    assertThat(failure(Map.of("fieldcrypt.key-provider", "pkcs12")).getSetting()).isEqualTo("fieldcrypt.keystore.path");
    Map<String, Object> wrongPassword = pkcs12(store, "1:aes");
    wrongPassword.put("fieldcrypt.keystore.password", "not-the-password");
    assertThat(failure(wrongPassword)).hasMessageContaining("wrong fieldcrypt.keystore.password").hasMessageNotContaining("not-the-password");
    assertThat(failure(pkcs12(dir.resolve("missing.p12"), "1:aes")).getSetting()).isEqualTo("fieldcrypt.keystore.path");
    assertThat(failure(pkcs12(store, "1:nope"))).hasMessageContaining("no entry 'nope'").hasMessageContaining("key id 1");
    assertThat(failure(pkcs12(store, "1:short"))).hasMessageContaining("not a 256-bit AES secret key").hasMessageContaining("128 bits");
    assertThat(failure(pkcs12(store, "1:hmac"))).hasMessageContaining("not a 256-bit AES secret key");
    assertThat(failure(pkcs12(store, "1:aes,1:aes"))).hasMessageContaining("Duplicate key id 1");
    assertThat(failure(pkcs12(store, "aes"))).hasMessageContaining("expected id:alias");
    Map<String, Object> badActive = pkcs12(store, "1:aes");
    badActive.put("fieldcrypt.active-key", "9");
    assertThat(failure(badActive).getSetting()).isEqualTo("fieldcrypt.active-key");
    assertThatThrownBy(() -> Keygen.addToPkcs12(store, STORE_PASSWORD.toCharArray(), "aes")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pkcs12_warns_when_other_users_can_read_the_store(@TempDir Path dir) throws Exception {
    Path store = dir.resolve("fieldcrypt.p12");
    Keygen.addToPkcs12(store, STORE_PASSWORD.toCharArray(), "k");
    assertThat(Files.getPosixFilePermissions(store)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    List<String> warnings = new ArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        warnings.add(new java.util.logging.SimpleFormatter().formatMessage(record));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger logger = Logger.getLogger("io.github.fieldcrypt");
    logger.addHandler(handler);
    try {
      load(pkcs12(store, "1:k"));
      assertThat(warnings).noneMatch(w -> w.contains("can be read by users other than its owner"));
      Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-r--r--"));
      load(pkcs12(store, "1:k"));
      assertThat(warnings).anyMatch(w -> w.contains(store.toAbsolutePath() + " can be read by users other than its owner"));
    } finally {
      logger.removeHandler(handler);
    }
  }

  @Test
  void passphrase_derives_one_stable_key_end_to_end_with_hibernate() {
    String salt = Keygen.passphraseSalt();
    Map<String, Object> settings = new HashMap<>();
    settings.put("fieldcrypt.key-provider", "passphrase");
    settings.put("fieldcrypt.passphrase", "correct horse battery staple");
    settings.put("fieldcrypt.passphrase.salt", salt);
    settings.put("fieldcrypt.passphrase.key-id", "3");
    KeyRing first = load(settings);
    KeyRing second = load(settings);
    assertThat(first.ids()).containsExactly(3);
    assertThat(first.active().secretKey().getEncoded()).isEqualTo(second.active().secretKey().getEncoded());
    Map<String, Object> otherSalt = new HashMap<>(settings);
    otherSalt.put("fieldcrypt.passphrase.salt", Keygen.passphraseSalt());
    assertThat(load(otherSalt).active().fingerprint()).isNotEqualTo(first.active().fingerprint());

    String url = TestDatabase.H2.url();
    try (SessionFactory sf = Hibernate.sessionFactory(TestDatabase.H2, url, settings, Person.class)) {
      sf.inTransaction(s -> s.persist(new Person(1L, "frank@example.com", "Frank")));
      assertThat(sf.fromTransaction(s -> s.find(Person.class, 1L)).getEmail()).isEqualTo("frank@example.com");
    }
  }

  @Test
  void passphrase_errors() {
    String salt = Keygen.passphraseSalt();
    assertThat(failure(Map.of("fieldcrypt.key-provider", "passphrase")).getSetting()).isEqualTo("fieldcrypt.passphrase");
    assertThat(failure(Map.of("fieldcrypt.key-provider", "passphrase", "fieldcrypt.passphrase", "short")))
        .hasMessageContaining("at least 12 characters").hasMessageNotContaining("short\"");
    assertThat(failure(Map.of("fieldcrypt.key-provider", "passphrase", "fieldcrypt.passphrase", "long enough passphrase")).getSetting())
        .isEqualTo("fieldcrypt.passphrase.salt");
    assertThat(failure(Map.of("fieldcrypt.key-provider", "passphrase", "fieldcrypt.passphrase", "long enough passphrase",
        "fieldcrypt.passphrase.salt", "c2hvcnQ=")).getMessage()).contains("5 bytes");
    assertThat(failure(Map.of("fieldcrypt.key-provider", "passphrase", "fieldcrypt.passphrase", "long enough passphrase",
        "fieldcrypt.passphrase.salt", salt, "fieldcrypt.passphrase.iterations", "10000")).getSetting())
        .isEqualTo("fieldcrypt.passphrase.iterations");
  }

  /**
   * {@code KeyProviders.check} (Liquibase's validation) finds the same setting errors as loading,
   * but for the passphrase provider does not run PBKDF2: with 2^31 - 1 iterations (a quarter of
   * an hour of derivation) the check returns at once, while the other providers are loaded, a
   * wrong {@code fieldcrypt.active-key} included.
   */
  @Test
  void check_finds_the_setting_errors_without_deriving_a_passphrase_key() {
    Map<String, String> slow = Map.of("fieldcrypt.key-provider", "passphrase", "fieldcrypt.passphrase", "long enough passphrase",
        "fieldcrypt.passphrase.salt", Keygen.passphraseSalt(), "fieldcrypt.passphrase.iterations", String.valueOf(Integer.MAX_VALUE));
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
        () -> KeyProviders.check(FieldcryptSettings.from(slow, k -> null, k -> null)), "the check derived the key");
    for (Map<String, String> wrong : List.of(Map.of("fieldcrypt.key-provider", "passphrase", "fieldcrypt.passphrase", "short"),
        Map.of("fieldcrypt.key-provider", "passphrase", "fieldcrypt.passphrase", "long enough passphrase", "fieldcrypt.passphrase.salt", "c2hvcnQ="),
        Map.of("fieldcrypt.keys", TestKeys.keysSetting(1), "fieldcrypt.active-key", "2"),
        Map.of("fieldcrypt.key-provider", FixedTestKeyProvider.class.getName(), "fieldcrypt.active-key", "7"))) {
      Throwable checked = org.assertj.core.api.Assertions.catchThrowable(() -> KeyProviders.check(FieldcryptSettings.from(wrong, k -> null, k -> null)));
      ConfigurationException loaded = failure(wrong);
      assertThat(checked).isInstanceOf(ConfigurationException.class).hasMessage(loaded.getMessage());
      assertThat(((ConfigurationException) checked).getSetting()).isEqualTo(loaded.getSetting());
    }
  }

  @Test
  void custom_providers_by_service_name_or_class_name_and_unknown_names() {
    assertThat(load(Map.of("fieldcrypt.key-provider", "fixed-test-keys")).ids()).containsExactly(5, 6);
    assertThat(load(Map.of("fieldcrypt.key-provider", FixedTestKeyProvider.class.getName(), "fieldcrypt.active-key", "5")).active().id())
        .isEqualTo(5);
    assertThat(failure(Map.of("fieldcrypt.key-provider", "vault")))
        .hasMessageContaining("Unknown fieldcrypt.key-provider 'vault'")
        .hasMessageContaining("settings").hasMessageContaining("pkcs12").hasMessageContaining("passphrase")
        .hasMessageContaining("fixed-test-keys");
    assertThat(load(Map.of("fieldcrypt.keys", TestKeys.keysSetting(1), "fieldcrypt.key-provider", "SETTINGS")).ids()).containsExactly(1);
  }

  @Test
  void setting_names_list_every_key_setting() throws Exception {
    List<String> declared = new ArrayList<>();
    for (java.lang.reflect.Field field : KeyProviders.class.getFields()) {
      if (field.getType() == String.class && java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
        declared.add((String) field.get(null));
      }
    }
    declared.add(FieldcryptSettings.KEYS);
    declared.add(FieldcryptSettings.ACTIVE_KEY);
    declared.add(FieldcryptSettings.DETERMINISTIC_KEY);
    assertThat(KeyProviders.settingNames()).containsExactlyInAnyOrderElementsOf(declared);
  }

  @Test
  void data_key_to_string_never_shows_the_key() {
    DataKey key = DataKey.of(1, new SecretKeySpec(TestKeys.key(1), "AES").getEncoded());
    assertThat(key.toString()).matches("DataKey\\[id=1, fingerprint=[0-9a-f]{16}]");
  }
}
