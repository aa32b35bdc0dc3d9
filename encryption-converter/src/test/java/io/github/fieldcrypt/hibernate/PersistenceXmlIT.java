package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.testing.Ciphertexts;
import io.github.fieldcrypt.testing.TestKeys;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A JPA application: persistence.xml, {@code Persistence.createEntityManagerFactory}, keys from a system property. */
class PersistenceXmlIT {

  @Test
  void jpa_bootstrap_with_keys_from_a_system_property() throws Exception {
    String previous = System.getProperty("fieldcrypt.keys");
    System.setProperty("fieldcrypt.keys", TestKeys.keysSetting(4));
    try (EntityManagerFactory emf = Persistence.createEntityManagerFactory("fieldcrypt-test", Map.of())) {
      var em = emf.createEntityManager();
      em.getTransaction().begin();
      em.persist(new Person(1L, "dave@example.com", "Dave"));
      em.getTransaction().commit();
      em.close();

      var reader = emf.createEntityManager();
      assertThat(reader.find(Person.class, 1L).getEmail()).isEqualTo("dave@example.com");
      assertThat(reader.createQuery("select p.email from Person p", String.class).getSingleResult()).isEqualTo("dave@example.com");
      reader.close();

      try (Connection c = DriverManager.getConnection("jdbc:h2:mem:persistence-xml", "sa", "");
          ResultSet rs = c.createStatement().executeQuery("select email from people")) {
        assertThat(rs.next()).isTrue();
        Ciphertexts.assertTextCiphertext(rs.getString(1), "people", "email", 4);
      }
    } finally {
      if (previous == null) {
        System.clearProperty("fieldcrypt.keys");
      } else {
        System.setProperty("fieldcrypt.keys", previous);
      }
    }
  }
}
