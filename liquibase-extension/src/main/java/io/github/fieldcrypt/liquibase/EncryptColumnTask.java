package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.liquibase.internal.ColumnMigration;

/**
 * {@code encryptColumn} as a {@code customChange}; its rollback decrypts.
 *
 * <pre>{@code
 * <customChange class="io.github.fieldcrypt.liquibase.EncryptColumnTask">
 *   <param name="tableName" value="users"/>
 *   <param name="columnName" value="email"/>
 * </customChange>
 * }</pre>
 */
public class EncryptColumnTask extends AbstractColumnCryptTask {

  @Override
  ColumnMigration.Operation operation() {
    return ColumnMigration.Operation.ENCRYPT;
  }

  @Override
  ColumnMigration.Operation rollbackOperation() {
    return ColumnMigration.Operation.DECRYPT;
  }
}
