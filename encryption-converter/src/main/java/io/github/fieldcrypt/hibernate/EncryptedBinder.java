package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.Encrypted;
import io.github.fieldcrypt.EncryptionContext;
import org.hibernate.binder.AttributeBinder;
import org.hibernate.boot.registry.classloading.spi.ClassLoaderService;
import org.hibernate.boot.spi.MetadataBuildingContext;
import org.hibernate.mapping.BasicValue;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.mapping.Property;

/**
 * Turns {@link Encrypted @Encrypted} into a converter built for that one attribute.
 *
 * <p><b>Warning:</b> nothing here may resolve the value's type ({@code property.getType()} and
 * the like): Hibernate would then fix the type before the converter is attached and silently
 * store plaintext. The attribute's class is taken from {@link Property#getReturnedClassName()},
 * a plain field. The tests read every encrypted column back through JDBC to catch that.
 */
public final class EncryptedBinder implements AttributeBinder<Encrypted> {

  @Override
  public void bind(Encrypted annotation, MetadataBuildingContext buildingContext, PersistentClass persistentClass,
      Property property) {
    String entity = persistentClass.getJpaEntityName();
    String where = "@Encrypted on " + entity + "." + property.getName();
    if (!(property.getValue() instanceof BasicValue basicValue)) {
      throw new ConfigurationException(null, where + ": only basic attributes can be encrypted, not associations,"
          + " collections or embeddables (annotate the embeddable's fields instead)");
    }
    Class<?> type = attributeType(property, buildingContext, where);
    if (annotation.ignoreCase() && (!annotation.deterministic() || type != String.class)) {
      throw new ConfigurationException(null, where + ": ignoreCase = true needs deterministic = true and a String attribute"
          + " (it exists for case-insensitive equality lookups)");
    }
    EncryptedAttributeConverter<?, ?> converter = Converters.forType(type, Options.of(annotation));
    if (converter == null) {
      throw new ConfigurationException(null, where + ": type " + type.getName() + " is not supported; use String, byte[],"
          + " Integer, Long, BigDecimal, Boolean, LocalDate, LocalDateTime, Instant, UUID or an enum");
    }
    FieldEncryptorService service = FieldEncryptorService.of(buildingContext.getBootstrapContext().getServiceRegistry());
    converter.bind(service.encryptor());
    if (converter.explicitContext() != null) {
      converter.bind(converter.explicitContext().describing(entity, property.getName()));
    }
    basicValue.setJpaAttributeConverterDescriptor(HibernateCompat.converterDescriptor(converter, buildingContext));
    EncryptingMutabilityPlan<?, ?> plan = new EncryptingMutabilityPlan<>(converter);
    basicValue.setExplicitMutabilityPlanAccess(typeConfiguration -> plan);
    // The column's physical name is final only once all mappings are bound: FieldcryptIntegrator
    // binds the context then, and checks that every @Encrypted attribute got one.
    service.register(converter, entity + "." + property.getName());
  }

  private static Class<?> attributeType(Property property, MetadataBuildingContext context, String where) {
    String className = property.getReturnedClassName();
    if (className == null) {
      throw new ConfigurationException(null, where + ": Hibernate did not report the attribute's type");
    }
    switch (className) {
      case "int", "long", "boolean", "short", "byte", "char", "float", "double":
        throw new ConfigurationException(null, where + ": primitive " + className
            + " cannot hold SQL NULL; use its wrapper type (Integer, Long, Boolean)");
      case "byte[]", "[B":
        return byte[].class;
      default:
        return context.getBootstrapContext().getServiceRegistry().requireService(ClassLoaderService.class)
            .classForName(className);
    }
  }
}
