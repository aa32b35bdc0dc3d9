package io.github.fieldcrypt.hibernate;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The canonical string of each supported non-String type: what is encrypted for it. These forms
 * are part of the stored format (FORMAT.md) and must never change.
 */
record Codec<T>(Class<T> type, Function<T, String> format, Function<String, T> parse) {

  static final Codec<String> STRING = new Codec<>(String.class, s -> s, s -> s);
  /**
   * {@code ignoreCase = true}: the string in Unicode NFC, upper-cased then lower-cased in the root
   * locale (so "Straße", "STRASSE" and "strasse" are one value). Reading gives the folded form.
   */
  static final Codec<String> FOLDED_STRING = new Codec<>(String.class, Codec::fold, s -> s);
  static final Codec<Integer> INTEGER = new Codec<>(Integer.class, i -> Integer.toString(i), Integer::valueOf);
  static final Codec<Long> LONG = new Codec<>(Long.class, l -> Long.toString(l), Long::valueOf);
  // toString, not toPlainString: BigDecimal(String) restores the exact unscaled value and scale.
  static final Codec<BigDecimal> BIG_DECIMAL = new Codec<>(BigDecimal.class, BigDecimal::toString, BigDecimal::new);
  static final Codec<Boolean> BOOLEAN = new Codec<>(Boolean.class, b -> b.toString(), Codec::parseBoolean);
  static final Codec<LocalDate> LOCAL_DATE = new Codec<>(LocalDate.class, LocalDate::toString, LocalDate::parse);
  static final Codec<LocalDateTime> LOCAL_DATE_TIME = new Codec<>(LocalDateTime.class, LocalDateTime::toString, LocalDateTime::parse);
  static final Codec<Instant> INSTANT = new Codec<>(Instant.class, Instant::toString, Instant::parse);
  static final Codec<UUID> UUID_CODEC = new Codec<>(UUID.class, UUID::toString, UUID::fromString);

  static final Map<Class<?>, Codec<?>> BY_TYPE = Map.of(
      String.class, STRING,
      Integer.class, INTEGER,
      Long.class, LONG,
      BigDecimal.class, BIG_DECIMAL,
      Boolean.class, BOOLEAN,
      LocalDate.class, LOCAL_DATE,
      LocalDateTime.class, LOCAL_DATE_TIME,
      Instant.class, INSTANT,
      UUID.class, UUID_CODEC);

  /** Enum constants by {@link Enum#name()}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Codec<Object> forEnum(Class<?> enumType) {
    Class<? extends Enum> type = (Class<? extends Enum>) enumType;
    return new Codec<>((Class<Object>) enumType, e -> ((Enum<?>) e).name(), s -> Enum.valueOf(type, s));
  }

  /** This codec over {@code Object}, for converters whose declared domain type must be Object. */
  @SuppressWarnings("unchecked")
  Codec<Object> erased() {
    return new Codec<>((Class<Object>) type, o -> format.apply(type.cast(o)), s -> parse.apply(s));
  }

  /** The case-folded form of {@link #FOLDED_STRING}; part of the stored format (FORMAT.md). */
  static String fold(String s) {
    return java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFC)
        .toUpperCase(java.util.Locale.ROOT).toLowerCase(java.util.Locale.ROOT);
  }

  private static Boolean parseBoolean(String s) {
    if (s.equals("true")) {
      return Boolean.TRUE;
    }
    if (s.equals("false")) {
      return Boolean.FALSE;
    }
    throw new IllegalArgumentException("not a canonical boolean");
  }
}
