package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.DecryptionException;

/**
 * Encrypts an attribute through its canonical string ({@link Codec}) into base64url text.
 *
 * @param <D> the attribute's Java type
 */
abstract class TextConverter<D> extends EncryptedAttributeConverter<D, String> {
  private final Codec<D> codec;

  TextConverter(Codec<D> codec, Options options) {
    super(options.context(), options.deterministic());
    this.codec = codec;
  }

  @Override
  public final String convertToDatabaseColumn(D attribute) {
    if (attribute == null) {
      return null;
    }
    String plaintext = codec.format().apply(attribute);
    return deterministic()
        ? encryptor().encryptToTextDeterministic(plaintext, context())
        : encryptor().encryptToText(plaintext, context());
  }

  @Override
  public final D convertToEntityAttribute(String column) {
    if (column == null) {
      return null;
    }
    String plaintext = encryptor().decryptText(column, context());
    try {
      return codec.parse().apply(plaintext);
    } catch (RuntimeException notCanonical) {
      // Only reachable with plaintext reads on, for a legacy value that is not in canonical form.
      // The parser's message quotes the value, so it is not attached.
      throw new DecryptionException(DecryptionException.Reason.NOT_CIPHERTEXT,
          "Cannot read " + describe() + ": the stored plaintext is not a canonical "
              + codec.type().getSimpleName() + " value", context().value(), null);
    }
  }

  private String describe() {
    var ctx = context();
    return (ctx.entity() == null ? "" : ctx.entity() + "." + ctx.attribute() + " ") + "(context \"" + ctx.value() + "\")";
  }

  @Override
  protected final boolean mutableDomain() {
    return false;
  }
}
