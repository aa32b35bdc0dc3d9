package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.DecryptionException;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.testing.Failures;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/** Key rings are per SessionFactory (no static state), and rotation keeps old rows readable. */
class KeyRingsIT {

  @Test
  void two_session_factories_with_different_keys_work_side_by_side() throws Exception {
    TestDatabase db = TestDatabase.H2;
    String urlA = db.url();
    String urlB = db.url();
    // Same key id 1, different key bytes.
    Map<String, Object> keysA = Map.of("fieldcrypt.keys", "1:" + TestKeys.base64(1));
    Map<String, Object> keysB = Map.of("fieldcrypt.keys", "1:" + TestKeys.base64(11));
    try (SessionFactory a = Hibernate.sessionFactory(db, urlA, keysA, Person.class);
        SessionFactory b = Hibernate.sessionFactory(db, urlB, keysB, Person.class)) {
      a.inTransaction(s -> s.persist(new Person(1L, "a@example.com", "A")));
      b.inTransaction(s -> s.persist(new Person(1L, "b@example.com", "B")));
      assertThat(a.fromTransaction(s -> s.find(Person.class, 1L)).getEmail()).isEqualTo("a@example.com");
      assertThat(b.fromTransaction(s -> s.find(Person.class, 1L)).getEmail()).isEqualTo("b@example.com");

      // A's ciphertext in B's database: same table, column and key id, other key bytes.
      Raw.write(db, urlB, "people", "email", 1, Raw.readText(db, urlA, "people", "email", 1));
      FieldcryptException e = Failures.fieldcryptFailure(() -> b.fromTransaction(s -> s.find(Person.class, 1L)));
      assertThat(e).isInstanceOf(DecryptionException.class);
      assertThat(e.getKeyId()).isEqualTo(1);
      assertThat(a.fromTransaction(s -> s.find(Person.class, 1L)).getEmail()).isEqualTo("a@example.com");
    }
  }

  @OnEachDatabase
  void rotation_old_rows_still_read_and_new_writes_use_the_new_key(TestDatabase db) throws Exception {
    String url = db.url();
    Map<String, Object> before = new HashMap<>(TestKeys.settings(1));
    before.put("hibernate.hbm2ddl.auto", "create");
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, before, Person.class)) {
      sf.inTransaction(s -> s.persist(new Person(1L, "old@example.com", "old")));
    }
    assertThat(keyIdOf(db, url, 1)).isEqualTo(1);

    Map<String, Object> after = new HashMap<>(TestKeys.settings(1, 2)); // 2 is active: the highest
    after.put("hibernate.hbm2ddl.auto", "none");
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, after, Person.class)) {
      assertThat(sf.fromTransaction(s -> s.find(Person.class, 1L)).getEmail()).isEqualTo("old@example.com");
      sf.inTransaction(s -> s.persist(new Person(2L, "new@example.com", "new")));
      assertThat(keyIdOf(db, url, 2)).isEqualTo(2);
      assertThat(keyIdOf(db, url, 1)).as("an unchanged old row is not rewritten").isEqualTo(1);
      sf.inTransaction(s -> s.find(Person.class, 1L).setEmail("changed@example.com"));
      assertThat(keyIdOf(db, url, 1)).as("a changed old row is written under the active key").isEqualTo(2);
    }

    Map<String, Object> pinned = new HashMap<>(TestKeys.settings(1, 2));
    pinned.put("fieldcrypt.active-key", "1");
    pinned.put("hibernate.hbm2ddl.auto", "create-drop");
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, pinned, Person.class)) {
      sf.inTransaction(s -> s.persist(new Person(3L, "pinned@example.com", "p")));
      assertThat(keyIdOf(db, url, 3)).isEqualTo(1);
    }
  }

  private static int keyIdOf(TestDatabase db, String url, long id) throws Exception {
    return CiphertextFormat.keyId(CiphertextFormat.fromText(Raw.readText(db, url, "people", "email", id)));
  }
}
