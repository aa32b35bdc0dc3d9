package io.github.fieldcrypt.keys.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.DecryptionException;
import io.github.fieldcrypt.Encrypted;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.KeyDestroyedException;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.spi.TenantResolver;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.annotations.TenantId;
import org.junit.jupiter.api.Test;

/**
 * Tenant mode through Hibernate: {@code @Encrypted} values are encrypted under their tenant's data
 * key (from {@code fieldcrypt_data_keys}, wrapped by the master key from {@code fieldcrypt.keys}),
 * with the tenant in the associated data; the tenant is the session's tenant identifier.
 */
class TenantModeIT {

  @Entity(name = "Secret")
  @Table(name = "tenant_secrets")
  static class Secret {
    @Id Long id;

    @TenantId
    @Column(name = "tenant_id", length = 64)
    String tenant;

    @Encrypted
    @Column(length = 300)
    String body;

    @Encrypted(deterministic = true)
    @Column(length = 200)
    String email;

    @Encrypted
    @Column(name = "attachment", length = 200)
    byte[] blob;

    Secret() {}

    Secret(long id, String body, String email) {
      this.id = id;
      this.body = body;
      this.email = email;
      this.blob = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static Map<String, Object> settings(KeyTable table) {
    Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
    settings.put("fieldcrypt.tenant-mode", "true");
    settings.put("fieldcrypt.data-key-table", table.name);
    return settings;
  }

  private static Session open(SessionFactory sf, String tenant) {
    return sf.withOptions().tenantIdentifier((Object) tenant).openSession();
  }

  private static void inTenant(SessionFactory sf, String tenant, java.util.function.Consumer<Session> work) {
    try (Session s = open(sf, tenant)) {
      s.beginTransaction();
      work.accept(s);
      s.getTransaction().commit();
    }
  }

  @OnEachDatabase
  void each_tenant_reads_its_own_rows_under_its_own_key(TestDatabase db) throws Exception {
    String url = db.url();
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    try (KeyTable table = KeyTable.create(db, url);
        SessionFactory sf = Hibernate.sessionFactory(db, url, withRegistry(settings(table), registry), Secret.class)) {
      // First writes of two tenants: each gets its first data key in that transaction.
      inTenant(sf, "acme", s -> {
        s.persist(new Secret(1, "acme's secret", "alice@acme.example"));
        s.persist(new Secret(2, "acme's other secret", "bob@acme.example"));
      });
      inTenant(sf, "globex", s -> s.persist(new Secret(3, "globex's secret", "alice@acme.example")));
      assertThat(table.count("")).isEqualTo(2);

      // Each tenant reads its rows (Hibernate's discriminator adds tenant_id = ? to every query).
      inTenant(sf, "acme", s -> {
        List<Secret> rows = s.createSelectionQuery("from Secret order by id", Secret.class).getResultList();
        assertThat(rows).extracting(r -> r.body).containsExactly("acme's secret", "acme's other secret");
        assertThat(new String(rows.get(0).blob, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("acme's secret");
        // Deterministic lookup under the tenant's key.
        assertThat(s.createSelectionQuery("from Secret where email = :e", Secret.class).setParameter("e", "bob@acme.example")
            .getSingleResult().id).isEqualTo(2L);
        assertThat(s.createSelectionQuery("from Secret where email = 'bob@acme.example'", Secret.class)
            .getSingleResult().id).as("a literal is encrypted like a parameter").isEqualTo(2L);
      });
      inTenant(sf, "globex", s -> assertThat(s.find(Secret.class, 3L).email).isEqualTo("alice@acme.example"));
      // The tenant key cache in the metrics: the first reads of each tenant hit keys cached at commit.
      assertThat(registry.find("fieldcrypt.key.cache").tag("result", "hit").functionCounter().count()).isPositive();
      assertThat(registry.find("fieldcrypt.key.cache").tag("result", "miss").functionCounter()).isNotNull();

      // The stored values: v1 under each tenant's key id 1, bound to "<table>.<column>|tenant=<id>".
      String acmeBody = Raw.readText(db, url, "tenant_secrets", "body", 1);
      String globexEmail = Raw.readText(db, url, "tenant_secrets", "email", 3);
      String acmeEmail = Raw.readText(db, url, "tenant_secrets", "email", 1);
      assertThat(globexEmail).as("same e-mail, other tenant: other ciphertext").isNotEqualTo(acmeEmail);
      try (TenantKeyStore store = table.store(Support.ring(1)).build()) {
        DataKey acmeKey = store.find("acme", CiphertextFormat.keyId(CiphertextFormat.fromText(acmeBody)));
        EncryptionContext acmeContext = EncryptionContext.forColumn("tenant_secrets", "body").forTenant("acme");
        assertThat(new String(FieldEncryptor.decryptWithKeys(CiphertextFormat.fromText(acmeBody), acmeContext, id -> acmeKey),
            java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("acme's secret");
        DataKey globexKey = store.find("globex", 1);
        assertThat(globexKey.fingerprint()).isNotEqualTo(acmeKey.fingerprint());
      }

      // A ciphertext moved into another tenant's row does not decrypt there: authentication fails.
      Raw.write(db, url, "tenant_secrets", "body", 3, acmeBody);
      assertThatThrownBy(() -> inTenant(sf, "globex", s -> s.find(Secret.class, 3L)))
          .satisfies(e -> assertThat(cause(e, DecryptionException.class)).isNotNull()
              .satisfies(d -> assertThat(((DecryptionException) d).getReason()).isEqualTo(DecryptionException.Reason.AUTHENTICATION_FAILED)))
          .satisfies(e -> assertThat(fullText(e)).doesNotContain("acme's secret"));
    }
  }

  /**
   * Tenant mode's meters time the encryption itself (done by the column type, where the session
   * and its tenant are), once per value, and count decryption failures by cause, as in key ring
   * mode: the converter, which only formats there, records nothing of its own.
   */
  @Test
  void metrics_time_tenant_encryption_once_per_value_and_count_failures_by_cause() throws Exception {
    TestDatabase db = TestDatabase.H2;
    String url = db.url();
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    try (KeyTable table = KeyTable.create(db, url);
        SessionFactory sf = Hibernate.sessionFactory(db, url, withRegistry(settings(table), registry), Secret.class)) {
      inTenant(sf, "acme", s -> {
        for (long id = 1; id <= 3; id++) {
          s.persist(new Secret(id, "acme's secret " + id, "user" + id + "@acme.example"));
        }
      });
      for (long id = 1; id <= 3; id++) {
        long row = id;
        try (Session s = open(sf, "acme")) {
          assertThat(s.find(Secret.class, row).body).isEqualTo("acme's secret " + row);
        }
      }
      assertThat(timerCount(registry, "fieldcrypt.encrypt", "attribute", "body", "outcome", "success")).isEqualTo(3);
      assertThat(timerCount(registry, "fieldcrypt.encrypt", "attribute", "blob", "outcome", "success")).isEqualTo(3);
      assertThat(timerCount(registry, "fieldcrypt.decrypt", "attribute", "body", "outcome", "success")).isEqualTo(3);
      assertThat(timerCount(registry, "fieldcrypt.decrypt", "attribute", "blob", "outcome", "success")).isEqualTo(3);
      assertThat(registry.find("fieldcrypt.encrypt").tags("attribute", "body").timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
          .isPositive();

      // Another column's ciphertext in row 2 (it authenticates only under its own column), and a
      // value never encrypted in row 3.
      Raw.write(db, url, "tenant_secrets", "body", 2, Raw.readText(db, url, "tenant_secrets", "email", 2));
      Raw.write(db, url, "tenant_secrets", "body", 3, "never encrypted");
      for (long id = 2; id <= 3; id++) {
        long row = id;
        assertThatThrownBy(() -> inTenant(sf, "acme", s -> s.find(Secret.class, row))).isNotNull();
      }
      assertThat(registry.find("fieldcrypt.decrypt.failures").tags("column", "tenant_secrets.body", "cause", "AUTHENTICATION_FAILED")
          .counter().count()).isEqualTo(1.0);
      assertThat(registry.find("fieldcrypt.decrypt.failures").tags("column", "tenant_secrets.body", "cause", "NOT_CIPHERTEXT")
          .counter().count()).isEqualTo(1.0);
      assertThat(timerCount(registry, "fieldcrypt.decrypt", "attribute", "body", "outcome", "failure")).isEqualTo(2);
    }
  }

  private static long timerCount(io.micrometer.core.instrument.simple.SimpleMeterRegistry registry, String name, String... tags) {
    var timer = registry.find(name).tags(tags).timer();
    return timer == null ? 0 : timer.count();
  }

  @OnEachDatabase
  void a_first_key_made_in_a_rolled_back_transaction_is_not_used_afterwards(TestDatabase db) throws Exception {
    String url = db.url();
    try (KeyTable table = KeyTable.create(db, url);
        SessionFactory sf = Hibernate.sessionFactory(db, url, settings(table), Secret.class)) {
      try (Session s = open(sf, "initech")) {
        s.beginTransaction();
        s.persist(new Secret(10, "never committed", "x@initech.example"));
        s.flush();
        assertThat(table.count("")).as("not visible outside the session's transaction").isZero();
        Number inSession = (Number) s.createNativeQuery("select count(*) from " + table.name + " where tenant_id = 'initech'", Object.class)
            .getSingleResult();
        assertThat(inSession.longValue()).as("the key row is written in the session's transaction").isEqualTo(1);
        s.getTransaction().rollback();
      }
      assertThat(table.count("")).isZero();
      inTenant(sf, "initech", s -> s.persist(new Secret(11, "committed", "y@initech.example")));
      assertThat(table.count("tenant_id = ?", "initech")).isEqualTo(1);
      // A new SessionFactory (empty cache) reads it: the key it used is the one in the table.
      try (SessionFactory fresh = Hibernate.sessionFactory(db, url, withoutDdl(settings(table)), Secret.class)) {
        try (Session s = open(fresh, "initech")) {
          assertThat(s.find(Secret.class, 11L).body).isEqualTo("committed");
        }
      }
    }
  }

  @OnEachDatabase
  void master_key_rotation_leaves_every_row_readable_and_touches_no_row(TestDatabase db) throws Exception {
    String url = db.url();
    try (KeyTable table = KeyTable.create(db, url)) {
      Map<String, Object> settings = settings(table);
      settings.put("hibernate.hbm2ddl.auto", "create");
      try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings, Secret.class)) {
        inTenant(sf, "acme", s -> s.persist(new Secret(1, "acme", "a@acme.example")));
        inTenant(sf, "globex", s -> s.persist(new Secret(2, "globex", "g@globex.example")));
      }
      String rowsBefore = Raw.readText(db, url, "tenant_secrets", "body", 1) + Raw.readText(db, url, "tenant_secrets", "body", 2);
      // Master key 2 joins; rewrap moves every data key under it in one transaction.
      try (TenantKeyStore store = table.store(Support.ring(1, 2)).build()) {
        assertThat(store.rewrap(2)).isEqualTo(2);
        assertThat(store.masterKeyUsage()).containsOnlyKeys(2);
      }
      assertThat(Raw.readText(db, url, "tenant_secrets", "body", 1) + Raw.readText(db, url, "tenant_secrets", "body", 2))
          .as("no data row changed").isEqualTo(rowsBefore);
      // The application now needs only master key 2.
      Map<String, Object> rotated = withoutDdl(settings(table));
      rotated.put("fieldcrypt.keys", TestKeys.keysSetting(2));
      try (SessionFactory sf = Hibernate.sessionFactory(db, url, rotated, Secret.class)) {
        try (Session s = open(sf, "acme")) {
          assertThat(s.find(Secret.class, 1L).body).isEqualTo("acme");
        }
        try (Session s = open(sf, "globex")) {
          assertThat(s.find(Secret.class, 2L).body).isEqualTo("globex");
        }
      } finally {
        try (java.sql.Connection c = db.connect(url); java.sql.Statement st = c.createStatement()) {
          st.execute("drop table if exists tenant_secrets");
        }
      }
    }
  }

  @OnEachDatabase
  void crypto_shredding_makes_one_tenants_rows_unreadable(TestDatabase db) throws Exception {
    String url = db.url();
    Map<String, Object> settings;
    try (KeyTable table = KeyTable.create(db, url)) {
      settings = settings(table);
      settings.put("fieldcrypt.key-cache-ttl", "PT0S");
      try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings, Secret.class)) {
        inTenant(sf, "acme", s -> s.persist(new Secret(1, "acme", "a@acme.example")));
        inTenant(sf, "globex", s -> s.persist(new Secret(2, "globex", "g@globex.example")));
        try (TenantKeyStore store = table.store(Support.ring(1)).build()) {
          assertThat(store.destroy("acme")).isEqualTo(1);
        }
        assertThatThrownBy(() -> inTenant(sf, "acme", s -> s.find(Secret.class, 1L)))
            .satisfies(e -> assertThat(cause(e, KeyDestroyedException.class)).isNotNull());
        try (Session s = open(sf, "globex")) {
          assertThat(s.find(Secret.class, 2L).body).isEqualTo("globex");
        }
      } finally {
        try (java.sql.Connection c = db.connect(url); java.sql.Statement st = c.createStatement()) {
          st.execute("drop table if exists tenant_secrets");
        }
      }
    }
  }

  /** The tenant from fieldcrypt's TenantResolver when the session has none (no Hibernate multi-tenancy). */
  public static final class ThreadTenant implements TenantResolver {
    static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    @Override
    public String currentTenant() {
      return CURRENT.get();
    }
  }

  @Entity(name = "Plain")
  @Table(name = "tenant_plain")
  static class Plain {
    @Id Long id;

    @Encrypted
    @Column(length = 200)
    String body;
  }

  @Test
  void a_tenant_resolver_names_the_tenant_without_hibernate_multi_tenancy() throws Exception {
    TestDatabase db = TestDatabase.H2;
    String url = db.url();
    try (KeyTable table = KeyTable.create(db, url)) {
      Map<String, Object> settings = settings(table);
      settings.put("fieldcrypt.tenant-resolver", ThreadTenant.class.getName());
      try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings, Plain.class)) {
        Plain p = new Plain();
        p.id = 1L;
        p.body = "hello";
        assertThatThrownBy(() -> sf.inTransaction(s -> s.persist(p)))
            .satisfies(e -> assertThat(cause(e, FieldcryptException.class)).hasMessageContaining("no tenant identifier"));
        ThreadTenant.CURRENT.set("umbrella");
        try {
          sf.inTransaction(s -> s.persist(p));
          assertThat(sf.fromTransaction(s -> s.find(Plain.class, 1L)).body).isEqualTo("hello");
          assertThat(table.count("tenant_id = ?", "umbrella")).isEqualTo(1);
        } finally {
          ThreadTenant.CURRENT.remove();
        }
      }
    }
  }

