package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.sql.Connection;
import java.sql.ResultSet;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void stores_ciphertext() throws Exception {
    String url = TestDatabase.H2.url();
    try (SessionFactory sf = Hibernate.sessionFactory(TestDatabase.H2, url, TestKeys.settings(1), Person.class)) {
      sf.inTransaction(s -> s.persist(new Person(1L, "alice@example.com", "Alice")));
      try (Connection c = TestDatabase.H2.connect(url); ResultSet rs = c.createStatement().executeQuery("select email from people")) {
        rs.next();
        System.out.println("RAW " + rs.getString(1));
        assertThat(rs.getString(1)).startsWith("_A");
      }
      Person p = sf.fromTransaction(s -> s.find(Person.class, 1L));
      assertThat(p.getEmail()).isEqualTo("alice@example.com");
    }
  }
}
