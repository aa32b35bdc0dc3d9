package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.liquibase.internal.ColumnMigration;

/**
 * {@code decryptColumn} as a {@code customChange}; its rollback encrypts again.
 *
 * <pre>{@code
 * <customChange class="io.github.fieldcrypt.liquibase.DecryptColumnTask">
 *   <param name="tableName" value="users"/>
 *   <param name="columnName" value="email"/>
 * </customChange>
 * }</pre>
 */
public class DecryptColumnTask extends AbstractColumnCryptTask {

  /** {@code plaintext} (the default) or {@code fernet}; the rollback reads this format. */
  public void setTargetFormat(String targetFormat) {
    attributes().format = targetFormat;
  }

  @Override
  ColumnMigration.Operation operation() {
    return ColumnMigration.Operation.DECRYPT;
  }

  @Override
  ColumnMigration.Operation rollbackOperation() {
    return ColumnMigration.Operation.ENCRYPT;
  }
}
