package io.github.fieldcrypt.hibernate;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.UUID;

/**
 * Makes the converter for an attribute type. One concrete class per type, because Hibernate
 * reads a converter's domain and column types from its class's generic signature.
 */
final class Converters {
  private Converters() {}

  /** The converter for this type, or {@code null} when the type is not supported. */
  static EncryptedAttributeConverter<?, ?> forType(Class<?> type, String explicitContext) {
    if (type == byte[].class) {
      return new BinaryConverter(explicitContext);
    }
    if (type.isEnum()) {
      return new OfEnum(type, explicitContext);
    }
    if (type == String.class) {
      return new OfString(explicitContext);
    }
    if (type == Integer.class) {
      return new OfInteger(explicitContext);
    }
    if (type == Long.class) {
      return new OfLong(explicitContext);
    }
    if (type == BigDecimal.class) {
      return new OfBigDecimal(explicitContext);
    }
    if (type == Boolean.class) {
      return new OfBoolean(explicitContext);
    }
    if (type == LocalDate.class) {
      return new OfLocalDate(explicitContext);
    }
    if (type == LocalDateTime.class) {
      return new OfLocalDateTime(explicitContext);
    }
    if (type == Instant.class) {
      return new OfInstant(explicitContext);
    }
    if (type == UUID.class) {
      return new OfUuid(explicitContext);
    }
    return null;
  }

  static final class OfString extends TextConverter<String> {
    OfString(String context) {
      super(Codec.STRING, context);
    }
  }

  static final class OfInteger extends TextConverter<Integer> {
    OfInteger(String context) {
      super(Codec.INTEGER, context);
    }
  }

  static final class OfLong extends TextConverter<Long> {
    OfLong(String context) {
      super(Codec.LONG, context);
    }
  }

  static final class OfBigDecimal extends TextConverter<BigDecimal> {
    OfBigDecimal(String context) {
      super(Codec.BIG_DECIMAL, context);
    }
  }

  /**
   * Declared over {@code Object}, not {@code Boolean}: for a Boolean domain type Hibernate
   * derives a CHECK constraint from the converted values of true and false, which for
   * ciphertexts (random per write) would reject every insert.
   */
  static final class OfBoolean extends TextConverter<Object> {
    OfBoolean(String context) {
      super(Codec.BOOLEAN.erased(), context);
    }
  }

  static final class OfLocalDate extends TextConverter<LocalDate> {
    OfLocalDate(String context) {
      super(Codec.LOCAL_DATE, context);
    }
  }

  static final class OfLocalDateTime extends TextConverter<LocalDateTime> {
    OfLocalDateTime(String context) {
      super(Codec.LOCAL_DATE_TIME, context);
    }
  }

  static final class OfInstant extends TextConverter<Instant> {
    OfInstant(String context) {
      super(Codec.INSTANT, context);
    }
  }

  static final class OfUuid extends TextConverter<UUID> {
    OfUuid(String context) {
      super(Codec.UUID_CODEC, context);
    }
  }

  /** Declared over {@code Object} for the same reason as {@link OfBoolean}: enum CHECK constraints. */
  static final class OfEnum extends TextConverter<Object> {
    OfEnum(Class<?> enumType, String context) {
      super(Codec.forEnum(enumType), context);
    }
  }
}
