package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.liquibase.internal.ChangeSupport;
import io.github.fieldcrypt.liquibase.internal.ColumnCryptAttributes;
import io.github.fieldcrypt.liquibase.internal.ColumnCryptStatement;
import io.github.fieldcrypt.liquibase.internal.ColumnMigration;
import liquibase.Scope;
import liquibase.change.custom.CustomTaskChange;
import liquibase.change.custom.CustomTaskRollback;
import liquibase.database.Database;
import liquibase.exception.CustomChangeException;
import liquibase.exception.DatabaseException;
import liquibase.exception.ValidationErrors;
import liquibase.executor.ExecutorService;
import liquibase.resource.ResourceAccessor;

/**
 * The {@code customChange} form of the column changes, for changelogs that prefer
 * {@code <customChange class="...">} with {@code <param>}s to the first-class changes. Same
 * parameters ({@code tableName}, {@code columnName}, {@code schemaName}, {@code catalogName},
 * {@code batchSize}, {@code deterministic}, {@code context}; {@code sourceFormat} on
 * {@link EncryptColumnTask}, {@code targetFormat} on {@link DecryptColumnTask}), same engine,
 * same guarantees.
 *
 * <p>Liquibase calls a custom task even while it only writes SQL ({@code update-sql},
 * {@code rollback-sql}); then this prints the data-dependent comment and touches nothing.
 */
public abstract class AbstractColumnCryptTask implements CustomTaskChange, CustomTaskRollback {
  private final ColumnCryptAttributes attributes = new ColumnCryptAttributes();

  /** Which migration {@code execute} runs. */
  abstract ColumnMigration.Operation operation();

  /** Which migration {@code rollback} runs, or {@code null} for a no-op rollback. */
  abstract ColumnMigration.Operation rollbackOperation();

  /** The attributes, for the subclasses' own parameters. */
  ColumnCryptAttributes attributes() {
    return attributes;
  }

  public void setCatalogName(String catalogName) {
    attributes.catalogName = catalogName;
  }

  public void setSchemaName(String schemaName) {
    attributes.schemaName = schemaName;
  }

  public void setTableName(String tableName) {
    attributes.tableName = tableName;
  }

  public void setColumnName(String columnName) {
    attributes.columnName = columnName;
  }

  public void setBatchSize(Integer batchSize) {
    attributes.batchSize = batchSize;
  }

  public void setDeterministic(Boolean deterministic) {
    attributes.deterministic = deterministic;
  }

  public void setContext(String context) {
    attributes.context = context;
  }

  public void setTenantColumn(String tenantColumn) {
    attributes.tenantColumn = tenantColumn;
  }

  @Override
  public void execute(Database database) throws CustomChangeException {
    run(operation(), database);
  }

  @Override
  public void rollback(Database database) throws CustomChangeException {
    if (rollbackOperation() != null) {
      run(rollbackOperation(), database);
    }
  }

  private void run(ColumnMigration.Operation operation, Database database) throws CustomChangeException {
    ColumnCryptStatement statement = attributes.statement(operation, database, null);
    try {
      if (ChangeSupport.sqlOutputMode(database)) {
        Scope.getCurrentScope().getSingleton(ExecutorService.class).getExecutor("jdbc", database)
            .comment(statement.sqlOutputComment());
        return;
      }
      statement.run();
    } catch (DatabaseException e) {
      throw new CustomChangeException(e.getMessage(), e);
    }
  }

  @Override
  public ValidationErrors validate(Database database) {
    return attributes.validate(new ValidationErrors(), operation(), database, null);
  }

  @Override
  public String getConfirmationMessage() {
    return operation().changeName() + " done on " + attributes.describe();
  }

  @Override
  public void setUp() {
    // nothing to prepare: settings are read when the task runs
  }

  @Override
  public void setFileOpener(ResourceAccessor resourceAccessor) {
    // reads no files
  }
}
