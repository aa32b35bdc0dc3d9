package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.liquibase.internal.ColumnMigration;
import liquibase.change.Change;
import liquibase.change.ChangeMetaData;
import liquibase.change.DatabaseChange;

/**
 * The Liquibase change {@code decryptColumn}: decrypts every encrypted value of a column in place (plaintext values are skipped); rollback encrypts them again.
 *
 * <pre>{@code
 * <fieldcrypt:decryptColumn tableName="users" columnName="email"/>
 * }</pre>
 *
 * <p>Idempotent, batched, resumable after a crash, safe beside concurrent writers; see
 * {@link AbstractColumnCryptChange} and the module's README.
 */
@DatabaseChange(name = "decryptColumn", description = "Decrypts every encrypted value of a column in place (plaintext values are skipped); rollback encrypts them again",
    priority = ChangeMetaData.PRIORITY_DEFAULT, appliesTo = "column")
public class DecryptColumnChange extends AbstractColumnCryptChange {

  @Override
  ColumnMigration.Operation operation() {
    return ColumnMigration.Operation.DECRYPT;
  }

  @Override
  AbstractColumnCryptChange newInverse() {
    return new EncryptColumnChange();
  }

  @Override
  protected Change[] createInverses() {
    return new Change[] {inverse()};
  }
}
