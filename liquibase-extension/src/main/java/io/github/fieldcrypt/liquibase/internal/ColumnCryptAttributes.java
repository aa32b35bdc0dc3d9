package io.github.fieldcrypt.liquibase.internal;

import liquibase.changelog.ChangeSet;
import liquibase.database.Database;
import liquibase.exception.ValidationErrors;

/**
 * The attributes every column change has, in the first-class and the {@code customChange} form
 * alike: which column, rows per batch, deterministic or not and the context
 * override. A plain holder: the change classes expose it through their own accessors.
 */
public final class ColumnCryptAttributes {
  public String catalogName;
  public String schemaName;
  public String tableName;
  public String columnName;
  public Integer batchSize;
  public Boolean deterministic;
  public String context;

  /** Adds an error per problem (see {@link ChangeSupport#validate}). */
  public ValidationErrors validate(ValidationErrors errors, ColumnMigration.Operation operation, Database database,
      ChangeSet changeSet) {
    return ChangeSupport.validate(errors, operation, this, database, changeSet);
  }

  /** The statement that runs {@code operation} on this column. */
  public ColumnCryptStatement statement(ColumnMigration.Operation operation, Database database, ChangeSet changeSet) {
    return new ColumnCryptStatement(operation, new ColumnMigration.Target(catalogName, schemaName, tableName, columnName),
        context, batchSize == null ? ChangeSupport.DEFAULT_BATCH_SIZE : batchSize, Boolean.TRUE.equals(deterministic),
        ChangeSupport.settings(changeSet), database);
  }

  /** Takes every attribute of another change (for the inverse change). */
  public void copyFrom(ColumnCryptAttributes other) {
    catalogName = other.catalogName;
    schemaName = other.schemaName;
    tableName = other.tableName;
    columnName = other.columnName;
    batchSize = other.batchSize;
    deterministic = other.deterministic;
    context = other.context;
  }

  /** {@code "<table>.<column>"} as written in the changelog, for messages. */
  public String describe() {
    return tableName + "." + columnName;
  }
}
