package io.github.fieldcrypt.hibernate;

/** Encrypts a {@code byte[]} attribute into the raw v1 value, for a binary column. */
final class BinaryConverter extends EncryptedAttributeConverter<byte[], byte[]> {

  BinaryConverter(String explicitContext) {
    super(explicitContext);
  }

  @Override
  public byte[] convertToDatabaseColumn(byte[] attribute) {
    return attribute == null ? null : encryptor().encrypt(attribute, context());
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
