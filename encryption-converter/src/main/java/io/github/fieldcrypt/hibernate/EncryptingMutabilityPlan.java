package io.github.fieldcrypt.hibernate;

import java.io.Serializable;
import org.hibernate.SharedSessionContract;
import org.hibernate.type.descriptor.java.MutabilityPlan;

/**
 * How Hibernate copies, caches and compares an encrypted attribute.
 *
 * <p>Snapshots for dirty checking are plain copies (identity for immutable types, a clone for
 * {@code byte[]}), so loading and flushing an unchanged entity encrypts nothing and issues no
 * UPDATE. What goes to the second-level cache ({@link #disassemble}) is the ciphertext the
 * column holds, never the plaintext; {@link #assemble} decrypts it on a cache hit.
 */
final class EncryptingMutabilityPlan<D, R> implements MutabilityPlan<D> {
  private static final long serialVersionUID = 1L;

  private final transient EncryptedAttributeConverter<D, R> converter;
  private final boolean mutable;

  EncryptingMutabilityPlan(EncryptedAttributeConverter<D, R> converter) {
    this.converter = converter;
    this.mutable = converter.mutableDomain();
  }

  @Override
  public boolean isMutable() {
    return mutable;
  }

  @Override
  @SuppressWarnings("unchecked")
  public D deepCopy(D value) {
    if (value == null || !mutable) {
      return value;
    }
    return (D) ((byte[]) value).clone();
  }

  @Override
  public Serializable disassemble(D value, SharedSessionContract session) {
    return value == null ? null : (Serializable) converter.convertToDatabaseColumn(value);
  }

  @Override
  @SuppressWarnings("unchecked")
  public D assemble(Serializable cached, SharedSessionContract session) {
    return cached == null ? null : converter.convertToEntityAttribute((R) cached);
  }
}
