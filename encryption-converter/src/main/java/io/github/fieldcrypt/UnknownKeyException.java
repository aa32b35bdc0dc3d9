package io.github.fieldcrypt;

/**
 * A stored value names a key id that is not in the key ring. Usually a key was removed from
 * {@code fieldcrypt.keys} while rows still use it; put it back (the key-usage report of the
 * Liquibase module tells which rows still need it).
 */
public class UnknownKeyException extends FieldcryptException {
  private static final long serialVersionUID = 1L;

  public UnknownKeyException(String message, String context, int keyId) {
    super(message, context, keyId, null);
  }
}
