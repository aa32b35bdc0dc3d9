package io.github.fieldcrypt.hibernate;

/** Encrypts a {@code byte[]} attribute into the raw v1 value, for a binary column. */
final class BinaryConverter extends EncryptedAttributeConverter<byte[], byte[]> {

  BinaryConverter(Options options) {
    super(options.context(), options.deterministic());
  }

  @Override
  protected byte[] encryptValue(byte[] attribute) {
    if (tenantMode()) {
      return attribute;
    }
    return deterministic() ? encryptor().encryptDeterministic(attribute, context()) : encryptor().encrypt(attribute, context());
  }

  @Override
  protected byte[] decryptValue(byte[] column) {
    return tenantMode() ? column : encryptor().decrypt(column, context());
  }

  @Override
  protected boolean mutableDomain() {
    return true;
  }
}
