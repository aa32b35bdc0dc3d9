package io.github.fieldcrypt.hibernate;

import jakarta.persistence.AttributeConverter;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.hibernate.boot.model.convert.internal.InstanceBasedConverterDescriptor;
import org.hibernate.boot.model.convert.spi.ConverterDescriptor;
import org.hibernate.boot.spi.MetadataBuildingContext;

/**
 * The one place that knows how Hibernate versions differ for fieldcrypt: how to wrap a
 * converter instance in a {@link ConverterDescriptor}.
 *
 * <ul>
 *   <li>6.6: {@code new InstanceBasedConverterDescriptor(converter, classmateContext)}
 *   <li>7.0–7.2: {@code ConverterDescriptors.of(converter, classmateContext)}
 *   <li>7.3+: {@code ConverterDescriptors.of(converter)}
 * </ul>
 */
final class HibernateCompat {
  private static final String DESCRIPTORS = "org.hibernate.boot.model.convert.internal.ConverterDescriptors";
  private static final MethodHandle OF_CONVERTER;
  private static final MethodHandle OF_CONVERTER_AND_CLASSMATE;

  static {
    MethodHandle ofConverter = null;
    MethodHandle ofConverterAndClassmate = null;
    try {
      Class<?> descriptors = Class.forName(DESCRIPTORS, false, HibernateCompat.class.getClassLoader());
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      try {
        ofConverter = lookup.findStatic(descriptors, "of", MethodType.methodType(ConverterDescriptor.class, AttributeConverter.class));
      } catch (NoSuchMethodException notSevenThree) {
        Class<?> classmate = Class.forName("org.hibernate.boot.internal.ClassmateContext", false, HibernateCompat.class.getClassLoader());
        ofConverterAndClassmate = lookup.findStatic(descriptors, "of",
            MethodType.methodType(ConverterDescriptor.class, AttributeConverter.class, classmate));
      }
    } catch (ClassNotFoundException sixSix) {
      // Hibernate 6.x: InstanceBasedConverterDescriptor's public constructor, below.
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError("fieldcrypt does not support this Hibernate version: " + e);
    }
    OF_CONVERTER = ofConverter;
    OF_CONVERTER_AND_CLASSMATE = ofConverterAndClassmate;
  }

  private HibernateCompat() {}

  /**
   * Runs {@code callback} once the session's current transaction has ended: {@code true} after a
   * commit, {@code false} after a rollback. A JTA {@code Synchronization} on the session's
   * transaction: the same API on 6.6 and 7.x, resource-local and JTA alike.
   */
  static void afterTransactionCompletion(SharedSessionContractImplementor session, java.util.function.Consumer<Boolean> callback) {
    session.accessTransaction().registerSynchronization(new Synchronization() {
      @Override
      public void beforeCompletion() {
        // nothing to do before
      }

      @Override
      public void afterCompletion(int status) {
        callback.accept(status == Status.STATUS_COMMITTED);
      }
    });
  }

  static ConverterDescriptor converterDescriptor(AttributeConverter<?, ?> converter, MetadataBuildingContext context) {
    try {
      if (OF_CONVERTER != null) {
        return (ConverterDescriptor) OF_CONVERTER.invoke(converter);
      }
      if (OF_CONVERTER_AND_CLASSMATE != null) {
        Object classmate = context.getBootstrapContext().getClass().getMethod("getClassmateContext")
            .invoke(context.getBootstrapContext());
        return (ConverterDescriptor) OF_CONVERTER_AND_CLASSMATE.invoke(converter, classmate);
      }
      return new InstanceBasedConverterDescriptor(converter, context.getBootstrapContext().getClassmateContext());
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("Cannot create a converter descriptor on this Hibernate version", e);
    }
  }
}
