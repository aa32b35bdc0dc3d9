package io.github.fieldcrypt.keys.envelope;

import static io.github.fieldcrypt.keys.envelope.Support.decrypt;
import static io.github.fieldcrypt.keys.envelope.Support.encrypt;
import static io.github.fieldcrypt.testing.Failures.fieldcryptFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.keys.Keygen;
import io.github.fieldcrypt.keys.Pkcs11Token;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.SoftHsm;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every master key source, through the settings a SessionFactory would get: the key ring of the
 * {@code settings}, {@code pkcs12} and {@code passphrase} providers, and master keys inside a
 * PKCS#11 token (SoftHSM2). Each wraps tenant keys that a restarted store unwraps, and a wrong
 * master key of each kind fails the start naming its setting.
 */
class MasterKeySourcesIT {
  private static final String STORE_PASSWORD = "store-pass-for-tests";

  private static FieldcryptSettings settings(KeyTable table, Map<String, Object> keys) {
    Map<String, Object> all = new HashMap<>(keys);
    all.put(FieldcryptSettings.TENANT_MODE, "true");
    all.put(FieldcryptSettings.DATA_KEY_TABLE, table.name);
    return FieldcryptSettings.from(all, k -> null, k -> null);
  }

  /** Creates keys for two tenants with {@code right}, reads them back after a restart, and fails to start with {@code wrong}. */
  private static void wrapsAndUnwraps(KeyTable table, Map<String, Object> right, Map<String, Object> wrong, String wrongSetting) {
    String acmeValue;
    String acmeFingerprint;
    try (TenantKeyStore store = TenantKeyStore.fromSettings(settings(table, right), table.connections())) {
      DataKey acme = store.activeKey("acme");
      store.activeKey("globex");
      acmeValue = encrypt(acme, "acme", "acme's secret");
      acmeFingerprint = acme.fingerprint();
    }
    try (TenantKeyStore restarted = TenantKeyStore.fromSettings(settings(table, right), table.connections())) {
      DataKey acme = restarted.find("acme", 1);
      assertThat(acme.fingerprint()).isEqualTo(acmeFingerprint);
      assertThat(decrypt(acme, "acme", acmeValue)).isEqualTo("acme's secret");
    }
    FieldcryptException failure = fieldcryptFailure(() -> TenantKeyStore.fromSettings(settings(table, wrong), table.connections()));
    assertThat(failure).isInstanceOf(ConfigurationException.class).hasMessageContaining("master key id");
    assertThat(((ConfigurationException) failure).getSetting()).isEqualTo(wrongSetting);
  }

  @Test
  void settings_key_ring() throws Exception {
    try (KeyTable table = KeyTable.create(TestDatabase.H2)) {
      wrapsAndUnwraps(table, Map.of("fieldcrypt.keys", TestKeys.keysSetting(1)),
          Map.of("fieldcrypt.keys", "1:" + TestKeys.base64(2)), "fieldcrypt.keys");
    }
  }

  @Test
  void pkcs12_key_store(@TempDir Path dir) throws Exception {
    Path store = dir.resolve("master.p12");
    Keygen.addToPkcs12(store, STORE_PASSWORD.toCharArray(), "fieldcrypt-master-1");
    Path other = dir.resolve("other.p12");
    Keygen.addToPkcs12(other, STORE_PASSWORD.toCharArray(), "fieldcrypt-master-1");
    try (KeyTable table = KeyTable.create(TestDatabase.H2)) {
      wrapsAndUnwraps(table, pkcs12(store), pkcs12(other), "fieldcrypt.keystore.keys");
    }
  }

  private static Map<String, Object> pkcs12(Path store) {
    return Map.of("fieldcrypt.key-provider", "pkcs12", "fieldcrypt.keystore.path", store.toString(),
        "fieldcrypt.keystore.password", STORE_PASSWORD, "fieldcrypt.keystore.keys", "1:fieldcrypt-master-1");
  }

  @Test
  void passphrase() throws Exception {
    String salt = Keygen.passphraseSalt();
    try (KeyTable table = KeyTable.create(TestDatabase.H2)) {
      wrapsAndUnwraps(table,
          Map.of("fieldcrypt.key-provider", "passphrase", "fieldcrypt.passphrase", "correct horse battery staple", "fieldcrypt.passphrase.salt", salt),
          Map.of("fieldcrypt.key-provider", "passphrase", "fieldcrypt.passphrase", "correct horse battery stapler", "fieldcrypt.passphrase.salt", salt),
          "fieldcrypt.passphrase");
    }
  }

