package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.liquibase.internal.ColumnMigration;

/**
 * {@code reencryptColumn} as a {@code customChange}; its rollback does nothing.
 *
 * <pre>{@code
 * <customChange class="io.github.fieldcrypt.liquibase.ReencryptColumnTask">
 *   <param name="tableName" value="users"/>
 *   <param name="columnName" value="email"/>
 * </customChange>
 * }</pre>
 */
public class ReencryptColumnTask extends AbstractColumnCryptTask {

  @Override
  ColumnMigration.Operation operation() {
    return ColumnMigration.Operation.REENCRYPT;
  }

  @Override
  ColumnMigration.Operation rollbackOperation() {
    return null;
  }
}
