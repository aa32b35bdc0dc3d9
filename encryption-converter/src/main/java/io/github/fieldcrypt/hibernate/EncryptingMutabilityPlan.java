package io.github.fieldcrypt.hibernate;

import java.io.Serializable;
import org.hibernate.SharedSessionContract;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
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
  private final transient FieldEncryptorService tenantKeys;
  private final boolean mutable;

  /** @param tenantKeys in tenant mode the service whose tenant keys encrypt cache entries, else {@code null} */
  EncryptingMutabilityPlan(EncryptedAttributeConverter<D, R> converter, FieldEncryptorService tenantKeys) {
    this.converter = converter;
    this.tenantKeys = tenantKeys;
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
    if (value == null) {
      return null;
    }
    R column = converter.convertToDatabaseColumn(value);
    if (tenantKeys == null) {
      return (Serializable) column;
    }
    // Tenant mode: the converter gave the canonical plaintext; the tenant's key encrypts it.
    SharedSessionContractImplementor s = (SharedSessionContractImplementor) session;
    return column instanceof byte[] bytes
        ? tenantKeys.tenantEncryption().encrypt(bytes, converter, s)
        : tenantKeys.tenantEncryption().encryptText((String) column, converter, s);
  }

  @Override
  @SuppressWarnings("unchecked")
  public D assemble(Serializable cached, SharedSessionContract session) {
    if (cached == null) {
      return null;
    }
    if (tenantKeys == null) {
      return converter.convertToEntityAttribute((R) cached);
    }
    SharedSessionContractImplementor s = (SharedSessionContractImplementor) session;
    Object plaintext = cached instanceof byte[] bytes
        ? tenantKeys.tenantEncryption().decrypt(bytes, converter, s)
        : tenantKeys.tenantEncryption().decryptText((String) cached, converter, s);
    return converter.convertToEntityAttribute((R) plaintext);
  }
}
