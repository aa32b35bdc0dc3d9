package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.Encrypted;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.testing.Ciphertexts;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.Table;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Root;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/**
 * {@code @Encrypted(deterministic = true)}: equality queries (parameters, literals, {@code in},
 * Criteria), unique constraints and case-insensitive lookups work on the encrypted column, with
 * nothing else in the application changed; the stored values are deterministic ciphertexts.
 */
class DeterministicQueriesIT {

  @Entity(name = "Member")
  @Table(name = "members")
  static class Member {
    @Id Long id;

    @Encrypted(deterministic = true)
    @Column(unique = true, length = 200)
    String email;

    @Encrypted(deterministic = true)
    @Column(name = "backup_email", length = 200)
    String backupEmail;

    @Encrypted(deterministic = true, ignoreCase = true)
    @Column(length = 200)
    String handle;

    @Encrypted(deterministic = true)
    @Column(length = 100)
    Long accountNumber;

    @Encrypted
    @Column(name = "api_key", length = 200)
    String apiKey;

    Member() {}

    Member(long id, String email, String handle, long accountNumber) {
      this.id = id;
      this.email = email;
      this.backupEmail = email;
      this.handle = handle;
      this.accountNumber = accountNumber;
      this.apiKey = "key-" + id;
    }
  }

  private static void seed(SessionFactory sf) {
    sf.inTransaction(s -> {
      s.persist(new Member(1, "alice@example.com", "Alice", 1001));
      s.persist(new Member(2, "bob@example.com", "BOB", 1002));
      s.persist(new Member(3, "carol@example.com", "Straße", 1003));
    });
  }

