package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.liquibase.internal.ColumnCryptAttributes;
import io.github.fieldcrypt.liquibase.internal.ColumnMigration;
import liquibase.change.AbstractChange;
import liquibase.change.ChangeParameterMetaData;
import liquibase.change.DatabaseChangeProperty;
import liquibase.ChecksumVersion;
import liquibase.database.Database;
import liquibase.exception.ValidationErrors;
import liquibase.statement.SqlStatement;

/**
 * The attributes and behaviour the three column changes share: which column, how many rows per
 * batch, which context; validation; the data-dependent statement; the checksum without
 * {@code batchSize}.
 *
 * <p>In XML changelogs the changes live in the namespace {@value #NAMESPACE} (schema
 * {@value #XSD}); YAML and JSON changelogs use the change names directly.
 */
public abstract class AbstractColumnCryptChange extends AbstractChange {
  /** The XML namespace of the fieldcrypt changes. */
  public static final String NAMESPACE = "http://fieldcrypt.github.io/xml/ns/liquibase";
  /** The XSD location; Liquibase finds it inside this jar. */
  public static final String XSD = NAMESPACE + "/fieldcrypt-liquibase-1.0.xsd";

  private final ColumnCryptAttributes attributes = new ColumnCryptAttributes();

  /** Which migration this change runs. */
  abstract ColumnMigration.Operation operation();

  /** A new, empty change of the inverse kind. */
  abstract AbstractColumnCryptChange newInverse();

  @DatabaseChangeProperty(description = "Catalog of the table; default: the connection's", requiredForDatabase = ChangeParameterMetaData.NONE)
  public String getCatalogName() {
    return attributes.catalogName;
  }

  public void setCatalogName(String catalogName) {
    attributes.catalogName = catalogName;
  }

  @DatabaseChangeProperty(description = "Schema of the table; default: the connection's", requiredForDatabase = ChangeParameterMetaData.NONE)
  public String getSchemaName() {
    return attributes.schemaName;
  }

  public void setSchemaName(String schemaName) {
    attributes.schemaName = schemaName;
  }

  @DatabaseChangeProperty(description = "The table; it must have a primary key", exampleValue = "users",
      requiredForDatabase = ChangeParameterMetaData.ALL)
  public String getTableName() {
    return attributes.tableName;
  }

  public void setTableName(String tableName) {
    attributes.tableName = tableName;
  }

  @DatabaseChangeProperty(description = "The column: text (VARCHAR, TEXT, CLOB) or binary (VARBINARY, BLOB, bytea)",
      exampleValue = "email", requiredForDatabase = ChangeParameterMetaData.ALL)
  public String getColumnName() {
    return attributes.columnName;
  }

  public void setColumnName(String columnName) {
    attributes.columnName = columnName;
  }

  @DatabaseChangeProperty(description = "Rows per page and per commit (default 1000); not part of the checksum",
      requiredForDatabase = ChangeParameterMetaData.NONE)
  public Integer getBatchSize() {
    return attributes.batchSize;
  }

  public void setBatchSize(Integer batchSize) {
    attributes.batchSize = batchSize;
  }

  @DatabaseChangeProperty(description = "Deterministic encryption (AES-256-GCM-SIV, equality lookups), as @Encrypted(deterministic = true) writes; default false",
      requiredForDatabase = ChangeParameterMetaData.NONE)
  public Boolean getDeterministic() {
    return attributes.deterministic;
  }

  public void setDeterministic(Boolean deterministic) {
    attributes.deterministic = deterministic;
  }

  @DatabaseChangeProperty(description = "The encryption context; default \"<table>.<column>\" in lower case, as @Encrypted uses",
      requiredForDatabase = ChangeParameterMetaData.NONE)
  public String getContext() {
    return attributes.context;
  }

  public void setContext(String context) {
    attributes.context = context;
  }

  @DatabaseChangeProperty(description = "Tenant mode: the column holding each row's tenant id; values are encrypted under"
      + " that tenant's data key, as @Encrypted does with fieldcrypt.tenant-mode=true", requiredForDatabase = ChangeParameterMetaData.NONE)
  public String getTenantColumn() {
    return attributes.tenantColumn;
  }

  public void setTenantColumn(String tenantColumn) {
    attributes.tenantColumn = tenantColumn;
  }

  @Override
  public SqlStatement[] generateStatements(Database database) {
    // Called many times by Liquibase: builds a description only, no keys and no database access.
    return new SqlStatement[] {attributes.statement(operation(), database, getChangeSet())};
  }

  @Override
  public ValidationErrors validate(Database database) {
    ValidationErrors errors = super.validate(database);
    return attributes.validate(errors, operation(), database, getChangeSet());
  }

  @Override
  public String getConfirmationMessage() {
    return operation().changeName() + " done on " + attributes.describe();
  }

  @Override
  public String[] getExcludedFieldFilters(ChecksumVersion version) {
    return new String[] {"batchSize"};
  }

  @Override
  public String getSerializedObjectNamespace() {
    return NAMESPACE;
  }

  /** The attributes, for the subclasses' own properties. */
  ColumnCryptAttributes attributes() {
    return attributes;
  }

  /** A change of the inverse kind on the same column, batch size, context and format. */
  AbstractColumnCryptChange inverse() {
    AbstractColumnCryptChange inverse = newInverse();
    inverse.attributes.copyFrom(attributes);
    inverse.setChangeSet(getChangeSet());
    return inverse;
  }
}
