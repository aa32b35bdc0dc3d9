package io.github.fieldcrypt.metrics;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.keys.envelope.KeyCacheStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import java.util.function.Supplier;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** {@link FieldcryptMetrics} on a Micrometer registry. Only loaded when Micrometer is present. */
final class MicrometerMetrics implements FieldcryptMetrics {
  private final MeterRegistry registry;
  // Micrometer holds function counters' objects weakly: these live as long as the metrics do.
  private final java.util.List<Object> observed = new java.util.concurrent.CopyOnWriteArrayList<>();

  private MicrometerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  static FieldcryptMetrics create(Object registry) {
    if (registry == null) {
      return new MicrometerMetrics(Metrics.globalRegistry);
    }
    if (!(registry instanceof MeterRegistry meterRegistry)) {
      throw new ConfigurationException(METER_REGISTRY, "Invalid " + METER_REGISTRY + ": expected an "
          + MeterRegistry.class.getName() + ", got a " + registry.getClass().getName());
    }
    return new MicrometerMetrics(meterRegistry);
  }

  @Override
  public AttributeMetrics attribute(String entity, String attribute, String column) {
    return new Attribute(registry, entity == null ? "" : entity, attribute == null ? "" : attribute, column);
  }

  @Override
  public void migrationRows(String change, String column, String outcome, long rows) {
    if (rows > 0) {
      Counter.builder("fieldcrypt.migration.rows").tag("change", change).tag("column", column).tag("outcome", outcome)
          .description("Rows a fieldcrypt Liquibase change went through, by outcome").register(registry).increment(rows);
    }
  }

  @Override
  public void keyCache(Supplier<KeyCacheStats> stats) {
    observed.add(stats);
    FunctionCounter.builder("fieldcrypt.key.cache", stats, s -> s.get().hits()).tag("result", "hit")
        .description("Tenant data key cache lookups").register(registry);
    FunctionCounter.builder("fieldcrypt.key.cache", stats, s -> s.get().misses()).tag("result", "miss")
        .description("Tenant data key cache lookups").register(registry);
  }

  @Override
  public String toString() {
    return "FieldcryptMetrics[" + registry.getClass().getSimpleName() + "]";
  }

  private static final class Attribute implements AttributeMetrics {
    private final MeterRegistry registry;
    private final String column;
    private final Timer encryptOk;
    private final Timer encryptFailed;
    private final Timer decryptOk;
    private final Timer decryptFailed;

    Attribute(MeterRegistry registry, String entity, String attribute, String column) {
      this.registry = registry;
      this.column = column;
      this.encryptOk = timer(registry, "fieldcrypt.encrypt", entity, attribute, column, "success");
      this.encryptFailed = timer(registry, "fieldcrypt.encrypt", entity, attribute, column, "failure");
      this.decryptOk = timer(registry, "fieldcrypt.decrypt", entity, attribute, column, "success");
      this.decryptFailed = timer(registry, "fieldcrypt.decrypt", entity, attribute, column, "failure");
    }

    private static Timer timer(MeterRegistry registry, String name, String entity, String attribute, String column, String outcome) {
      return Timer.builder(name).tag("entity", entity).tag("attribute", attribute).tag("column", column).tag("outcome", outcome)
          .description("fieldcrypt field " + name.substring(name.indexOf('.') + 1) + "ions").register(registry);
    }

    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public void encrypted(long nanos, boolean success) {
      (success ? encryptOk : encryptFailed).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void decrypted(long nanos, boolean success) {
      (success ? decryptOk : decryptFailed).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void decryptFailed(String cause) {
      Counter.builder("fieldcrypt.decrypt.failures").tag("column", column).tag("cause", cause)
          .description("Values that could not be decrypted, by cause").register(registry).increment();
    }
  }
}