  @OnEachDatabase
  void equality_queries_find_rows_by_their_encrypted_value(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), Member.class)) {
      seed(sf);
      sf.inSession(s -> {
        assertThat(s.createSelectionQuery("from Member m where m.email = :email", Member.class)
            .setParameter("email", "bob@example.com").getSingleResult().id).as("named parameter").isEqualTo(2L);
        assertThat(s.createSelectionQuery("from Member m where m.email = ?1", Member.class)
            .setParameter(1, "carol@example.com").getSingleResult().id).as("positional parameter").isEqualTo(3L);
        assertThat(s.createSelectionQuery("from Member m where m.email = 'alice@example.com'", Member.class)
            .getSingleResult().id).as("string literal").isEqualTo(1L);
        assertThat(s.createSelectionQuery("select m.id from Member m where m.email in (:emails) order by m.id", Long.class)
            .setParameterList("emails", List.of("alice@example.com", "carol@example.com", "nobody@example.com")).getResultList())
            .as("in list").containsExactly(1L, 3L);
        assertThat(s.createSelectionQuery("select m.id from Member m where m.email <> :email order by m.id", Long.class)
            .setParameter("email", "alice@example.com").getResultList()).as("not equal").containsExactly(2L, 3L);
        assertThat(s.createSelectionQuery("select m.id from Member m where m.accountNumber = :n", Long.class)
            .setParameter("n", 1002L).getSingleResult()).as("non-String attribute").isEqualTo(2L);
        assertThat(s.createSelectionQuery("from Member m where m.email = :email", Member.class)
            .setParameter("email", "ALICE@example.com").getResultList()).as("case matters without ignoreCase").isEmpty();

        CriteriaBuilder cb = s.getCriteriaBuilder();
        CriteriaQuery<Member> criteria = cb.createQuery(Member.class);
        Root<Member> member = criteria.from(Member.class);
        criteria.where(cb.equal(member.get("email"), "alice@example.com"));
        Member found = s.createQuery(criteria).getSingleResult();
        assertThat(found.id).as("Criteria equal").isEqualTo(1L);
        assertThat(found.email).isEqualTo("alice@example.com");
        assertThat(found.apiKey).isEqualTo("key-1");

        CriteriaQuery<Long> in = cb.createQuery(Long.class);
        Root<Member> m2 = in.from(Member.class);
        in.select(m2.get("id")).where(m2.get("email").in("bob@example.com", "carol@example.com")).orderBy(cb.asc(m2.get("id")));
        assertThat(s.createQuery(in).getResultList()).as("Criteria in").containsExactly(2L, 3L);
      });

      // What is stored: deterministic v1 values (alg 0x02) that decrypt under their column.
      String raw = Raw.readText(db, url, "members", "email", 2);
      byte[] bytes = CiphertextFormat.fromText(raw);
      assertThat(CiphertextFormat.algorithm(bytes)).isEqualTo(CiphertextFormat.ALG_AES_256_GCM_SIV);
      assertThat(Ciphertexts.encryptor(1).decryptText(raw, EncryptionContext.forColumn("members", "email"))).isEqualTo("bob@example.com");
      assertThat(raw).isEqualTo(Ciphertexts.encryptor(1).encryptToTextDeterministic("bob@example.com", EncryptionContext.forColumn("members", "email")));
      // The same value in another column is another ciphertext; the randomized column stays randomized.
      assertThat(Raw.readText(db, url, "members", "backup_email", 2)).isNotEqualTo(raw);
      assertThat(CiphertextFormat.algorithm(CiphertextFormat.fromText(Raw.readText(db, url, "members", "api_key", 2))))
          .isEqualTo(CiphertextFormat.ALG_AES_256_GCM);
    }
  }

  @OnEachDatabase
  void a_unique_constraint_rejects_a_duplicate_plaintext(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), Member.class)) {
      seed(sf);
      assertThatThrownBy(() -> sf.inTransaction(s -> s.persist(new Member(4, "bob@example.com", "other", 1004))))
          .isInstanceOf(PersistenceException.class)
          .satisfies(e -> assertThat(rootMessage(e).toLowerCase()).containsAnyOf("unique", "duplicate"));
      // Updating a value keeps the lookup right: the new value is found, the old one is not.
      sf.inTransaction(s -> s.find(Member.class, 2L).email = "robert@example.com");
      sf.inSession(s -> {
        assertThat(s.createSelectionQuery("from Member m where m.email = :e", Member.class).setParameter("e", "robert@example.com")
            .getSingleResult().id).isEqualTo(2L);
        assertThat(s.createSelectionQuery("from Member m where m.email = :e", Member.class).setParameter("e", "bob@example.com")
            .getResultList()).isEmpty();
      });
      sf.inTransaction(s -> s.persist(new Member(4, "bob@example.com", "other", 1004)));
    }
  }

  /**
   * The README's advice for PostgreSQL: its error for a duplicate key quotes the stored value (here
   * the deterministic ciphertext) in the exception message, which Hibernate logs;
   * {@code logServerErrorDetail=false} on the JDBC URL leaves it out.
   */
  @Test
  void on_postgresql_log_server_error_detail_false_keeps_the_ciphertext_out_of_the_error() throws Exception {
    TestDatabase db = TestDatabase.POSTGRESQL;
    assumeTrue(TestDatabase.available().contains(db), "PostgreSQL is not reachable");
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), Member.class)) {
      seed(sf);
      String stored = Raw.readText(db, url, "members", "email", 2);
      Throwable quoted = catchThrowable(
          () -> sf.inTransaction(s -> s.persist(new Member(4, "bob@example.com", "other", 1004))));
      assertThat(rootMessage(quoted)).as("the driver's default quotes the key").contains(stored);
    }
    String quiet = url + (url.contains("?") ? "&" : "?") + "logServerErrorDetail=false";
    try (SessionFactory sf = Hibernate.sessionFactory(db, quiet, TestKeys.settings(1), Member.class)) {
      seed(sf);
      String stored = Raw.readText(db, url, "members", "email", 2);
      Throwable unquoted = catchThrowable(
          () -> sf.inTransaction(s -> s.persist(new Member(4, "bob@example.com", "other", 1004))));
      assertThat(unquoted).isInstanceOf(PersistenceException.class);
      assertThat(rootMessage(unquoted)).contains("duplicate key").doesNotContain(stored).doesNotContain("bob@example.com");
    }
  }

  @OnEachDatabase
  void ignore_case_stores_and_looks_up_the_folded_form(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), Member.class)) {
      seed(sf);
      sf.inSession(s -> {
        assertThat(s.createSelectionQuery("from Member m where m.handle = :h", Member.class).setParameter("h", "aLiCe")
            .getSingleResult().id).isEqualTo(1L);
        assertThat(s.createSelectionQuery("from Member m where m.handle = :h", Member.class).setParameter("h", "bob")
            .getSingleResult().id).isEqualTo(2L);
        assertThat(s.createSelectionQuery("from Member m where m.handle = :h", Member.class).setParameter("h", "STRASSE")
            .getSingleResult().id).isEqualTo(3L);
      });
      // The original case is gone: the entity reads the folded form.
      assertThat(sf.fromTransaction(s -> s.find(Member.class, 2L)).handle).isEqualTo("bob");
      assertThat(Ciphertexts.encryptor(1).decryptText(Raw.readText(db, url, "members", "handle", 3),
          EncryptionContext.forColumn("members", "handle"))).isEqualTo("strasse");
    }
  }

  @OnEachDatabase
  void after_rotation_lookups_use_the_deterministic_key(TestDatabase db) throws Exception {
    String url = db.url();
    Map<String, Object> before = new HashMap<>(TestKeys.settings(1));
    before.put("hibernate.hbm2ddl.auto", "create");
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, before, Member.class)) {
      seed(sf);
    }
    // Key 2 becomes active. Without a pin, deterministic columns write and look up under key 2:
    // rows still under key 1 read fine but are not found by equality until reencryptColumn moves them.
    Map<String, Object> rotated = new HashMap<>(TestKeys.settings(1, 2));
    rotated.put("hibernate.hbm2ddl.auto", "none");
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, rotated, Member.class)) {
      assertThat(sf.fromTransaction(s -> s.find(Member.class, 1L)).email).isEqualTo("alice@example.com");
      List<Member> found = sf.fromTransaction(s -> s.createSelectionQuery("from Member m where m.email = :e", Member.class)
          .setParameter("e", "alice@example.com").getResultList());
      assertThat(found).isEmpty();
    }
    // Pinned with fieldcrypt.deterministic-key=1: lookups find every row while randomized columns use key 2.
    Map<String, Object> pinned = new HashMap<>(rotated);
    pinned.put("fieldcrypt.deterministic-key", "1");
    pinned.put("hibernate.hbm2ddl.auto", "create-drop");
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, pinned, Member.class)) {
      seed(sf);
      sf.inTransaction(s -> s.persist(new Member(5, "dave@example.com", "dave", 1005)));
      List<Long> ids = sf.fromTransaction(s -> s.createSelectionQuery("select m.id from Member m where m.email in (:e) order by m.id", Long.class)
          .setParameterList("e", List.of("alice@example.com", "dave@example.com")).getResultList());
      assertThat(ids).containsExactly(1L, 5L);
      assertThat(CiphertextFormat.keyId(CiphertextFormat.fromText(Raw.readText(db, url, "members", "email", 5)))).isEqualTo(1);
      assertThat(CiphertextFormat.keyId(CiphertextFormat.fromText(Raw.readText(db, url, "members", "api_key", 5)))).isEqualTo(2);
    }
  }

  @OnEachDatabase
  void queries_that_cannot_work_on_ciphertext_fail_loudly(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), Member.class)) {
      seed(sf);
      Map<String, String> refused = new java.util.LinkedHashMap<>();
      refused.put("from Member m where m.email like 'alice%'", "uses like or a range comparison");
      refused.put("from Member m where m.email not like :p", "uses like or a range comparison");
      refused.put("from Member m where m.email > :p", "uses like or a range comparison");
      refused.put("from Member m where m.accountNumber between :p and :p", "uses like or a range comparison");
      refused.put("from Member m where upper(m.email) = :p", "applies the SQL function upper(...)");
      refused.put("from Member m order by m.email", "orders by ciphertext");
      refused.put("from Member m where m.apiKey = :p", "the column is randomized");
      refused.put("from Member m where m.apiKey in (:p)", "the column is randomized");
      for (Map.Entry<String, String> query : refused.entrySet()) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> sf.inSession(s -> {
          var q = s.createSelectionQuery(query.getKey(), Member.class);
          if (query.getKey().contains(":p")) {
            q.setParameter("p", query.getKey().contains("accountNumber") ? (Object) 1000L : "x");
          }
          q.getResultList();
        }));
        assertThat(thrown).as(query.getKey()).isNotNull().satisfies(e -> {
          Throwable t = e;
          while (t != null && !(t instanceof io.github.fieldcrypt.UnsupportedQueryException)) {
            t = t.getCause();
          }
          assertThat(t).as("%s fails with UnsupportedQueryException", query.getKey()).isNotNull();
          assertThat(t.getMessage()).contains(query.getValue()).contains("Member.").contains("members.");
        });
      }
      assertThatThrownBy(() -> sf.inSession(s -> s.createNativeQuery("select id from members where email like 'a%'", Long.class)
          .getResultList())).isInstanceOf(io.github.fieldcrypt.UnsupportedQueryException.class).hasMessageContaining("members.email");

      // What works is not refused: equality on deterministic columns, null checks, count, id lookups, writes.
      sf.inTransaction(s -> {
        assertThat(s.createSelectionQuery("select count(m.email) from Member m where m.email is not null and m.apiKey is not null", Long.class)
            .getSingleResult()).isEqualTo(3L);
        assertThat(s.createSelectionQuery("from Member m where m.email = :e and m.id = :id", Member.class)
            .setParameter("e", "bob@example.com").setParameter("id", 2L).getResultList()).hasSize(1);
        s.find(Member.class, 1L).apiKey = "rotated";
        s.createMutationQuery("update Member m set m.apiKey = :k where m.id = :id").setParameter("k", "new").setParameter("id", 3L)
            .executeUpdate();
        s.createMutationQuery("delete from Member m where m.email = :e").setParameter("e", "bob@example.com").executeUpdate();
      });
      assertThat(sf.fromTransaction(s -> s.find(Member.class, 3L)).apiKey).isEqualTo("new");
      assertThat(sf.fromTransaction(s -> s.find(Member.class, 1L)).apiKey).isEqualTo("rotated");
      Member deleted = sf.fromTransaction(s -> s.find(Member.class, 2L));
      assertThat(deleted).isNull();
    }
    // warn: the query runs (and finds nothing, as the warning says); off: no check.
    for (String mode : List.of("warn", "off")) {
      Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
      settings.put("fieldcrypt.query-check", mode);
      try (SessionFactory sf = Hibernate.sessionFactory(db, db.url(), settings, Member.class)) {
        seed(sf);
        List<Member> none = sf.fromTransaction(s -> s.createSelectionQuery("from Member m where m.email like 'alice%'", Member.class)
            .getResultList());
        assertThat(none).as(mode).isEmpty();
      }
    }
  }

  /**
   * During the plaintext transition a lookup cannot find rows not migrated yet (a plaintext row
   * never equals the parameter's ciphertext): with {@code fieldcrypt.allow-plaintext-reads=true}
   * and deterministic columns the bootstrap warns once, naming the columns; without plaintext
   * reads it does not.
   */
  @Test
  void plaintext_reads_with_deterministic_columns_warn_that_lookups_miss_unmigrated_rows() throws Exception {
    List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler handler = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord record) {
        if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
          warnings.add(new java.util.logging.SimpleFormatter().formatMessage(record));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.github.fieldcrypt");
    logger.addHandler(handler);
    try {
      try (SessionFactory sf = Hibernate.sessionFactory(TestDatabase.H2, TestDatabase.H2.url(), TestKeys.settings(1), Member.class)) {
        assertThat(warnings).noneMatch(w -> w.contains("allow-plaintext-reads"));
      }
      Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
      settings.put("fieldcrypt.allow-plaintext-reads", "true");
      try (SessionFactory sf = Hibernate.sessionFactory(TestDatabase.H2, TestDatabase.H2.url(), settings, Member.class)) {
        assertThat(warnings).filteredOn(w -> w.contains("allow-plaintext-reads")).singleElement()
            .satisfies(w -> assertThat(w).contains("members.email").contains("members.handle").doesNotContain("members.api_key")
                .contains("encryptColumn"));
      }
    } finally {
      logger.removeHandler(handler);
    }
  }

  @Test
  void ignore_case_without_deterministic_fails_the_bootstrap() {
    assertThatThrownBy(() -> Hibernate.sessionFactory(TestDatabase.H2, TestDatabase.H2.url(), TestKeys.settings(1), Misconfigured.class))
        .satisfies(e -> {
          Throwable cause = e;
          while (cause != null && !(cause instanceof ConfigurationException)) {
            cause = cause.getCause();
          }
          assertThat(cause).isNotNull();
          assertThat(cause.getMessage()).contains("Misconfigured.nickname").contains("ignoreCase = true needs deterministic = true");
        });
  }

  @Test
  void a_deterministic_key_missing_from_the_ring_fails_the_bootstrap() {
    Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
    settings.put("fieldcrypt.deterministic-key", "7");
    assertThatThrownBy(() -> Hibernate.sessionFactory(TestDatabase.H2, TestDatabase.H2.url(), settings, Member.class))
        .satisfies(e -> {
          Throwable cause = e;
          while (cause != null && !(cause instanceof ConfigurationException)) {
            cause = cause.getCause();
          }
          assertThat(cause).isNotNull();
          assertThat(((ConfigurationException) cause).getSetting()).isEqualTo("fieldcrypt.deterministic-key");
          assertThat(cause.getMessage()).contains("key id 7 is not in the key ring [1]");
        });
  }

  @Entity(name = "Misconfigured")
  static class Misconfigured {
    @Id Long id;

    @Encrypted(ignoreCase = true)
    String nickname;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    StringBuilder all = new StringBuilder();
    while (t != null) {
      all.append(t.getMessage()).append(' ');
      t = t.getCause();
    }
    return all.toString();
  }
}
