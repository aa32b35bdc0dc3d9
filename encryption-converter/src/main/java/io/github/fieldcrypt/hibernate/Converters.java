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
  static EncryptedAttributeConverter<?, ?> forType(Class<?> type, Options options) {
    if (type == byte[].class) {
      return new BinaryConverter(options);
    }
    if (type.isEnum()) {
      return new OfEnum(type, options);
    }
    if (type == String.class) {
      return options.ignoreCase() ? new OfFoldedString(options) : new OfString(options);
    }
    if (type == Integer.class) {
      return new OfInteger(options);
    }
    if (type == Long.class) {
      return new OfLong(options);
    }
    if (type == BigDecimal.class) {
      return new OfBigDecimal(options);
    }
    if (type == Boolean.class) {
      return new OfBoolean(options);
    }
    if (type == LocalDate.class) {
      return new OfLocalDate(options);
    }
    if (type == LocalDateTime.class) {
      return new OfLocalDateTime(options);
    }
    if (type == Instant.class) {
      return new OfInstant(options);
    }
    if (type == UUID.class) {
      return new OfUuid(options);
    }
    return null;
  }

  static final class OfString extends TextConverter<String> {
    OfString(Options context) {
      super(Codec.STRING, context);
    }
  }

  /** {@code @Encrypted(deterministic = true, ignoreCase = true)}: the case-folded string is stored. */
  static final class OfFoldedString extends TextConverter<String> {
    OfFoldedString(Options context) {
      super(Codec.FOLDED_STRING, context);
    }
  }

  static final class OfInteger extends TextConverter<Integer> {
    OfInteger(Options context) {
      super(Codec.INTEGER, context);
    }
  }

  static final class OfLong extends TextConverter<Long> {
    OfLong(Options context) {
      super(Codec.LONG, context);
    }
  }

  static final class OfBigDecimal extends TextConverter<BigDecimal> {
    OfBigDecimal(Options context) {
      super(Codec.BIG_DECIMAL, context);
    }
  }

  /**
   * Declared over {@code Object}, not {@code Boolean}: for a Boolean domain type Hibernate
   * derives a CHECK constraint from the converted values of true and false, which for
   * ciphertexts (random per write) would reject every insert.
   */
  static final class OfBoolean extends TextConverter<Object> {
    OfBoolean(Options context) {
      super(Codec.BOOLEAN.erased(), context);
    }
  }

  static final class OfLocalDate extends TextConverter<LocalDate> {
    OfLocalDate(Options context) {
      super(Codec.LOCAL_DATE, context);
    }
  }

  static final class OfLocalDateTime extends TextConverter<LocalDateTime> {
    OfLocalDateTime(Options context) {
      super(Codec.LOCAL_DATE_TIME, context);
    }
  }

  static final class OfInstant extends TextConverter<Instant> {
    OfInstant(Options context) {
      super(Codec.INSTANT, context);
    }
  }

  static final class OfUuid extends TextConverter<UUID> {
    OfUuid(Options context) {
      super(Codec.UUID_CODEC, context);
    }
  }

  /** Declared over {@code Object} for the same reason as {@link OfBoolean}: enum CHECK constraints. */
  static final class OfEnum extends TextConverter<Object> {
    OfEnum(Class<?> enumType, Options context) {
      super(Codec.forEnum(enumType), context);
    }
  }
}
