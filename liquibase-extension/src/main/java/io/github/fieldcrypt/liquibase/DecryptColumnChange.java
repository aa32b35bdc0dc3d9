package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.liquibase.internal.ColumnMigration;
import liquibase.change.Change;
import liquibase.change.ChangeMetaData;
import liquibase.change.ChangeParameterMetaData;
import liquibase.change.DatabaseChange;
import liquibase.change.DatabaseChangeProperty;

/**
 * The Liquibase change {@code decryptColumn}: decrypts every encrypted value of a column in place (plaintext values are skipped); rollback encrypts them again.
 *
 * <pre>{@code
 * <fieldcrypt:decryptColumn tableName="users" columnName="email"/>
 * }</pre>
 *
 * <p>With {@code targetFormat="fernet"} (what the rollback of an {@code encryptColumn
 * sourceFormat="fernet"} runs) each value becomes a Fernet token made with the first key of
 * {@code fieldcrypt.fernet-keys}, readable by Python's {@code cryptography.fernet}; values that
 * are valid tokens already are skipped, any other value stops it before any write.
 *
 * <p>Idempotent, batched, resumable after a crash, safe beside concurrent writers; see
 * {@link AbstractColumnCryptChange} and the module's README.
 */
@DatabaseChange(name = "decryptColumn", description = "Decrypts every encrypted value of a column in place (plaintext values are skipped); rollback encrypts them again",
    priority = ChangeMetaData.PRIORITY_DEFAULT, appliesTo = "column")
public class DecryptColumnChange extends AbstractColumnCryptChange {

  @DatabaseChangeProperty(description = "What the column holds afterwards: \"plaintext\" (the default) or \"fernet\" (tokens"
      + " of Python's cryptography.fernet, made with the first key of fieldcrypt.fernet-keys)",
      requiredForDatabase = ChangeParameterMetaData.NONE)
  public String getTargetFormat() {
    return attributes().format;
  }

  public void setTargetFormat(String targetFormat) {
    attributes().format = targetFormat;
  }

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
