package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import jakarta.persistence.AttributeConverter;

/**
 * The base of fieldcrypt's JPA converters: one instance per attribute, bound at bootstrap to
 * the SessionFactory's {@link FieldEncryptor} and to its column's {@link EncryptionContext}.
 *
 * <p>Not for direct use: {@code @Encrypted} creates these, and
 * {@link io.github.fieldcrypt.EncryptedStringConverter} is the one for {@code @Convert}. There
 * is no static state: two SessionFactories have their own instances and key rings.
 *
 * @param <D> the attribute's Java type
 * @param <R> what the column holds: {@code String} (base64url) or {@code byte[]}
 */
public abstract class EncryptedAttributeConverter<D, R> implements AttributeConverter<D, R> {
  private final EncryptionContext explicitContext;
  private final boolean deterministic;
  private volatile FieldEncryptor encryptor;
  private volatile EncryptionContext context;

  /** @param explicitContext the context, or {@code null} to use the column's table and column */
  protected EncryptedAttributeConverter(String explicitContext) {
    this(explicitContext, false);
  }

  /**
   * @param explicitContext the context, or {@code null} to use the column's table and column
   * @param deterministic whether values are encrypted deterministically (equality lookups)
   */
  protected EncryptedAttributeConverter(String explicitContext, boolean deterministic) {
    this.explicitContext = explicitContext == null || explicitContext.isBlank() ? null : EncryptionContext.of(explicitContext);
    this.deterministic = deterministic;
  }

  /** Whether this attribute is encrypted deterministically (alg 0x02), so equality queries work. */
  public final boolean deterministic() {
    return deterministic;
  }

  /** The context given in code, or {@code null} when it comes from the column. */
  final EncryptionContext explicitContext() {
    return explicitContext;
  }

  final boolean hasEncryptor() {
    return encryptor != null;
  }

  final void bind(FieldEncryptor encryptor) {
    this.encryptor = encryptor;
  }

  final void bind(EncryptionContext context) {
    this.context = context;
  }

  /** The context this converter encrypts under, or {@code null} before bootstrap completes. */
  public final EncryptionContext context() {
    return context;
  }

  /** The bound encryptor. @throws ConfigurationException when bootstrap did not bind this converter */
  protected final FieldEncryptor encryptor() {
    FieldEncryptor bound = encryptor;
    if (bound == null || context == null) {
      throw new ConfigurationException(null, getClass().getSimpleName()
          + " is not bound to a SessionFactory: fieldcrypt's converters work with Hibernate ORM 6.6 or later, "
          + "which binds them while the SessionFactory starts");
    }
    return bound;
  }

  /** Whether the attribute's values are mutable in place ({@code byte[]}). */
  protected abstract boolean mutableDomain();

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + (context == null ? "unbound" : context.value())
        + (deterministic ? ", deterministic" : "") + "]";
  }
}
