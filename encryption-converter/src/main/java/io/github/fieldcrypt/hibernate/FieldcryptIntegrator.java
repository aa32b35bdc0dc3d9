package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.EncryptionContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.internal.SessionFactoryOptionsBuilder;
import org.hibernate.boot.spi.SessionFactoryOptions;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.mapping.BasicValue;
import org.hibernate.mapping.Column;
import org.hibernate.mapping.Component;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.mapping.Property;
import org.hibernate.mapping.Selectable;
import org.hibernate.mapping.Value;
import org.hibernate.service.spi.SessionFactoryServiceRegistry;
import org.hibernate.type.descriptor.converter.spi.BasicValueConverter;
import org.hibernate.type.descriptor.converter.spi.JpaAttributeConverter;

/**
 * Finishes binding fieldcrypt's converters while the SessionFactory starts, when every table and
 * column has its final physical name: each converter gets its context
 * ({@code "<table>.<column>"}) and, for the {@code @Convert} route, its encryptor.
 *
 * <p>Fails the SessionFactory build when an {@code @Encrypted} attribute did not end up with its
 * converter (it would store plaintext), when it maps to more or less than one column, or when
 * one {@link io.github.fieldcrypt.EncryptedStringConverter} without a fixed context is used on
 * several columns.
 */
public final class FieldcryptIntegrator implements Integrator {
  private static final System.Logger LOG = System.getLogger("io.github.fieldcrypt");

  private record Use(String entity, String attribute, BasicValue value) {
    String where() {
      return entity + "." + attribute;
    }
  }

  @Override
  public void integrate(Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor sessionFactory) {
    Map<EncryptedAttributeConverter<?, ?>, List<Use>> uses = new LinkedHashMap<>();
    Set<BasicValue> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (PersistentClass entity : metadata.getEntityBindings()) {
      for (Property property : entity.getPropertyClosure()) {
        collect(entity.getJpaEntityName(), property, seen, uses);
      }
    }
    FieldEncryptorService service = FieldEncryptorService.of(sessionFactory.getServiceRegistry());
    Map<EncryptedAttributeConverter<?, ?>, String> fromAnnotations = service.takeRegistered();
    if (service.tenantMode()) {
      for (Map.Entry<EncryptedAttributeConverter<?, ?>, List<Use>> entry : uses.entrySet()) {
        if (!entry.getKey().tenantMode()) {
          throw new ConfigurationException(io.github.fieldcrypt.FieldcryptSettings.TENANT_MODE, entry.getKey().getClass().getSimpleName()
              + " on " + entry.getValue().get(0).where() + " cannot use tenant keys (a @Convert converter never sees the"
              + " session's tenant); use @Encrypted in tenant mode");
        }
      }
    }
    List<EncryptedColumnQueryCheck.Column> columns = new ArrayList<>();
    for (Map.Entry<EncryptedAttributeConverter<?, ?>, List<Use>> entry : uses.entrySet()) {
      bind(entry.getKey(), entry.getValue(), service);
      Use first = entry.getValue().get(0);
      entry.getKey().bind(service.metrics().attribute(first.entity(), first.attribute(), physicalContext(first).value()));
      for (Use use : entry.getValue()) {
        EncryptionContext physical = physicalContext(use);
        int dot = physical.value().lastIndexOf('.');
        columns.add(new EncryptedColumnQueryCheck.Column(physical.value().substring(0, dot), physical.value().substring(dot + 1),
            use.where(), entry.getKey().deterministic()));
      }
    }
    for (Map.Entry<EncryptedAttributeConverter<?, ?>, String> made : fromAnnotations.entrySet()) {
      if (!uses.containsKey(made.getKey())) {
        throw new ConfigurationException(null, "@Encrypted on " + made.getValue()
            + " was not applied by Hibernate (another @Convert or @Type on the attribute?); refusing to start rather than store plaintext");
      }
    }
    if (!uses.isEmpty()) {
      if (service.tenantMode()) {
        TenantEncryption tenants = service.startTenantMode(sessionFactory);
        service.metrics().keyCache(tenants.store()::cacheStats);
        LOG.log(System.Logger.Level.INFO, "fieldcrypt: {0} encrypted attribute(s), tenant keys in {1}", uses.size(), tenants.store());
      } else {
        LOG.log(System.Logger.Level.INFO, "fieldcrypt: {0} encrypted attribute(s), {1}", uses.size(), service.encryptor().keyRing());
      }
      installQueryCheck(sessionFactory, columns, service);
      warnAboutLookupsDuringTransition(columns, service);
    }
  }

