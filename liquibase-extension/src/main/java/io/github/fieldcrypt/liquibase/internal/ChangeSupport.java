package io.github.fieldcrypt.liquibase.internal;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.keys.KeyProviders;
import io.github.fieldcrypt.keys.envelope.MasterKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import liquibase.Scope;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.database.Database;
import liquibase.exception.ValidationErrors;
import liquibase.executor.ExecutorService;
import liquibase.executor.LoggingExecutor;

/**
 * What the first-class changes and the {@code customChange} classes share: reading the key
 * settings from the changelog parameters, telling the SQL-output modes apart, and validating
 * the attributes before anything runs.
 */
public final class ChangeSupport {
  /** Rows per page and per commit when {@code batchSize} is not given. */
  public static final int DEFAULT_BATCH_SIZE = 1000;

  private ChangeSupport() {}

  /**
   * The {@code fieldcrypt.*} settings: changelog parameters (which Liquibase fills from
   * {@code -D}, {@code liquibase.properties} {@code parameter.*}, the changelog and the
   * environment), then system properties, then {@code FIELDCRYPT_*} environment variables.
   */
  public static FieldcryptSettings settings(ChangeSet changeSet) {
    Map<String, Object> parameters = new HashMap<>();
    ChangeSet cs = changeSet != null ? changeSet : Scope.getCurrentScope().get(Scope.Attr.changeSet.name(), ChangeSet.class);
    if (cs != null && cs.getChangeLogParameters() != null) {
      ChangeLogParameters params = cs.getChangeLogParameters();
      List<String> settings = new ArrayList<>(KeyProviders.settingNames());
      settings.addAll(FieldcryptSettings.fernetSettingNames());
      settings.addAll(java.util.List.of(FieldcryptSettings.TENANT_MODE, FieldcryptSettings.DATA_KEY_TABLE,
          FieldcryptSettings.KEY_CACHE_TTL, FieldcryptSettings.KEY_CACHE_SIZE, FieldcryptSettings.ROTATE_AFTER));
      for (String setting : settings) {
        Object value = params.getValue(setting, cs.getChangeLog());
        if (value != null) {
          parameters.put(setting, value);
        }
      }
    }
    return FieldcryptSettings.from(parameters);
  }

  /**
   * Whether Liquibase is writing SQL instead of executing it ({@code update-sql},
   * {@code rollback-sql}, ...): then nothing may touch the data.
   */
  public static boolean sqlOutputMode(Database database) {
    return Scope.getCurrentScope().getSingleton(ExecutorService.class).getExecutor("jdbc", database) instanceof LoggingExecutor;
  }

  /**
   * Checks the attributes (and, unless only SQL is being written, the keys) and adds an error
   * per problem, naming the change, table and column.
   */
  public static ValidationErrors validate(ValidationErrors errors, ColumnMigration.Operation operation,
      ColumnCryptAttributes attributes, Database database, ChangeSet changeSet) {
    String table = attributes.tableName;
    String column = attributes.columnName;
    Integer batchSize = attributes.batchSize;
    String context = attributes.context;
    String change = operation.changeName();
    String where = change + " on " + (table == null ? "?" : table) + "." + (column == null ? "?" : column);
    if (table == null || table.isBlank()) {
      errors.addError(change + ": tableName is required");
    }
    if (column == null || column.isBlank()) {
      errors.addError(change + ": columnName is required");
    }
    if (batchSize != null && batchSize < 1) {
      errors.addError(where + ": batchSize must be at least 1 (default " + DEFAULT_BATCH_SIZE + "), was " + batchSize);
    }
    if (context != null && context.isBlank()) {
      errors.addError(where + ": context must not be blank; leave it out for \"<table>.<column>\"");
    }
    String format = attributes.format;
    String formatAttribute = operation == ColumnMigration.Operation.DECRYPT ? "targetFormat" : "sourceFormat";
    if (format != null && !format.equals(ColumnCryptAttributes.PLAINTEXT) && !format.equals(ColumnCryptAttributes.FERNET)) {
      errors.addError(where + ": " + formatAttribute + " must be \"" + ColumnCryptAttributes.PLAINTEXT + "\" (the default) or \""
          + ColumnCryptAttributes.FERNET + "\", was \"" + format + "\"");
    }
    boolean fernet = attributes.fernet() && operation != ColumnMigration.Operation.REENCRYPT;
    if (database != null && !sqlOutputMode(database)) {
      try {
        FieldcryptSettings settings = settings(changeSet);
        if (attributes.tenantColumn != null) {
          MasterKeys.check(settings); // tenant mode loads no data keys, only the master keys
        } else {
          KeyProviders.check(settings);
        }
      } catch (ConfigurationException e) {
        errors.addError(where + ": " + e.getMessage());
      }
      if (fernet) {
        try {
          if (settings(changeSet).fernet().isEmpty()) {
            errors.addError(where + ": " + formatAttribute + "=\"fernet\" needs the Fernet keys: set "
                + FieldcryptSettings.FERNET_KEYS + " (a changelog parameter, system property, or the environment variable "
                + FieldcryptSettings.environmentVariable(FieldcryptSettings.FERNET_KEYS)
                + ") to the Python service's keys, comma-separated, the one that writes first");
          }
        } catch (ConfigurationException e) {
          errors.addError(where + ": " + e.getMessage());
        }
      }
    }
    return errors;
  }
}
