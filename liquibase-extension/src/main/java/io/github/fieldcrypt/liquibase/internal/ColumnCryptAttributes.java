package io.github.fieldcrypt.liquibase.internal;

import liquibase.changelog.ChangeSet;
import liquibase.database.Database;
import liquibase.exception.ValidationErrors;

/**
 * The attributes every column change has, in the first-class and the {@code customChange} form
 * alike: which column, rows per batch, deterministic or not, the context override, and the
 * format of the values that are not v1 ({@code sourceFormat} of {@code encryptColumn},
 * {@code targetFormat} of {@code decryptColumn}). A plain holder: the change classes expose it
 * through their own accessors.
 */
public final class ColumnCryptAttributes {
  public String catalogName;
  public String schemaName;
  public String tableName;
  public String columnName;
  public Integer batchSize;
  public Boolean deterministic;
  public String context;
  /**
   * What the column holds before {@code encryptColumn} / after {@code decryptColumn}:
   * {@value #PLAINTEXT} ({@code null} means the same) or {@value #FERNET}. Not used by
   * {@code reencryptColumn}.
   */
  public String format;
  /**
   * Tenant mode: the column of the same table that holds each row's tenant id; the row's value is
   * encrypted under that tenant's data key ({@code fieldcrypt_data_keys}), as {@code @Encrypted}
   * does with {@code fieldcrypt.tenant-mode=true}. {@code null}: the key ring's keys.
   */
  public String tenantColumn;

  /** {@link #format}: plaintext values (the default). */
  public static final String PLAINTEXT = "plaintext";
  /** {@link #format}: Fernet tokens of Python's {@code cryptography.fernet}. */
  public static final String FERNET = "fernet";

  /** Adds an error per problem (see {@link ChangeSupport#validate}). */
  public ValidationErrors validate(ValidationErrors errors, ColumnMigration.Operation operation, Database database,
      ChangeSet changeSet) {
    return ChangeSupport.validate(errors, operation, this, database, changeSet);
  }

  /** Whether the values that are not v1 are Fernet tokens ({@code sourceFormat}/{@code targetFormat="fernet"}). */
  public boolean fernet() {
    return FERNET.equals(format);
  }

  /** The statement that runs {@code operation} on this column. */
  public ColumnCryptStatement statement(ColumnMigration.Operation operation, Database database, ChangeSet changeSet) {
    return new ColumnCryptStatement(operation, new ColumnMigration.Target(catalogName, schemaName, tableName, columnName),
        context, batchSize == null ? ChangeSupport.DEFAULT_BATCH_SIZE : batchSize, Boolean.TRUE.equals(deterministic),
        operation != ColumnMigration.Operation.REENCRYPT && fernet(), tenantColumn, ChangeSupport.settings(changeSet), database);
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
    tenantColumn = other.tenantColumn;
    format = other.format;
  }

  /** {@code "<table>.<column>"} as written in the changelog, for messages. */
  public String describe() {
    return tableName + "." + columnName;
  }
}
