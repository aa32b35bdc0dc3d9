package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.metrics.FieldcryptMetrics;
import java.util.IdentityHashMap;
import java.util.Map;
import org.hibernate.boot.registry.StandardServiceInitiator;
import org.hibernate.service.Service;
import org.hibernate.service.spi.ServiceRegistryImplementor;

/**
 * The {@link FieldEncryptor} of one Hibernate service registry, built from its
 * {@code fieldcrypt.*} settings when first needed (while mappings are bound, so a wrong key
 * setting fails the SessionFactory build). This is how converters find their keys without
 * static state.
 */
public final class FieldEncryptorService implements Service {
  private final FieldcryptSettings settings;
  private final Object meterRegistry;
  private FieldEncryptor encryptor;
  private FieldcryptMetrics metrics;
  private volatile TenantEncryption tenantEncryption;
  private final Map<EncryptedAttributeConverter<?, ?>, String> created = new IdentityHashMap<>();

  FieldEncryptorService(FieldcryptSettings settings, Object meterRegistry) {
    this.settings = settings;
    this.meterRegistry = meterRegistry;
  }

  /**
   * The metrics of this SessionFactory (Micrometer's when present, see {@link FieldcryptMetrics}).
   *
   * @throws ConfigurationException naming the setting to fix
   */
  public synchronized FieldcryptMetrics metrics() {
    if (metrics == null) {
      metrics = FieldcryptMetrics.from(settings, meterRegistry);
    }
    return metrics;
  }

  /**
   * The encryptor configured for this SessionFactory, read from the settings on first use (the
   * first {@code @Encrypted} attribute bound), so an application without encrypted attributes
   * needs no keys.
   *
   * @throws ConfigurationException naming the setting to fix
   */
  public synchronized FieldEncryptor encryptor() {
    if (encryptor == null) {
      encryptor = FieldEncryptor.fromSettings(settings);
    }
    return encryptor;
  }

  /** Whether {@code fieldcrypt.allow-plaintext-reads} is on (values that are not ciphertexts read as they are). */
  boolean allowsPlaintextReads() {
    return settings.allowPlaintextReads();
  }

  /** Whether {@code fieldcrypt.tenant-mode} is on: values are encrypted under their tenant's data key. */
  boolean tenantMode() {
    return settings.tenantMode();
  }

  /** Opens the tenant key store (tenant mode), once, while the SessionFactory starts. */
  synchronized TenantEncryption startTenantMode(org.hibernate.engine.spi.SessionFactoryImplementor sessionFactory) {
    if (tenantEncryption == null) {
      tenantEncryption = TenantEncryption.start(settings, sessionFactory);
    }
    return tenantEncryption;
  }

  /** The tenant key store's encryption. @throws ConfigurationException before the SessionFactory started */
  TenantEncryption tenantEncryption() {
    TenantEncryption started = tenantEncryption;
    if (started == null) {
      throw new ConfigurationException(FieldcryptSettings.TENANT_MODE, "Tenant mode is not started: the SessionFactory"
          + " has not finished starting");
    }
    return started;
  }

  /** Closes the tenant key store, if any. */
  synchronized void stop() {
    if (tenantEncryption != null) {
      tenantEncryption.close();
      tenantEncryption = null;
    }
  }

  /** The {@code fieldcrypt.*} settings of this registry. */
  FieldcryptSettings settings() {
    return settings;
  }

  /** Builds the service from the registry's configuration values. */
  static final class Initiator implements StandardServiceInitiator<FieldEncryptorService> {
    static final Initiator INSTANCE = new Initiator();

    @Override
    public Class<FieldEncryptorService> getServiceInitiated() {
      return FieldEncryptorService.class;
    }

    @Override
    public FieldEncryptorService initiateService(Map<String, Object> configurationValues, ServiceRegistryImplementor registry) {
      Map<String, Object> fieldcrypt = stringKeys(configurationValues);
      Object meterRegistry = fieldcrypt.remove(FieldcryptMetrics.METER_REGISTRY);
      return new FieldEncryptorService(FieldcryptSettings.from(Map.copyOf(fieldcrypt)), meterRegistry);
    }
  }

  private static Map<String, Object> stringKeys(Map<String, Object> values) {
    Map<String, Object> copy = new java.util.HashMap<>();
    values.forEach((k, v) -> {
      if (k != null && v != null && k.startsWith("fieldcrypt.")) {
        copy.put(k, v);
      }
    });
    return copy;
  }

  /** Remembers a converter made by {@code @Encrypted}, so bootstrap can check it was bound. */
  void register(EncryptedAttributeConverter<?, ?> converter, String attribute) {
    synchronized (created) {
      created.put(converter, attribute);
    }
  }

  /** The converters made by {@code @Encrypted} since the last call, with their "Entity.attribute". */
  Map<EncryptedAttributeConverter<?, ?>, String> takeRegistered() {
    synchronized (created) {
      Map<EncryptedAttributeConverter<?, ?>, String> taken = new IdentityHashMap<>(created);
      created.clear();
      return taken;
    }
  }

  /** Looks the service up, unwrapping Hibernate's "unable to create service" so the setting to fix is on top. */
  static FieldEncryptorService of(org.hibernate.service.ServiceRegistry registry) {
    try {
      return registry.getService(FieldEncryptorService.class);
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof ConfigurationException configuration) {
          throw configuration;
        }
      }
      throw e;
    }
  }
}
