package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.DecryptionException;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.metrics.AttributeMetrics;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import jakarta.persistence.AttributeConverter;
import java.util.function.Supplier;

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
  private volatile AttributeMetrics metrics = AttributeMetrics.NOOP;
  private volatile boolean tenantMode;

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

  final void bind(AttributeMetrics metrics) {
    this.metrics = metrics;
  }

  /** Tenant mode: the column type encrypts with the session's tenant key; this converter only formats. */
  final void bindTenantMode() {
    this.tenantMode = true;
  }

  /** Whether values pass through as canonical plaintext, for the tenant mode column type to encrypt. */
  protected final boolean tenantMode() {
    return tenantMode;
  }

  @Override
  public final R convertToDatabaseColumn(D attribute) {
    if (attribute == null) {
      return null;
    }
    // Tenant mode: the column type encrypts, and records it (this only formats).
    return tenantMode || !metrics.enabled() ? encryptValue(attribute) : measureEncryption(() -> encryptValue(attribute));
  }

  @Override
  public final D convertToEntityAttribute(R column) {
    if (column == null) {
      return null;
    }
    return tenantMode || !metrics.enabled() ? decryptValue(column) : measureDecryption(() -> decryptValue(column));
  }

  /** Runs an encryption of one of this attribute's values, timed into its meters (with the outcome). */
  final <T> T measureEncryption(Supplier<T> encryption) {
    AttributeMetrics m = metrics;
    if (!m.enabled()) {
      return encryption.get();
    }
    long start = System.nanoTime();
    boolean success = false;
    try {
      T value = encryption.get();
      success = true;
      return value;
    } finally {
      m.encrypted(System.nanoTime() - start, success);
    }
  }

  /** Runs a decryption of one of this attribute's values, timed into its meters, a failure counted by cause. */
  final <T> T measureDecryption(Supplier<T> decryption) {
    AttributeMetrics m = metrics;
    if (!m.enabled()) {
      return decryption.get();
    }
    long start = System.nanoTime();
    boolean success = false;
    try {
      T value = decryption.get();
      success = true;
      return value;
    } catch (FieldcryptException e) {
      m.decryptFailed(e instanceof DecryptionException d ? d.getReason().name() : e.getClass().getSimpleName());
      throw e;
    } finally {
      m.decrypted(System.nanoTime() - start, success);
    }
  }

  /** Encrypts a non-null attribute value into what the column holds. */
  protected abstract R encryptValue(D attribute);

  /** Decrypts a non-null column value into the attribute's value. */
  protected abstract D decryptValue(R column);

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
