package io.github.fieldcrypt.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.hibernate.Person;
import io.github.fieldcrypt.testing.Ciphertexts;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.LeakCapture;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.SoftHsm;
import io.github.fieldcrypt.testing.TestDatabase;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pkcs11 provider against a real SoftHSM2 token: the master key stays in the token. */
class Pkcs11KeyProviderIT {
  private static Path config;
  private static String wrapped1;
  private static String wrapped2;

  @BeforeAll
  static void token() throws Exception {
    config = SoftHsm.token();
    // PKCS#11 keeps the login per process: a wrong PIN is only detected before the first good
    // login of this JVM, so it is checked first.
    Throwable wrongPin = catchThrowable(() -> Pkcs11Token.open(config, "9999".toCharArray()));
    assertThat(wrongPin).isInstanceOf(ConfigurationException.class);
    assertThat(((ConfigurationException) wrongPin).getSetting()).isEqualTo("fieldcrypt.pkcs11.pin");
    try (Pkcs11Token token = Pkcs11Token.open(config, SoftHsm.PIN.toCharArray())) {
      token.createMasterKey("fieldcrypt-master");
      assertThat(token.createMasterKey("fieldcrypt-master")).as("an existing master key is kept").isFalse();
      wrapped1 = token.wrapNewDataKey("fieldcrypt-master", 1);
      wrapped2 = token.wrapNewDataKey("fieldcrypt-master", 2);
    }
  }

  private static Map<String, Object> settings(String wrappedKeys) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("fieldcrypt.key-provider", "pkcs11");
    settings.put("fieldcrypt.pkcs11.config", config.toString());
    settings.put("fieldcrypt.pkcs11.pin", SoftHsm.PIN);
    settings.put("fieldcrypt.pkcs11.wrapped-keys", wrappedKeys);
    return settings;
  }

  private static KeyRing load(Map<String, Object> settings) {
    return KeyProviders.load(FieldcryptSettings.from(settings, k -> null, k -> null));
  }

  private static ConfigurationException failure(Map<String, Object> settings) {
    Throwable t = catchThrowable(() -> load(settings));
    assertThat(t).isInstanceOf(ConfigurationException.class);
    LeakCapture.record(t);
    return (ConfigurationException) t;
  }

  /**
   * The token keeps the handle of a master key it found (finding it is most of an unwrap's cost).
   * When the key under that alias is replaced behind its back, the next wrap finds the new key and
   * a value wrapped by the old one fails as not authentic, not with a provider error.
   */
  @Test
  void a_replaced_master_key_is_found_again() throws Exception {
    byte[] aad = "fieldcrypt-test|replaced".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (Pkcs11Token token = Pkcs11Token.open(config, SoftHsm.PIN.toCharArray())) {
      token.createMasterKey("replaced-master");
      DataKey key = DataKey.of(7, new byte[32]);
      byte[] before = token.wrap("replaced-master", key, aad);
      assertThat(token.unwrap("replaced-master", 7, before, aad).fingerprint()).isEqualTo(key.fingerprint());
      assertThat(token.masterKey("replaced-master")).as("kept").isSameAs(token.masterKey("replaced-master"));

      java.security.Provider other = java.security.Security.getProvider("SunPKCS11").configure(config.toString());
      java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS11", other);
      store.load(null, SoftHsm.PIN.toCharArray());
      store.deleteEntry("replaced-master");
      try (Pkcs11Token second = Pkcs11Token.open(config, SoftHsm.PIN.toCharArray())) {
        assertThat(second.createMasterKey("replaced-master")).isTrue();
      }

      byte[] after = token.wrap("replaced-master", key, aad);
      assertThat(token.unwrap("replaced-master", 7, after, aad).fingerprint()).isEqualTo(key.fingerprint());
      assertThat(catchThrowable(() -> token.unwrap("replaced-master", 7, before, aad)))
          .isInstanceOf(javax.crypto.AEADBadTagException.class);
    }
  }

  @Test
  void the_master_key_never_leaves_the_token() {
    try (Pkcs11Token token = Pkcs11Token.open(config, SoftHsm.PIN.toCharArray())) {
      assertThat(token.masterKey("fieldcrypt-master")).isNotNull();
      assertThat(token.masterKey("fieldcrypt-master").getEncoded()).isNull();
    }
  }

  @OnEachDatabase
  void wrapped_data_keys_end_to_end_with_hibernate(TestDatabase db) throws Exception {
    KeyRing ring = load(settings("1:" + wrapped1 + ",2:" + wrapped2));
    assertThat(ring.ids()).containsExactly(1, 2);
    assertThat(load(settings("1:" + wrapped1)).active().fingerprint()).isEqualTo(ring.find(1).fingerprint());

    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings("1:" + wrapped1 + ",2:" + wrapped2), Person.class)) {
      sf.inTransaction(s -> s.persist(new Person(1L, "grace@example.com", "Grace")));
      assertThat(sf.fromTransaction(s -> s.find(Person.class, 1L)).getEmail()).isEqualTo("grace@example.com");
      String stored = Raw.readText(db, url, "people", "email", 1);
      assertThat(io.github.fieldcrypt.FieldEncryptor.create(ring)
          .inspectText(stored, io.github.fieldcrypt.EncryptionContext.forColumn("people", "email")).keyId()).isEqualTo(2);
      assertThat(Ciphertexts.encryptor(1, 2).inspectText(stored, io.github.fieldcrypt.EncryptionContext.forColumn("people", "email")).state())
          .as("the test keys are not the token's keys").isNotEqualTo(io.github.fieldcrypt.FieldEncryptor.Inspection.State.ENCRYPTED);
    }
  }

  @Test
  void errors_name_the_setting() {
    assertThat(failure(settings("2:" + wrapped1))).hasMessageContaining("does not unwrap").hasMessageContaining("id 2");
    Map<String, Object> otherMaster = settings("1:" + wrapped1);
    otherMaster.put("fieldcrypt.pkcs11.master-key", "no-such-master");
    assertThat(failure(otherMaster).getSetting()).isEqualTo("fieldcrypt.pkcs11.master-key");
    assertThat(failure(settings("1:" + wrapped1.substring(4))).getSetting()).isEqualTo("fieldcrypt.pkcs11.wrapped-keys");
    Map<String, Object> noConfig = settings("1:" + wrapped1);
    noConfig.put("fieldcrypt.pkcs11.config", config.resolveSibling("missing.cfg").toString());
    assertThat(failure(noConfig).getSetting()).isEqualTo("fieldcrypt.pkcs11.config");
  }
}
