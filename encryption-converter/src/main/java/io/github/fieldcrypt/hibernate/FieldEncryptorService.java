package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptSettings;
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
  private FieldEncryptor encryptor;
  private final Map<EncryptedAttributeConverter<?, ?>, String> created = new IdentityHashMap<>();

  FieldEncryptorService(FieldcryptSettings settings) {
    this.settings = settings;
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
      return new FieldEncryptorService(FieldcryptSettings.from(Map.copyOf(stringKeys(configurationValues))));
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