  /**
   * With plaintext reads on, rows not migrated yet read fine but are never found by an equality
   * lookup (the column is compared with the parameter's ciphertext): said once, at bootstrap,
   * naming the deterministic columns, because the query itself cannot tell.
   */
  private static void warnAboutLookupsDuringTransition(List<EncryptedColumnQueryCheck.Column> columns, FieldEncryptorService service) {
    if (!service.allowsPlaintextReads()) {
      return;
    }
    java.util.Set<String> lookedUp = new java.util.TreeSet<>();
    for (EncryptedColumnQueryCheck.Column column : columns) {
      if (column.deterministic()) {
        lookedUp.add(column.table() + "." + column.column());
      }
    }
    if (!lookedUp.isEmpty()) {
      LOG.log(System.Logger.Level.WARNING, "fieldcrypt: " + io.github.fieldcrypt.FieldcryptSettings.ALLOW_PLAINTEXT_READS
          + " is on: equality lookups on the deterministic column(s) " + lookedUp + " find only rows already encrypted"
          + " (a plaintext row never equals the parameter's ciphertext); run encryptColumn deterministic=\"true\" on them"
          + " before relying on lookups");
    }
  }

  /** Puts {@link EncryptedColumnQueryCheck} in front of the application's statement inspector. */
  private static void installQueryCheck(SessionFactoryImplementor sessionFactory, List<EncryptedColumnQueryCheck.Column> columns,
      FieldEncryptorService service) {
    EncryptedColumnQueryCheck.Action action =
        EncryptedColumnQueryCheck.Action.parse(service.settings().get(EncryptedColumnQueryCheck.SETTING));
    if (action == EncryptedColumnQueryCheck.Action.OFF) {
      return;
    }
    SessionFactoryOptions options = sessionFactory.getSessionFactoryOptions();
    if (options instanceof SessionFactoryOptionsBuilder builder) {
      builder.applyStatementInspector(new EncryptedColumnQueryCheck(columns, action, options.getStatementInspector()));
    } else {
      LOG.log(System.Logger.Level.WARNING, "fieldcrypt: this Hibernate version does not let fieldcrypt check queries on"
          + " encrypted columns; like, ranges and ordering on them will return wrong results silently");
    }
  }

  private static void collect(String entity, Property property, Set<BasicValue> seen,
      Map<EncryptedAttributeConverter<?, ?>, List<Use>> uses) {
    Value value = property.getValue();
    if (value instanceof Component component) {
      for (Property nested : component.getProperties()) {
        collect(entity, nested, seen, uses);
      }
      return;
    }
    if (!(value instanceof BasicValue basic) || !seen.add(basic)) {
      return;
    }
    BasicValueConverter<?, ?> converter = basic.resolve().getValueConverter();
    if (converter instanceof JpaAttributeConverter<?, ?> jpa
        && jpa.getConverterBean().getBeanInstance() instanceof EncryptedAttributeConverter<?, ?> ours) {
      uses.computeIfAbsent(ours, k -> new ArrayList<>()).add(new Use(entity, property.getName(), basic));
    }
  }

  private static void bind(EncryptedAttributeConverter<?, ?> converter, List<Use> uses, FieldEncryptorService service) {
    Map<String, Use> byContext = new LinkedHashMap<>();
    for (Use use : uses) {
      byContext.putIfAbsent(physicalContext(use).value(), use);
    }
    Use first = uses.get(0);
    if (!converter.hasEncryptor() && !service.tenantMode()) {
      converter.bind(service.encryptor());
    }
    if (converter.explicitContext() != null) {
      if (converter.context() == null) {
        converter.bind(converter.explicitContext().describing(first.entity(), first.attribute()));
      }
      return;
    }
    if (byContext.size() > 1) {
      throw new ConfigurationException(null, converter.getClass().getSimpleName() + " is shared by the columns "
          + byContext.keySet() + " (" + uses.stream().map(Use::where).toList() + "): a value's context must name its one column;"
          + " use @Encrypted, or one converter subclass per column that passes its context to the constructor");
    }
    converter.bind(physicalContext(first).describing(first.entity(), first.attribute()));
  }

  private static EncryptionContext physicalContext(Use use) {
    BasicValue value = use.value();
    if (value.getColumnSpan() != 1 || !(value.getSelectables().get(0) instanceof Column)) {
      throw new ConfigurationException(null, "Encrypted attribute " + use.where() + " must map to exactly one column (not a formula)");
    }
    Selectable selectable = value.getSelectables().get(0);
    return EncryptionContext.forColumn(value.getTable().getName(), ((Column) selectable).getName());
  }

  @Override
  public void disintegrate(SessionFactoryImplementor sessionFactory, SessionFactoryServiceRegistry serviceRegistry) {
    // Converters hold no resources; the tenant key store (tenant mode) holds a cache and closes.
    FieldEncryptorService.of(sessionFactory.getServiceRegistry()).stop();
  }
}
