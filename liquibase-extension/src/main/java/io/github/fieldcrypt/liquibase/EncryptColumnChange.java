package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.liquibase.internal.ColumnMigration;
import liquibase.change.Change;
import liquibase.change.ChangeMetaData;
import liquibase.change.DatabaseChange;

/**
 * The Liquibase change {@code encryptColumn}: encrypts every plaintext value of a column in place (values already encrypted are skipped); rollback decrypts them.
 *
 * <pre>{@code
 * <fieldcrypt:encryptColumn tableName="users" columnName="email"/>
 * }</pre>
 *
 * <p>Idempotent, batched, resumable after a crash, safe beside concurrent writers; see
 * {@link AbstractColumnCryptChange} and the module's README.
 */
@DatabaseChange(name = "encryptColumn", description = "Encrypts every plaintext value of a column in place (values already encrypted are skipped); rollback decrypts them",
    priority = ChangeMetaData.PRIORITY_DEFAULT, appliesTo = "column")
public class EncryptColumnChange extends AbstractColumnCryptChange {

  @Override
  ColumnMigration.Operation operation() {
    return ColumnMigration.Operation.ENCRYPT;
  }

  @Override
  AbstractColumnCryptChange newInverse() {
    return new DecryptColumnChange();
  }

  @Override
  protected Change[] createInverses() {
    return new Change[] {inverse()};
  }
}
