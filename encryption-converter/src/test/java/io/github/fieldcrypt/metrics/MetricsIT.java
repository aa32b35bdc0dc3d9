package io.github.fieldcrypt.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.Encrypted;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/**
 * Micrometer metrics: timers per attribute and outcome, decryption failures by cause, nothing
 * when turned off, and no error (nothing at all) when Micrometer is not on the classpath.
 */
class MetricsIT {

  @Entity(name = "Account")
  @Table(name = "metric_accounts")
  static class Account {
    @Id Long id;

    @Encrypted
    @Column(name = "api_key", length = 200)
    String apiKey;

    @Encrypted(deterministic = true)
    @Column(length = 200)
    String email;

    Account() {}

    Account(long id, String apiKey, String email) {
      this.id = id;
      this.apiKey = apiKey;
      this.email = email;
    }
  }

  @Test
  void encryptions_decryptions_and_failures_are_counted_per_attribute() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
    settings.put(FieldcryptMetrics.METER_REGISTRY, registry);
    TestDatabase db = TestDatabase.H2;
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings, Account.class)) {
      sf.inTransaction(s -> {
        for (long id = 1; id <= 3; id++) {
          s.persist(new Account(id, "secret-" + id, "user" + id + "@example.com"));
        }
      });
      sf.inTransaction(s -> s.createSelectionQuery("from Account order by id", Account.class).getResultList());

      assertThat(count(registry, "fieldcrypt.encrypt", "attribute", "apiKey", "outcome", "success")).isEqualTo(3);
      assertThat(count(registry, "fieldcrypt.encrypt", "attribute", "email", "outcome", "success")).isEqualTo(3);
      assertThat(count(registry, "fieldcrypt.decrypt", "attribute", "apiKey", "outcome", "success")).isEqualTo(3);
      Meter timer = registry.find("fieldcrypt.decrypt").tags("entity", "Account", "attribute", "apiKey",
          "column", "metric_accounts.api_key", "outcome", "success").timer();
      assertThat(timer).isNotNull();
      assertThat(registry.find("fieldcrypt.decrypt").tag("attribute", "apiKey").timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
          .isPositive();

      // A tampered value and a plaintext one: failures by cause.
      String stored = Raw.readText(db, url, "metric_accounts", "api_key", 2);
      Raw.write(db, url, "metric_accounts", "api_key", 2, stored.substring(0, stored.length() - 2) + (stored.endsWith("A") ? "BB" : "AA"));
      Raw.write(db, url, "metric_accounts", "api_key", 3, "never encrypted");
      for (long id = 2; id <= 3; id++) {
        long row = id;
        assertThatThrownBy(() -> sf.inTransaction(s -> s.find(Account.class, row))).isNotNull();
      }
      assertThat(registry.find("fieldcrypt.decrypt.failures").tags("column", "metric_accounts.api_key", "cause", "AUTHENTICATION_FAILED")
          .counter().count()).isEqualTo(1.0);
      assertThat(registry.find("fieldcrypt.decrypt.failures").tags("column", "metric_accounts.api_key", "cause", "NOT_CIPHERTEXT")
          .counter().count()).isEqualTo(1.0);
      assertThat(count(registry, "fieldcrypt.decrypt", "attribute", "apiKey", "outcome", "failure")).isEqualTo(2);
      // Names and causes only: no value in any tag.
      registry.getMeters().forEach(m -> m.getId().getTags().forEach(t ->
          assertThat(t.getValue()).doesNotContain("secret").doesNotContain("@example.com")));
    }
  }

  @Test
  void metrics_off_records_nothing_and_a_wrong_registry_fails_the_bootstrap() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
    settings.put(FieldcryptMetrics.METER_REGISTRY, registry);
    settings.put(FieldcryptMetrics.METRICS, "off");
    try (SessionFactory sf = Hibernate.sessionFactory(TestDatabase.H2, TestDatabase.H2.url(), settings, Account.class)) {
      sf.inTransaction(s -> s.persist(new Account(1, "secret", "a@example.com")));
    }
    assertThat(registry.getMeters()).isEmpty();

    Map<String, Object> wrong = new HashMap<>(TestKeys.settings(1));
    wrong.put(FieldcryptMetrics.METER_REGISTRY, "not a registry");
    assertThatThrownBy(() -> Hibernate.sessionFactory(TestDatabase.H2, TestDatabase.H2.url(), wrong, Account.class))
        .satisfies(e -> {
          Throwable t = e;
          while (t != null && !(t instanceof ConfigurationException)) {
            t = t.getCause();
          }
          assertThat(t).isNotNull();
          assertThat(((ConfigurationException) t).getSetting()).isEqualTo(FieldcryptMetrics.METER_REGISTRY);
        });
  }

  @Test
  void without_micrometer_on_the_classpath_there_are_no_metrics_and_no_error() throws Exception {
    // fieldcrypt's classes in a loader that cannot see Micrometer, as in an application without it.
    URL classes = FieldcryptMetrics.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader withoutMicrometer = new URLClassLoader(new URL[] {classes}, new ClassLoader(null) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("io.micrometer.")) {
          throw new ClassNotFoundException(name);
        }
        return MetricsIT.class.getClassLoader().loadClass(name);
      }
    }) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("io.github.fieldcrypt.")) {
          synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            return loaded != null ? loaded : findClass(name);
          }
        }
        return super.loadClass(name, resolve);
      }
    }) {
      assertThat(FieldcryptMetrics.micrometerPresent(withoutMicrometer)).isFalse();
      Class<?> metrics = withoutMicrometer.loadClass(FieldcryptMetrics.class.getName());
      Class<?> settingsType = withoutMicrometer.loadClass(FieldcryptSettings.class.getName());
      Object settings = settingsType.getMethod("from", Map.class).invoke(null, Map.of());
      Object chosen = metrics.getMethod("from", settingsType, Object.class).invoke(null, settings, null);
      assertThat(chosen).isSameAs(metrics.getField("NOOP").get(null));
      assertThat(chosen.toString()).isEqualTo("FieldcryptMetrics[off]");
    }
    assertThat(FieldcryptMetrics.micrometerPresent(MetricsIT.class.getClassLoader())).isTrue();
  }

  private static long count(SimpleMeterRegistry registry, String name, String... tags) {
    var timer = registry.find(name).tags(tags).timer();
    return timer == null ? 0 : timer.count();
  }

}
