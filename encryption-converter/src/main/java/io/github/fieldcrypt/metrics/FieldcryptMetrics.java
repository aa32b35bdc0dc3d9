package io.github.fieldcrypt.metrics;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldcryptSettings;
import java.util.Locale;

/**
 * Where fieldcrypt reports what it does: encryptions and decryptions per attribute (count, time
 * and outcome), decryption failures by cause, key cache hits and misses, and migration rows by
 * outcome. With Micrometer on the classpath it goes to a {@code MeterRegistry} (the one given as
 * {@code fieldcrypt.meter-registry}, else Micrometer's global registry, which Spring Boot fills);
 * without Micrometer it is {@link #NOOP}: no metrics and no error, Micrometer is an optional
 * dependency.
 *
 * <p>Meters (tags in brackets); none carries a value, only names of entities, columns and causes:
 * <ul>
 *   <li>{@code fieldcrypt.encrypt}, {@code fieldcrypt.decrypt}: timers [entity, attribute, column,
 *       outcome = success | failure]
 *   <li>{@code fieldcrypt.decrypt.failures}: counter [column, cause = NOT_CIPHERTEXT |
 *       AUTHENTICATION_FAILED | UNKNOWN_KEY | KEY_DESTROYED | ...]
 *   <li>{@code fieldcrypt.key.cache}: function counter of the tenant data key cache [result = hit | miss]
 *   <li>{@code fieldcrypt.migration.rows}: counter [change, column, outcome = written | already |
 *       null | retried]
 * </ul>
 */
public interface FieldcryptMetrics {
  /** {@code auto} (default: on when Micrometer is present) or {@code off}. */
  String METRICS = "fieldcrypt.metrics";
  /** A {@code io.micrometer.core.instrument.MeterRegistry} object, as a JPA/Hibernate property value. */
  String METER_REGISTRY = "fieldcrypt.meter-registry";

  /** No metrics. */
  FieldcryptMetrics NOOP = new FieldcryptMetrics() {
    @Override
    public AttributeMetrics attribute(String entity, String attribute, String column) {
      return AttributeMetrics.NOOP;
    }

    @Override
    public void migrationRows(String change, String column, String outcome, long rows) {}

    @Override
    public void keyCache(java.util.function.Supplier<io.github.fieldcrypt.keys.envelope.KeyCacheStats> stats) {}

    @Override
    public String toString() {
      return "FieldcryptMetrics[off]";
    }
  };

  /** The meters of one encrypted attribute, made once at bootstrap. */
  AttributeMetrics attribute(String entity, String attribute, String column);

  /** Adds rows of one outcome to a migration's counter. */
  void migrationRows(String change, String column, String outcome, long rows);

  /** Reports the tenant data key cache's hits and misses (read from {@code stats} when the registry is scraped). */
  void keyCache(java.util.function.Supplier<io.github.fieldcrypt.keys.envelope.KeyCacheStats> stats);

  /**
   * The metrics these settings ask for: Micrometer's when it is on the classpath and
   * {@code fieldcrypt.metrics} is not {@code off}.
   *
   * @param registry a {@code MeterRegistry} given by the application, or {@code null} for
   *     Micrometer's global registry
   * @throws ConfigurationException when {@code fieldcrypt.metrics} is neither auto nor off, or
   *     the registry is not a Micrometer {@code MeterRegistry}
   */
  static FieldcryptMetrics from(FieldcryptSettings settings, Object registry) {
    String mode = settings.get(METRICS);
    mode = mode == null ? "auto" : mode.trim().toLowerCase(Locale.ROOT);
    if (mode.equals("off")) {
      return NOOP;
    }
    if (!mode.equals("auto") && !mode.equals("on")) {
      throw new ConfigurationException(METRICS, "Invalid " + METRICS + ": expected auto or off");
    }
    if (!micrometerPresent(FieldcryptMetrics.class.getClassLoader())) {
      if (registry != null || mode.equals("on")) {
        throw new ConfigurationException(METRICS, METRICS + "/" + METER_REGISTRY
            + " ask for metrics, but Micrometer (io.micrometer:micrometer-core) is not on the classpath");
      }
      return NOOP;
    }
    return MicrometerMetrics.create(registry);
  }

  /** Whether Micrometer's API can be loaded. */
  static boolean micrometerPresent(ClassLoader loader) {
    try {
      Class.forName("io.micrometer.core.instrument.MeterRegistry", false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError absent) {
      return false;
    }
  }
}
