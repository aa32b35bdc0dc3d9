package io.github.fieldcrypt.liquibase.internal;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.TenantFieldEncryptor;
import io.github.fieldcrypt.keys.envelope.ConnectionSource;
import io.github.fieldcrypt.keys.envelope.TenantKeyStore;
import io.github.fieldcrypt.metrics.FieldcryptMetrics;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.crypto.Fernet;
import io.github.fieldcrypt.liquibase.FieldcryptLiquibaseConfiguration;
import io.github.fieldcrypt.liquibase.MigrationSummary;
import java.sql.Connection;
import java.time.Duration;
import liquibase.Scope;
import liquibase.database.Database;
import liquibase.database.PreparedStatementFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.DatabaseException;
import liquibase.logging.Logger;
import liquibase.statement.AbstractSqlStatement;
import liquibase.statement.ExecutablePreparedStatement;

/**
 * The statement a column change generates: runs the {@link ColumnMigration} over the Liquibase
 * connection when Liquibase executes it, and is printed as a comment by
 * {@link ColumnCryptSqlGenerator} in the SQL-output modes, where it touches nothing.
 *
 * <p>Holds settings, not keys: the key ring is built when the statement runs. {@link #toString()}
 * is safe to log.
 */
public final class ColumnCryptStatement extends AbstractSqlStatement implements ExecutablePreparedStatement {
  private final ColumnMigration.Operation operation;
  private final ColumnMigration.Target target;
  private final String context;
  private final int batchSize;
  private final boolean deterministic;
  private final String tenantColumn;
  private final boolean fernet;
  private final FieldcryptSettings settings;
  private final Database database;

  /**
   * @param fernet whether the values that are not v1 are Fernet tokens: read by
   *     {@code encryptColumn}, written by {@code decryptColumn}, with {@code fieldcrypt.fernet-keys}
   */
  public ColumnCryptStatement(ColumnMigration.Operation operation, ColumnMigration.Target target, String context,
      int batchSize, boolean deterministic, boolean fernet, String tenantColumn, FieldcryptSettings settings, Database database) {
    this.tenantColumn = tenantColumn;
    this.operation = operation;
    this.target = target;
    this.context = context;
    this.batchSize = batchSize;
    this.deterministic = deterministic;
    this.fernet = fernet;
    this.settings = settings;
    this.database = database;
  }

  public ColumnMigration.Operation operation() {
    return operation;
  }

  public ColumnMigration.Target target() {
    return target;
  }

  @Override
  public void execute(PreparedStatementFactory factory) throws DatabaseException {
    run();
  }

  /**
   * Runs the migration on the database's connection and reports its progress and summary.
   *
   * @throws DatabaseException wrapping the {@link FieldcryptException} that stopped it
   */
  public MigrationSummary run() throws DatabaseException {
    if (!(database.getConnection() instanceof JdbcConnection jdbc)) {
      throw new DatabaseException(operation.changeName() + " needs a JDBC connection; the database "
          + database.getShortName() + " has none");
    }
    Connection connection = jdbc.getUnderlyingConnection();
    Logger log = Scope.getCurrentScope().getLog(getClass());
    try {
      // Tenant mode encrypts under the tenants' data keys: no key ring of data keys is loaded (with
      // pkcs11 there is none, only master keys in the token).
      FieldEncryptor encryptor = tenantColumn == null ? FieldEncryptor.fromSettings(settings) : null;
      Fernet fernetKeys = fernet ? settings.fernet().orElseThrow(() -> new ConfigurationException(FieldcryptSettings.FERNET_KEYS,
          operation.changeName() + " on " + target.table() + "." + target.column() + " with Fernet tokens needs "
              + FieldcryptSettings.FERNET_KEYS + " (or " + FieldcryptSettings.environmentVariable(FieldcryptSettings.FERNET_KEYS)
              + ")")) : null;
      EncryptionContext ctx = context == null ? null : EncryptionContext.of(context);
      Duration interval = Duration.ofSeconds(FieldcryptLiquibaseConfiguration.PROGRESS_INTERVAL_SECONDS.getCurrentValue());
      MigrationSummary summary;
      if (tenantColumn == null) {
        summary = ColumnMigration.run(connection, target, operation, encryptor, ctx, deterministic, fernetKeys,
            batchSize, line -> report(log, line), interval);
      } else {
        // Tenant mode: the data key table is read and written on the migration's own connection.
        try (TenantKeyStore store = TenantKeyStore.fromSettings(settings, new ConnectionSource() {
          @Override
          public Connection open() {
            return connection;
          }

          @Override
          public void release(Connection c) {
            // the migration's connection stays open
          }
        })) {
          summary = ColumnMigration.run(connection, target, operation, encryptor, ctx, deterministic, fernetKeys,
              new ColumnMigration.Tenants(new TenantFieldEncryptor(store, false), tenantColumn), batchSize,
              line -> report(log, line), interval);
        }
      }
      report(log, summary.describe());
      record(FieldcryptMetrics.from(settings, null), summary);
      return summary;
    } catch (FieldcryptException e) {
      throw new DatabaseException(e.getMessage(), e);
    }
  }

  /** Rows by outcome into {@code fieldcrypt.migration.rows} (Micrometer's global registry, when present). */
  private static void record(FieldcryptMetrics metrics, MigrationSummary summary) {
    metrics.migrationRows(summary.operation(), summary.column(), "written", summary.written());
    metrics.migrationRows(summary.operation(), summary.column(), "already", summary.alreadyDone());
    metrics.migrationRows(summary.operation(), summary.column(), "null", summary.nulls());
    metrics.migrationRows(summary.operation(), summary.column(), "retried", summary.retried());
  }

  private static void report(Logger log, String line) {
    log.info(line);
    Scope.getCurrentScope().getUI().sendMessage(line);
  }

  /** The comment printed instead of SQL: the change depends on the data and cannot be rendered. */
  public String sqlOutputComment() {
    return "fieldcrypt " + operation.changeName() + " on " + target.table() + "." + target.column()
        + " is data-dependent and cannot be rendered as SQL: it reads, " + switch (operation) {
          case ENCRYPT -> fernet ? "decrypts the Fernet token, encrypts" : "encrypts";
          case DECRYPT -> fernet ? "decrypts, makes a Fernet token" : "decrypts";
          case REENCRYPT -> "re-encrypts";
        } + " and rewrites each row. Nothing here changes data; run update/rollback against the database to apply it.";
  }

  @Override
  public String toString() {
    return "ColumnCryptStatement[" + operation.changeName() + " " + target.table() + "." + target.column() + "]";
  }
}
