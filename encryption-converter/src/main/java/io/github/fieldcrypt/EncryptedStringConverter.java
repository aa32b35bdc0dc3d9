package io.github.fieldcrypt;

import io.github.fieldcrypt.hibernate.EncryptedAttributeConverter;
import jakarta.persistence.Converter;

/**
 * The plain JPA route: {@code @Convert(converter = EncryptedStringConverter.class)} on a
 * {@code String} attribute stores it exactly as {@link Encrypted @Encrypted} would (the same
 * bytes for the same table and column).
 *
 * <p>JPA gives a converter no way to know its column, and Hibernate shares one converter
 * instance per class. So fieldcrypt binds the instance while the SessionFactory starts: used
 * on one attribute, its context is that attribute's {@code "<table>.<column>"}; used on several,
 * bootstrap fails unless each column has its own subclass naming its context:
 *
 * <pre>{@code
 * public class ApiKeyConverter extends EncryptedStringConverter {
 *   public ApiKeyConverter() { super("tenants.api_key"); }
 * }
 * }</pre>
 */
@Converter
public class EncryptedStringConverter extends EncryptedAttributeConverter<String, String> {

  /** Context from the one column this converter is applied to. */
  public EncryptedStringConverter() {
    super(null);
  }

  /** A fixed context, {@code "<table>.<column>"}, for a subclass used on one column. */
  protected EncryptedStringConverter(String context) {
    super(context);
  }

  @Override
  protected final String encryptValue(String attribute) {
    return encryptor().encryptToText(attribute, context());
  }

  @Override
  protected final String decryptValue(String column) {
    return encryptor().decryptText(column, context());
  }

  @Override
  protected final boolean mutableDomain() {
    return false;
  }
}
