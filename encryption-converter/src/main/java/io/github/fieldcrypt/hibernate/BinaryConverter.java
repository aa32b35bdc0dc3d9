package io.github.fieldcrypt.hibernate;

/** Encrypts a {@code byte[]} attribute into the raw v1 value, for a binary column. */
final class BinaryConverter extends EncryptedAttributeConverter<byte[], byte[]> {

  BinaryConverter(Options options) {
    super(options.context(), options.deterministic());
  }

  @Override
  public byte[] convertToDatabaseColumn(byte[] attribute) {
    if (attribute == null) {
      return null;
    }
    return deterministic() ? encryptor().encryptDeterministic(attribute, context()) : encryptor().encrypt(attribute, context());
  }

  @Override
  public byte[] convertToEntityAttribute(byte[] column) {
    return column == null ? null : encryptor().decrypt(column, context());
  }

  @Override
  protected boolean mutableDomain() {
    return true;
  }
}
