package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.Encrypted;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.LeakCapture;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/**
 * Every configuration error fails the SessionFactory build, with the setting (or attribute) to
 * fix in the message, never at the first read.
 */
class BootstrapErrorsTest {

  private static Throwable bootstrapFailure(Map<String, Object> settings, Class<?>... entities) {
    Throwable[] failure = new Throwable[1];
    assertThatThrownBy(() -> {
      try (SessionFactory ignored = Hibernate.sessionFactory(TestDatabase.H2, TestDatabase.H2.url(), settings, entities)) {
        // built: the assertion below fails
      }
    }).satisfies(t -> failure[0] = t);
    LeakCapture.record(failure[0]);
    return failure[0];
  }

  private static ConfigurationException configurationCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConfigurationException configuration) {
        return configuration;
      }
    }
    throw new AssertionError("no ConfigurationException in the cause chain of " + t, t);
  }

  @Test
  void key_setting_errors_fail_the_session_factory_build() {
    String good = TestKeys.base64(1);
    List<Map<String, Object>> bad = List.of(
        Map.of(),
        Map.of("fieldcrypt.keys", "1:not*base64"),
        Map.of("fieldcrypt.keys", "1:" + Base64.getEncoder().encodeToString(new byte[31])),
        Map.of("fieldcrypt.keys", "1:" + good + ",1:" + TestKeys.base64(2)),
        Map.of("fieldcrypt.keys", "1:" + good, "fieldcrypt.active-key", "7"),
        Map.of("fieldcrypt.keys", "1:" + good, "fieldcrypt.allow-plaintext-reads", "maybe"));
    List<String> expectedSetting = List.of("fieldcrypt.keys", "fieldcrypt.keys", "fieldcrypt.keys", "fieldcrypt.keys",
        "fieldcrypt.active-key", "fieldcrypt.allow-plaintext-reads");
    for (int i = 0; i < bad.size(); i++) {
      ConfigurationException cause = configurationCause(bootstrapFailure(new HashMap<>(bad.get(i)), Person.class));
      assertThat(cause.getSetting()).as("case %d", i).isEqualTo(expectedSetting.get(i));
      assertThat(cause.getMessage()).as("case %d", i).contains(expectedSetting.get(i)).doesNotContain(good);
    }
  }

  @Test
  void the_configuration_error_directly_follows_hibernates_wrapper() {
    Throwable failure = bootstrapFailure(new HashMap<>(), Person.class);
    // Hibernate wraps whatever an attribute binder throws ("error processing @AttributeBinderType
    // annotation"); fieldcrypt unwraps Hibernate's "Unable to create requested service" so the
    // very next "Caused by" line says what to set.
    Throwable first = failure instanceof ConfigurationException ? failure : failure.getCause();
    assertThat(first).isInstanceOf(ConfigurationException.class).hasMessageContaining("set fieldcrypt.keys");
  }

  @Test
  void an_application_without_encrypted_attributes_needs_no_keys() {
    try (SessionFactory sf = Hibernate.sessionFactory(TestDatabase.H2, TestDatabase.H2.url(), new HashMap<>(), Plain.class)) {
      sf.inTransaction(s -> s.persist(new Plain(1L)));
    }
  }

  @Test
  void unsupported_types_and_mappings_fail_at_bootstrap_naming_the_attribute() {
    assertThat(configurationCause(bootstrapFailure(TestKeys.settings(1), WithDouble.class)).getMessage())
        .contains("WithDouble.ratio").contains("java.lang.Double").contains("not supported");
    assertThat(configurationCause(bootstrapFailure(TestKeys.settings(1), WithPrimitive.class)).getMessage())
        .contains("WithPrimitive.count").contains("primitive int");
    assertThat(configurationCause(bootstrapFailure(TestKeys.settings(1), WithAssociation.class, Plain.class)).getMessage())
        .contains("WithAssociation.plain").contains("only basic attributes");
  }

  @Entity(name = "Plain")
  public static class Plain {
    @Id Long id;

    public Plain() {}

    Plain(Long id) {
      this.id = id;
    }
  }

  @Entity(name = "WithDouble")
  public static class WithDouble {
    @Id Long id;
    @Encrypted Double ratio;
  }

  @Entity(name = "WithPrimitive")
  public static class WithPrimitive {
    @Id Long id;
    @Encrypted int count;
  }

  @Entity(name = "WithAssociation")
  public static class WithAssociation {
    @Id Long id;
    @Encrypted @ManyToOne Plain plain;
  }
}