  @Test
  void a_wrong_master_key_fails_the_session_factory_at_start() throws Exception {
    TestDatabase db = TestDatabase.H2;
    String url = db.url();
    try (KeyTable table = KeyTable.create(db, url)) {
      try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings(table), Secret.class)) {
        inTenant(sf, "acme", s -> s.persist(new Secret(1, "acme", "a@acme.example")));
      }
      String before = table.digest();
      Map<String, Object> wrong = withoutDdl(settings(table));
      wrong.put("fieldcrypt.keys", "1:" + TestKeys.base64(2)); // other bytes under master key id 1
      assertThatThrownBy(() -> Hibernate.sessionFactory(db, url, wrong, Secret.class))
          .satisfies(e -> assertThat(cause(e, io.github.fieldcrypt.ConfigurationException.class)).isNotNull());
      assertThat(table.digest()).isEqualTo(before);
    }
  }

  private static Map<String, Object> withRegistry(Map<String, Object> settings, Object registry) {
    settings.put("fieldcrypt.meter-registry", registry);
    return settings;
  }

  private static Map<String, Object> withoutDdl(Map<String, Object> settings) {
    Map<String, Object> copy = new HashMap<>(settings);
    copy.put("hibernate.hbm2ddl.auto", "none");
    return copy;
  }

  private static Throwable cause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return t;
      }
    }
    return null;
  }

  private static String fullText(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t).append('\n');
    }
    return all.toString();
  }
}