  @OnEachDatabase
  void pkcs11_master_keys_wrap_and_unwrap_inside_the_token(TestDatabase db) throws Exception {
    Path config = SoftHsm.otherToken(); // not the token whose wrong-PIN check Pkcs11KeyProviderIT needs first
    String first = "fc-tenant-master-" + UUID.randomUUID();
    String second = "fc-tenant-master-" + UUID.randomUUID();
    try (Pkcs11Token token = Pkcs11Token.open(config, SoftHsm.PIN.toCharArray())) {
      assertThat(token.createMasterKey(first)).isTrue();
      assertThat(token.createMasterKey(second)).isTrue();
    }
    try (KeyTable table = KeyTable.create(db)) {
      // the default: fieldcrypt.pkcs11.master-key is master key id 1
      Map<String, Object> one = pkcs11(config, Map.of("fieldcrypt.pkcs11.master-key", first));
      wrapsAndUnwraps(table, one, pkcs11(config, Map.of("fieldcrypt.pkcs11.master-keys", "1:" + second)), "fieldcrypt.pkcs11.master-keys");

      // master key rotation inside the token: both listed, the second active, rewrap, then the first can go
      Map<String, String> fingerprints = new HashMap<>();
      try (TenantKeyStore both = TenantKeyStore.fromSettings(settings(table,
          pkcs11(config, Map.of("fieldcrypt.pkcs11.master-keys", "1:" + first + ",2:" + second))), table.connections())) {
        assertThat(both.masterKeys().activeId()).isEqualTo(2);
        for (String tenant : List.of("acme", "globex")) {
          fingerprints.put(tenant, both.find(tenant, 1).fingerprint());
        }
        assertThat(both.rewrap(2)).isEqualTo(2);
        assertThat(both.activeKey("initech").id()).isEqualTo(1);
      }
      assertThat(table.count("master_key_id = 2")).isEqualTo(3);
      try (TenantKeyStore onlySecond = TenantKeyStore.fromSettings(settings(table,
          pkcs11(config, Map.of("fieldcrypt.pkcs11.master-keys", "2:" + second))), table.connections())) {
        for (String tenant : List.of("acme", "globex")) {
          assertThat(onlySecond.find(tenant, 1).fingerprint()).isEqualTo(fingerprints.get(tenant));
        }
      }
      FieldcryptException missing = fieldcryptFailure(() -> TenantKeyStore.fromSettings(settings(table,
          pkcs11(config, Map.of("fieldcrypt.pkcs11.master-keys", "2:no-such-master"))), table.connections()));
      assertThat(missing).isInstanceOf(ConfigurationException.class).hasMessageContaining("no master key 'no-such-master'");
      assertThat(((ConfigurationException) missing).getSetting()).isEqualTo("fieldcrypt.pkcs11.master-keys");
    }
  }

  /**
   * A SessionFactory in tenant mode whose master key is in the token: the settings the README
   * gives for it (no {@code fieldcrypt.pkcs11.wrapped-keys}, no {@code fieldcrypt.keys}) start it,
   * and a tenant's values are written and read back.
   */
  @OnEachDatabase
  void pkcs11_master_key_serves_a_session_factory_in_tenant_mode(TestDatabase db) throws Exception {
    Path config = SoftHsm.otherToken();
    String master = "fc-tenant-master-" + UUID.randomUUID();
    try (Pkcs11Token token = Pkcs11Token.open(config, SoftHsm.PIN.toCharArray())) {
      assertThat(token.createMasterKey(master)).isTrue();
    }
    String url = db.url();
    try (KeyTable table = KeyTable.create(db, url)) {
      Map<String, Object> settings = pkcs11(config, Map.of("fieldcrypt.pkcs11.master-key", master));
      settings.put(FieldcryptSettings.TENANT_MODE, "true");
      settings.put(FieldcryptSettings.DATA_KEY_TABLE, table.name);
      try (org.hibernate.SessionFactory sf = io.github.fieldcrypt.testing.Hibernate.sessionFactory(db, url, settings,
          TenantModeIT.Secret.class)) {
        try (org.hibernate.Session s = sf.withOptions().tenantIdentifier((Object) "acme").openSession()) {
          s.beginTransaction();
          s.persist(new TenantModeIT.Secret(1, "acme's secret", "alice@acme.example"));
          s.getTransaction().commit();
        }
        try (org.hibernate.Session s = sf.withOptions().tenantIdentifier((Object) "acme").openSession()) {
          TenantModeIT.Secret read = s.find(TenantModeIT.Secret.class, 1L);
          assertThat(read.body).isEqualTo("acme's secret");
          assertThat(read.email).isEqualTo("alice@acme.example");
        }
      }
      assertThat(table.count("master_key_id = 1")).isEqualTo(1);
    }
  }

  private static Map<String, Object> pkcs11(Path config, Map<String, Object> masterKeys) {
    Map<String, Object> settings = new HashMap<>(masterKeys);
    settings.put("fieldcrypt.key-provider", "pkcs11");
    settings.put("fieldcrypt.pkcs11.config", config.toString());
    settings.put("fieldcrypt.pkcs11.pin", SoftHsm.PIN);
    return settings;
  }
}
