package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.liquibase.internal.ColumnMigration;
import liquibase.change.Change;
import liquibase.change.ChangeMetaData;
import liquibase.change.DatabaseChange;

/**
 * The Liquibase change {@code reencryptColumn}: moves every value of a column that is not under
 * the key ring's active key to it (key rotation). Values already under the active key are
 * skipped; a value that is not encrypted stops it before any write.
 *
 * <pre>{@code
 * <fieldcrypt:reencryptColumn tableName="users" columnName="email"/>
 * }</pre>
 *
 * <p>Its rollback does nothing: the old keys still decrypt the values, which is all a rollback
 * would need.
 */
@DatabaseChange(name = "reencryptColumn",
    description = "Re-encrypts every value of a column that is not under the active key; rollback is a no-op",
    priority = ChangeMetaData.PRIORITY_DEFAULT, appliesTo = "column")
public class ReencryptColumnChange extends AbstractColumnCryptChange {

  @Override
  ColumnMigration.Operation operation() {
    return ColumnMigration.Operation.REENCRYPT;
  }

  @Override
  AbstractColumnCryptChange newInverse() {
    throw new UnsupportedOperationException("reencryptColumn has a no-op rollback, not an inverse");
  }

  @Override
  protected Change[] createInverses() {
    return new Change[0];
  }
}
