package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.FieldcryptException;

/**
 * A column migration ({@code encryptColumn}, {@code decryptColumn}, {@code reencryptColumn})
 * cannot run or had to stop: the table has no primary key, the column is too narrow or of a
 * kind that cannot hold ciphertext, a stored value does not authenticate, or the database
 * refused a statement.
 *
 * <p><b>Security:</b> the message names the table, the column, the key id and a row's primary
 * key at most; never a stored value, plaintext or ciphertext. Driver exceptions from writes are
 * not attached as causes because some drivers quote the rejected row in them.
 */
public class ColumnMigrationException extends FieldcryptException {
  private static final long serialVersionUID = 1L;

  /** A failure with the context ({@code "<table>.<column>"}) and the key id involved, if any. */
  public ColumnMigrationException(String message, String context, Integer keyId) {
    super(message, context, keyId, null);
  }

  /** A failure caused by a lower-level exception that carries no stored value (metadata, reads). */
  public ColumnMigrationException(String message, String context, Throwable cause) {
    super(message, context, null, cause);
  }
}
