package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.liquibase.internal.ColumnMigration;
import liquibase.change.Change;
import liquibase.change.ChangeMetaData;
import liquibase.change.ChangeParameterMetaData;
import liquibase.change.DatabaseChange;
import liquibase.change.DatabaseChangeProperty;

/**
 * The Liquibase change {@code encryptColumn}: encrypts every plaintext value of a column in place (values already encrypted are skipped); rollback decrypts them.
 *
 * <pre>{@code
 * <fieldcrypt:encryptColumn tableName="users" columnName="email"/>
 * }</pre>
 *
 * <p>With {@code sourceFormat="fernet"} the column holds Fernet tokens of a Python service
 * ({@code cryptography.fernet}) instead of plaintext: each is read with
 * {@code fieldcrypt.fernet-keys} and its plaintext encrypted to v1; a value that is neither v1
 * nor a valid token stops the change before any write. The rollback then writes Fernet tokens
 * again, with the first Fernet key, so the Python service reads the column as before.
 *
 * <p>Idempotent, batched, resumable after a crash, safe beside concurrent writers; see
 * {@link AbstractColumnCryptChange} and the module's README.
 */
@DatabaseChange(name = "encryptColumn", description = "Encrypts every plaintext value of a column in place (values already encrypted are skipped); rollback decrypts them",
    priority = ChangeMetaData.PRIORITY_DEFAULT, appliesTo = "column")
public class EncryptColumnChange extends AbstractColumnCryptChange {

  @DatabaseChangeProperty(description = "What the column holds now: \"plaintext\" (the default) or \"fernet\" (tokens of"
      + " Python's cryptography.fernet, read with fieldcrypt.fernet-keys; the rollback writes Fernet tokens again)",
      requiredForDatabase = ChangeParameterMetaData.NONE)
  public String getSourceFormat() {
    return attributes().format;
  }

  public void setSourceFormat(String sourceFormat) {
    attributes().format = sourceFormat;
  }

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
