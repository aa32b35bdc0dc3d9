package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.liquibase.internal.ColumnMigration;

/**
 * {@code encryptColumn} as a {@code customChange}; its rollback decrypts (to Fernet tokens again
 * with {@code sourceFormat="fernet"}).
 *
 * <pre>{@code
 * <customChange class="io.github.fieldcrypt.liquibase.EncryptColumnTask">
 *   <param name="tableName" value="users"/>
 *   <param name="columnName" value="email"/>
 * </customChange>
 * }</pre>
 */
public class EncryptColumnTask extends AbstractColumnCryptTask {

  /** {@code plaintext} (the default) or {@code fernet}; the rollback writes this format back. */
  public void setSourceFormat(String sourceFormat) {
    attributes().format = sourceFormat;
  }

  @Override
  ColumnMigration.Operation operation() {
    return ColumnMigration.Operation.ENCRYPT;
  }

  @Override
  ColumnMigration.Operation rollbackOperation() {
    return ColumnMigration.Operation.DECRYPT;
  }
}
