package io.github.fieldcrypt.liquibase.internal;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.KeyDestroyedException;
import io.github.fieldcrypt.TenantFieldEncryptor;
import io.github.fieldcrypt.UnknownKeyException;
import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.crypto.Fernet;
import io.github.fieldcrypt.crypto.FernetException;
import io.github.fieldcrypt.liquibase.ColumnMigrationException;
import io.github.fieldcrypt.liquibase.MigrationSummary;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The engine behind {@code encryptColumn}, {@code decryptColumn} and {@code reencryptColumn}:
 * moves every value of one column to the target state over plain JDBC.
 *
 * <p>How it keeps its promises:
 * <ul>
 *   <li><b>Pre-flight</b>: before the first write it reads the column once (an aggregate plus
 *       only the rows that can be v1 values, where the database can filter them) and stops on a
 *       value that parses as v1 but does not authenticate, a value the operation cannot take,
 *       or a column too narrow for the longest ciphertext.</li>
 *   <li><b>Keyset pagination</b> over the primary key: a few pages of {@code batchSize} rows in
 *       memory at a time, whatever the table's size.</li>
 *   <li><b>Compare-and-set</b>: a row is written only if it still holds the value read; rows a
 *       concurrent writer changed are read again and handled by their new value.</li>
 *   <li><b>A commit per page</b>: a crash leaves every row old or new, and running again skips
 *       the rows already done.</li>
 * </ul>
 * On PostgreSQL a page is written by one set-based {@code UPDATE ... FROM unnest(...)} in a
 * transaction of its own, several pages and the read of the following ones sharing a round trip
 * (the connection runs in auto-commit mode meanwhile). Each statement is planned for its actual
 * arrays ({@code plan_cache_mode = force_custom_plan}), and {@code synchronous_commit} is off for
 * the migration's own commits (a lost commit after a server crash only means those rows are
 * redone: the change is idempotent, and Liquibase's own synchronous commit of its
 * DATABASECHANGELOG row, after the change returns, flushes them all). Auto-commit and both
 * settings are restored afterwards. Other databases get JDBC batches.
 *
 * <p>With Fernet keys ({@code sourceFormat}/{@code targetFormat="fernet"}) the values that are
 * not v1 are Fernet tokens instead of plaintext: {@code encryptColumn} decrypts each token and
 * encrypts its plaintext to v1, {@code decryptColumn} writes each plaintext back as a token made
 * with the first Fernet key. The pre-flight then reads every row (a token's plaintext length is
 * known only once it is decrypted) and stops on a value that is neither v1 nor a valid token.
 *
 * <p><b>Security:</b> no value, plaintext or ciphertext, reaches a message or a log line: only
 * the table, the column, key ids and a row's primary key.
 */
public final class ColumnMigration {
  /** The three migrations. */
  public enum Operation {
    ENCRYPT("encryptColumn", "encrypt"),
    DECRYPT("decryptColumn", "decrypt"),
    REENCRYPT("reencryptColumn", "re-encrypt");

    private final String changeName;
    private final String verb;

    Operation(String changeName, String verb) {
      this.changeName = changeName;
      this.verb = verb;
    }

    /** The Liquibase change name, e.g. {@code encryptColumn}. */
    public String changeName() {
      return changeName;
    }
  }

  /** Where to migrate: catalog and schema may be {@code null} for the connection's defaults. */
  public record Target(String catalog, String schema, String table, String column) {
    public Target {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(column, "column");
    }
  }

  private static final int MAX_ATTEMPTS_PER_ROW = 100;
  /** PostgreSQL: rows per round trip, in pages of {@code batchSize} rows each committed on its own. */
  private static final int ROWS_PER_ROUND_TRIP = 4000;
  private static final int MAX_PAGES_PER_ROUND_TRIP = 8;
  /** Every v1 value in a text column starts with these two characters (0xFC, then 0x01 or 0x02). */
  private static final String V1_TEXT_PREFIX = "_A";
  private static final String V1_TEXT_LIKE = "'!_A%' ESCAPE '!'";

  private final Connection connection;
  private final TableShape shape;
  private final Operation operation;
  private final FieldEncryptor encryptor;
  private final EncryptionContext context;
  /** Fernet keys when the values that are not v1 are Fernet tokens, else {@code null}. */
  private final Fernet fernet;
  private final int batchSize;
  private final Consumer<String> progress;
  private final long progressIntervalNanos;
  private final int activeKeyId;
  private final boolean deterministic;
  /** Tenant mode: each row under its tenant's data key; {@code null} otherwise. */
  private final Tenants tenants;
  /** Tenant mode: outcomes owed to the key store for keys created in the open transaction. */
  private final List<Consumer<Boolean>> pendingKeys = new ArrayList<>();
  private final boolean postgres;
  private final boolean mysql;

  private long rows;
  private long written;
  private long alreadyDone;
  private long nulls;
  private long retried;
  private long total;

  private ColumnMigration(Connection connection, TableShape shape, Operation operation, FieldEncryptor encryptor,
      EncryptionContext context, boolean deterministic, Fernet fernet, Tenants tenants, int batchSize, Consumer<String> progress,
      Duration progressInterval) {
    this.connection = connection;
    this.tenants = tenants;
    this.shape = shape;
    this.operation = operation;
    this.encryptor = encryptor;
    this.context = context;
    this.fernet = fernet;
    this.batchSize = batchSize;
    this.progress = progress;
    this.progressIntervalNanos = progressInterval.toNanos();
    this.deterministic = deterministic;
    // The key new values go under: the deterministic key for deterministic columns. Tenant mode
    // has no key ring (the tenants' data keys come from the store): targetKeyId asks the store.
    this.activeKeyId = tenants != null ? -1 : deterministic ? encryptor.deterministicKey().id() : encryptor.keyRing().active().id();
    this.postgres = shape.product().contains("postgres");
    this.mysql = shape.product().contains("mariadb") || shape.product().contains("mysql");
  }

  /**
   * Runs one migration on this connection, committing per page, and restores the connection's
   * auto-commit mode afterwards.
   *
   * @param context the encryption context, or {@code null} for {@code "<table>.<column>"}
   * @param progress receives progress lines (rows done, rows/s, ETA) and nothing secret
   * @throws ColumnMigrationException when the migration cannot run or must stop
   */
  public static MigrationSummary run(Connection connection, Target target, Operation operation, FieldEncryptor encryptor,
      EncryptionContext context, int batchSize, Consumer<String> progress, Duration progressInterval) {
    return run(connection, target, operation, encryptor, context, false, null, batchSize, progress, progressInterval);
  }

  /**
   * {@link #run(Connection, Target, Operation, FieldEncryptor, EncryptionContext, int, Consumer, Duration)}
   * for a column in deterministic mode or not: with {@code deterministic}, encryption writes alg
   * 0x02 values under the encryptor's {@linkplain FieldEncryptor#deterministicKey() deterministic
   * key}, and re-encryption moves every value that is not an alg 0x02 value of that key.
   */
  public static MigrationSummary run(Connection connection, Target target, Operation operation, FieldEncryptor encryptor,
      EncryptionContext context, boolean deterministic, int batchSize, Consumer<String> progress, Duration progressInterval) {
    return run(connection, target, operation, encryptor, context, deterministic, null, batchSize, progress, progressInterval);
  }

  /**
   * {@link #run(Connection, Target, Operation, FieldEncryptor, EncryptionContext, boolean, int, Consumer, Duration)}
   * for a column whose values that are not v1 are Fernet tokens of these keys ({@code null}:
   * plaintext): {@link Operation#ENCRYPT} reads them, {@link Operation#DECRYPT} writes them with
   * the first key.
   *
   * @throws ColumnMigrationException when the migration cannot run (a binary column holds no
   *     Fernet tokens) or must stop
   */
  public static MigrationSummary run(Connection connection, Target target, Operation operation, FieldEncryptor encryptor,
      EncryptionContext context, boolean deterministic, Fernet fernet, int batchSize, Consumer<String> progress,
      Duration progressInterval) {
    return run(connection, target, operation, encryptor, context, deterministic, fernet, null, batchSize, progress, progressInterval);
  }

  /**
   * Tenant mode: each row's value under the data key of the tenant named in {@code column} of the
   * same row, bound to {@code "<table>.<column>|tenant=<id>"}, exactly as {@code @Encrypted} writes
   * it with {@code fieldcrypt.tenant-mode=true}. A tenant's first key is created on this
   * connection, in the page's transaction, and shared only once that page commits.
   */
  public record Tenants(TenantFieldEncryptor encryptor, String column) {
    public Tenants {
      Objects.requireNonNull(encryptor, "encryptor");
      Objects.requireNonNull(column, "column");
    }
  }

  /**
   * {@link #run(Connection, Target, Operation, FieldEncryptor, EncryptionContext, boolean, Fernet, int, Consumer, Duration)}
   * in tenant mode when {@code tenants} is not {@code null}; {@code encryptor} is then not used and
   * may be {@code null} (the master keys may be in a PKCS#11 token, with no key ring of data keys).
   */
  public static MigrationSummary run(Connection connection, Target target, Operation operation, FieldEncryptor encryptor,
      EncryptionContext context, boolean deterministic, Fernet fernet, Tenants tenants, int batchSize, Consumer<String> progress,
      Duration progressInterval) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
    }
    if (tenants == null) {
      Objects.requireNonNull(encryptor, "encryptor");
    }
    if (fernet != null && operation == Operation.REENCRYPT) {
      throw new IllegalArgumentException("reencryptColumn moves v1 values between keys; it reads no Fernet tokens");
    }
    TableShape shape = TableShape.read(connection, target.catalog(), target.schema(), target.table(), target.column(),
        tenants == null ? null : tenants.column());
    EncryptionContext effective = context != null ? context : EncryptionContext.forColumn(target.table(), target.column());
    if (fernet != null && shape.kind() != TableShape.Kind.TEXT) {
      throw new ColumnMigrationException(shape.describe() + ": " + (operation == Operation.ENCRYPT ? "sourceFormat" : "targetFormat")
          + "=\"fernet\" needs a text column (Fernet tokens are base64 text), but " + shape.declaredType()
          + " holds bytes. Nothing was written.", effective.value(), (Integer) null);
    }
    return new ColumnMigration(connection, shape, operation, encryptor, effective, deterministic, fernet, tenants, batchSize,
        progress, progressInterval).run();
  }

  private MigrationSummary run() {
    long start = System.nanoTime();
    Boolean autoCommit = null;
    String synchronousCommit = null;
    String planCacheMode = null;
    try {
      autoCommit = connection.getAutoCommit();
      if (autoCommit) {
        connection.setAutoCommit(false);
      }
      preflight();
      if (postgres) {
        synchronousCommit = setSession("synchronous_commit", "off");
        planCacheMode = setSession("plan_cache_mode", "force_custom_plan");
      }
      mainPass(start);
      commitPage();
    } catch (SQLException e) {
      rollbackQuietly();
      throw databaseFailure("reading", e);
    } catch (RuntimeException e) {
      rollbackQuietly();
      throw e;
    } finally {
      try {
        if (synchronousCommit != null) {
          setSession("synchronous_commit", synchronousCommit);
        }
        if (planCacheMode != null) {
          setSession("plan_cache_mode", planCacheMode);
        }
        if (autoCommit != null && connection.getAutoCommit() != autoCommit) {
          connection.setAutoCommit(autoCommit);
        }
      } catch (SQLException e) {
        // the connection is broken; the caller sees the first failure
      }
    }
    return new MigrationSummary(shape.describe(), operation.changeName(), rows, written, alreadyDone, nulls, retried,
        System.nanoTime() - start, fernet != null);
  }

  // ---------------------------------------------------------------------------------------
  // Pre-flight

  private void preflight() throws SQLException {
    Preflight check = new Preflight();
    String candidatesOnly = null;
    if (shape.kind() == TableShape.Kind.TEXT && fernet == null && (postgres || mysql || shape.product().contains("h2"))) {
      // One aggregate instead of reading every row: only values that start like a v1 text value
      // need to be read and authenticated; the others are plaintext, of which only the longest
      // matters. Non-null values that are not candidates are plaintext: two LIKEs per row, not three.
      String c = shape.quotedColumn();
      String plaintext = c + " NOT LIKE " + V1_TEXT_LIKE;
      try (Statement st = connection.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(" + c + "), COUNT(CASE WHEN " + c + " LIKE " + V1_TEXT_LIKE
              + " THEN 1 END), MAX(CASE WHEN " + plaintext + " THEN " + utf8Length() + " END) FROM " + shape.qualifiedTable())) {
        rs.next();
        total = rs.getLong(1);
        long candidates = rs.getLong(3);
        long plaintexts = rs.getLong(2) - candidates;
        long longest = rs.getLong(4);
        if (plaintexts > 0 && operation == Operation.REENCRYPT) {
          throw notEncrypted(firstKey(plaintext));
        }
        if (plaintexts > 0 && operation == Operation.ENCRYPT) {
          check.plaintextOfLength(longest, null);
          check.longestCondition = plaintext + " AND " + utf8Length() + " = " + longest;
        }
        if (candidates == 0) {
          assertFits(check);
          return;
        }
        candidatesOnly = c + " LIKE " + V1_TEXT_LIKE;
      }
    } else {
      try (Statement st = connection.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + shape.qualifiedTable())) {
        rs.next();
        total = rs.getLong(1);
      }
    }
    try (PageReader reader = new PageReader(candidatesOnly, 1)) {
      for (List<Page> pages = reader.next(); !pages.isEmpty(); pages = reader.next()) {
        for (Page page : pages) {
          for (int i = 0; i < page.size; i++) {
            Object value = page.values[i];
            if (value != null) {
              preflightValue(value, page.keys[i], page.tenants[i], check);
            }
          }
        }
      }
    }
    assertFits(check);
  }

  /** The value's length in UTF-8 bytes, computed by the database (MariaDB/MySQL columns may use another character set). */
  private String utf8Length() {
    String c = shape.quotedColumn();
    return mysql ? "OCTET_LENGTH(CONVERT(" + c + " USING utf8mb4))" : "OCTET_LENGTH(" + c + ")";
  }

  private void assertFits(Preflight check) throws SQLException {
    if (check.longestKey == null && check.longest > maxPlaintextBytes()) {
      // the longest plaintext was found by the aggregate: name its row
      check.longestKey = firstKey(check.longestCondition);
    }
    check.assertFits(this);
  }

  private void preflightValue(Object value, Object[] key, String tenant, Preflight check) {
    byte[] cipher = asV1(value);
    if (cipher == null) {
      switch (operation) {
        case ENCRYPT -> check.plaintextOfLength(fernet == null ? plaintextBytes(value)
            : plaintextBytes(fernetPlaintext((String) value, key, false)), key);
        case REENCRYPT -> throw notEncrypted(key);
        case DECRYPT -> {
          if (fernet != null) {
            fernetPlaintext((String) value, key, false); // a token already: it must read
          }
        }
      }
      return;
    }
    FieldEncryptor.Inspection inspection = inspect(cipher, tenant(key, tenant));
    if (inspection.state() != FieldEncryptor.Inspection.State.ENCRYPTED) {
      throw undecryptable(key, inspection, false, tenant);
    }
    if (writesFernet()) {
      check.plaintextOfLength(decrypt(cipher, key, tenant).length, key);
    }
  }

  /** Whether this run writes Fernet tokens ({@code decryptColumn targetFormat="fernet"}). */
  private boolean writesFernet() {
    return fernet != null && operation == Operation.DECRYPT;
  }

  private long maxPlaintextBytes() {
    if (shape.width() == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    if (writesFernet()) {
      return Fernet.maxPlaintextBytes(shape.width());
    }
    return shape.kind() == TableShape.Kind.TEXT
        ? CiphertextFormat.maxPlaintextBytesForText(shape.width())
        : CiphertextFormat.maxPlaintextBytesForBinary(shape.width());
  }

  /** The longest plaintext seen by the pre-flight and where. */
  private static final class Preflight {
    long longest = -1;
    Object[] longestKey;
    /** Where the aggregate's longest plaintext is, when no row was read for it. */
    String longestCondition;

    void plaintextOfLength(long bytes, Object[] key) {
      if (bytes > longest) {
        longest = bytes;
        longestKey = key;
      }
    }

    void assertFits(ColumnMigration m) {
      long max = m.maxPlaintextBytes();
      if (longest <= max) {
        return;
      }
      TableShape s = m.shape;
      boolean text = s.kind() == TableShape.Kind.TEXT;
      long needed = m.writesFernet() ? Fernet.tokenLength(longest)
          : text ? CiphertextFormat.textLength(longest) : CiphertextFormat.binaryLength(longest);
      throw new ColumnMigrationException(s.describe() + ": " + s.declaredType() + " holds at most " + Math.max(max, 0)
          + " plaintext bytes" + (m.writesFernet() ? " as Fernet tokens" : "") + "; widen to " + s.typeName() + "(" + needed + ") (the longest value, in row "
          + m.describeKey(longestKey) + ", has " + longest + " bytes). Nothing was written.", m.context.value(),
          (Integer) null);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Main pass

  /**
   * Pages through the table. The crypto of the next pages runs on a second thread while this
   * thread writes the current ones and reads the ones after: every database call stays on this
   * thread and this connection. On PostgreSQL a round trip carries several pages (about
   * {@value #ROWS_PER_ROUND_TRIP} rows), each written and committed in a transaction of its own.
   */
  private void mainPass(long start) throws SQLException {
    long lastReport = System.nanoTime();
    ExecutorService cryptoThread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fieldcrypt-" + operation.changeName());
      t.setDaemon(true);
      return t;
    });
    // Tenant mode: pages are prepared on this thread (the key store works on this connection) and
    // written in this connection's transactions, so that created keys are settled at each commit.
    boolean arrays = postgresArrays() && tenants == null;
    int pagesPerRead = arrays ? Math.max(1, Math.min(MAX_PAGES_PER_ROUND_TRIP, ROWS_PER_ROUND_TRIP / batchSize)) : 1;
    try (PageReader reader = new PageReader(null, pagesPerRead); Writer writer = arrays ? new ArrayWriter(reader) : new BatchWriter()) {
      List<Page> first = reader.next();
      Future<Group> pending = first.isEmpty() ? null : tenants != null ? done(prepare(first, writer))
          : cryptoThread.submit(() -> prepare(first, writer));
      List<Page> ahead = first.isEmpty() ? List.of() : reader.next();
      while (pending != null) {
        Group group = await(pending);
        List<Page> following = ahead;
        pending = following.isEmpty() ? null : tenants != null ? done(prepare(following, writer))
            : cryptoThread.submit(() -> prepare(following, writer));
        // commits these pages and reads the ones after the pages being prepared
        ahead = writer.writeAndRead(group, reader);
        for (Batch batch : group.batches) {
          Page page = batch.page;
          List<Integer> lost = batch.lost;
          nulls += batch.nulls;
          alreadyDone += batch.alreadyDone;
          written += batch.n - lost.size();
          for (int k : lost) {
            settle(page.keys[batch.indexes[k]], page.tenants[batch.indexes[k]], batch.newValues[k]);
          }
          rows += page.size;
          long now = System.nanoTime();
          if (now - lastReport >= progressIntervalNanos) {
            lastReport = now;
            progress.accept(progressLine(now - start));
          }
        }
      }
    } finally {
      cryptoThread.shutdownNow();
    }
  }

  /** The pages of one read with their new values, computed off the database thread. */
  private static final class Group {
    final List<Batch> batches;
    /** Writer-specific form of the group (PostgreSQL: the statement its values are bound to). */
    Object encoded;

    Group(List<Batch> batches) {
      this.batches = batches;
    }
  }

  /** A page with its new values. */
  private static final class Batch {
    final Page page;
    final int[] indexes;
    final Object[] newValues;
    int n;
    long nulls;
    long alreadyDone;
    /** Indexes (into the batch) whose compare-and-set did not take, once written. */
    List<Integer> lost = List.of();

    Batch(Page page) {
      this.page = page;
      this.indexes = new int[page.size];
      this.newValues = new Object[page.size];
    }
  }

  private Group prepare(List<Page> pages, Writer writer) {
    List<Batch> batches = new ArrayList<>(pages.size());
    for (Page page : pages) {
      batches.add(prepare(page));
    }
    Group group = new Group(batches);
    writer.encode(group);
    return group;
  }

  private Batch prepare(Page page) {
    Batch batch = new Batch(page);
    for (int i = 0; i < page.size; i++) {
      Object value = page.values[i];
      if (value == null) {
        batch.nulls++;
        continue;
      }
      Object next = transform(value, page.keys[i], page.tenants[i], false);
      if (next == null) {
        batch.alreadyDone++;
      } else {
        if (next instanceof String text) {
          // A String keeps its hash once computed. H2 hashes every string bound to a statement
          // (its value cache), and a ciphertext is 2.5 times as long as its plaintext: hashing
          // it here, on the crypto thread, takes that off the thread that talks to the database.
          // The value read is bound too (the compare-and-set).
          text.hashCode();
          value.hashCode();
        }
        batch.indexes[batch.n] = i;
        batch.newValues[batch.n++] = next;
      }
    }
    return batch;
  }

  private static Future<Group> done(Group group) {
    return java.util.concurrent.CompletableFuture.completedFuture(group);
  }

  private static Group await(Future<Group> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * The value to write for a stored value, or {@code null} when it is already in the target
   * state. @throws ColumnMigrationException when it cannot be migrated
   */
  private Object transform(Object value, Object[] key, String rowTenant, boolean afterConflict) {
    byte[] cipher = asV1(value);
    String tenant = tenant(key, rowTenant);
    switch (operation) {
      case ENCRYPT -> {
        if (cipher == null) {
          return fernet == null ? encrypt(value, tenant) : encrypt(fernetPlaintext((String) value, key, true), tenant);
        }
        FieldEncryptor.Inspection inspection = inspect(cipher, tenant);
        if (inspection.state() != FieldEncryptor.Inspection.State.ENCRYPTED) {
          throw undecryptable(key, inspection, true, tenant);
        }
        return null;
      }
      case DECRYPT -> {
        if (cipher == null) {
          if (fernet != null) {
            fernetPlaintext((String) value, key, true); // a token already: it must read
          }
          return null;
        }
        byte[] plaintext = decrypt(cipher, key, tenant);
        return fernet == null ? plaintextValue(plaintext) : fernet.encrypt(plaintext);
      }
      default -> {
        if (cipher == null) {
          throw notEncrypted(key);
        }
        if (CiphertextFormat.keyId(cipher) == targetKeyId(tenant) && isTargetAlgorithm(cipher)) {
          if (afterConflict) {
            // written by someone else since the pre-flight: check it like the pre-flight did
            decrypt(cipher, key, tenant);
          }
          return null;
        }
        return encrypt(plaintextValue(decrypt(cipher, key, tenant)), tenant);
      }
    }
  }

  /**
   * Settles one row whose compare-and-set did not take: reads it again and migrates what it
   * holds now, until a write takes or nothing is left to do.
   */
  private void settle(Object[] key, String rowTenant, Object ourValue) throws SQLException {
    boolean counted = false;
    String tenant = rowTenant;
    String where = shape.keys().stream().map(k -> k.quoted() + " = ?").collect(Collectors.joining(" AND "));
    try (PreparedStatement select = connection.prepareStatement("SELECT " + shape.quotedColumn() + tenantSelect() + " FROM "
            + shape.qualifiedTable() + " WHERE " + where);
        PreparedStatement update = connection.prepareStatement("UPDATE " + shape.qualifiedTable() + " SET "
            + shape.quotedColumn() + " = ? WHERE " + where + " AND " + compareAndSet())) {
      for (int attempt = 0; attempt < MAX_ATTEMPTS_PER_ROW; attempt++) {
        bindKey(select, 1, key);
        Object value;
        try (ResultSet rs = select.executeQuery()) {
          if (!rs.next()) {
            return; // deleted meanwhile
          }
          value = read(rs, 1);
          if (tenants != null) {
            tenant = rs.getString(2);
          }
        }
        if (value == null) {
          nulls++;
          return;
        }
        if (ourValue != null && sameValue(value, ourValue)) {
          written++; // the batch write took after all (a driver without per-row counts)
          return;
        }
        if (!counted) {
          retried++;
          counted = true;
        }
        Object next = transform(value, key, tenant, true);
        if (next == null) {
          alreadyDone++;
          return;
        }
        bind(update, 1, next);
        int p = bindKey(update, 2, key);
        bind(update, p, value);
        int count = update.executeUpdate();
        commitPage();
        if (count == 1) {
          written++;
          return;
        }
        ourValue = null;
      }
    }
    throw new ColumnMigrationException("Cannot " + operation.verb + " " + shape.describe() + ": row " + describeKey(key)
        + " changed on every one of " + MAX_ATTEMPTS_PER_ROW + " attempts; rerun when the writes settle", context.value(),
        (Integer) null);
  }

  private String progressLine(long elapsedNanos) {
    double seconds = Math.max(elapsedNanos / 1e9, 1e-3);
    double rate = rows / seconds;
    long remaining = Math.max(total - rows, 0);
    String eta = rate > 0 ? formatDuration((long) (remaining / rate)) : "?";
    return String.format(Locale.ROOT, "%s: %s %d of %d rows (%d%%), %.0f rows/s, ETA %s", shape.describe(),
        operation.changeName(), rows, total, total == 0 ? 100 : rows * 100 / Math.max(total, rows), rate, eta);
  }

  private static String formatDuration(long seconds) {
    return seconds >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }

  // ---------------------------------------------------------------------------------------
  // Values

  /** The v1 bytes of a stored value, or {@code null} when it does not have the v1 shape. */
  private byte[] asV1(Object value) {
    if (value instanceof String text) {
      if (text.length() < CiphertextFormat.textLength(0) || !text.startsWith(V1_TEXT_PREFIX)) {
        return null; // cheap: no base64 decoding of ordinary plaintext
      }
      byte[] bytes = CiphertextFormat.fromText(text);
      return CiphertextFormat.hasV1Shape(bytes) ? bytes : null;
    }
    byte[] bytes = (byte[]) value;
    return CiphertextFormat.hasV1Shape(bytes) ? bytes : null;
  }

  private Object encrypt(Object plaintext, String tenant) {
    if (tenants != null) {
      DataKey key = tenants.encryptor().store().activeKey(tenant, connection, pendingKeys::add);
      EncryptionContext tenantContext = tenants.encryptor().context(context, tenant);
      if (plaintext instanceof String text) {
        return CiphertextFormat.toText(FieldEncryptor.encryptWithKey(text.getBytes(StandardCharsets.UTF_8), tenantContext, key,
            deterministic));
      }
      return FieldEncryptor.encryptWithKey((byte[]) plaintext, tenantContext, key, deterministic);
    }
    if (deterministic) {
      return plaintext instanceof String text
          ? encryptor.encryptToTextDeterministic(text, context)
          : encryptor.encryptDeterministic((byte[]) plaintext, context);
    }
    return plaintext instanceof String text
        ? encryptor.encryptToText(text, context)
        : encryptor.encrypt((byte[]) plaintext, context);
  }

  /** Whether a v1 value is of the algorithm this migration writes (0x02 when deterministic). */
  private boolean isTargetAlgorithm(byte[] cipher) {
    return (CiphertextFormat.algorithm(cipher) == CiphertextFormat.ALG_AES_256_GCM_SIV) == deterministic;
  }

  private byte[] decrypt(byte[] cipher, Object[] key, String tenant) {
    try {
      return tenants != null ? tenants.encryptor().decrypt(cipher, context, tenant, connection) : encryptor.decrypt(cipher, context);
    } catch (FieldcryptException e) {
      throw undecryptable(key, inspect(cipher, tenant), true, tenant);
    }
  }

  /** What a v1 value is under this migration's keys (tenant mode: the row's tenant's keys). */
  private FieldEncryptor.Inspection inspect(byte[] cipher, String tenant) {
    if (tenants == null) {
      return encryptor.inspect(cipher, context);
    }
    int keyId = CiphertextFormat.keyId(cipher);
    boolean siv = CiphertextFormat.algorithm(cipher) == CiphertextFormat.ALG_AES_256_GCM_SIV;
    try {
      tenants.encryptor().decrypt(cipher, context, tenant, connection);
      return new FieldEncryptor.Inspection(FieldEncryptor.Inspection.State.ENCRYPTED, keyId, siv);
    } catch (UnknownKeyException | KeyDestroyedException e) {
      return new FieldEncryptor.Inspection(FieldEncryptor.Inspection.State.UNKNOWN_KEY, keyId, siv);
    } catch (FieldcryptException e) {
      return new FieldEncryptor.Inspection(FieldEncryptor.Inspection.State.NOT_AUTHENTIC, keyId, siv);
    }
  }

  /** The key id new values go under: the active (or deterministic) key, or the tenant's active key. */
  private int targetKeyId(String tenant) {
    return tenants == null ? activeKeyId : tenants.encryptor().store().activeKey(tenant, connection, pendingKeys::add).id();
  }

  /** Tenant mode: the row's tenant, which must be there; else {@code null}. */
  private String tenant(Object[] key, String rowTenant) {
    if (tenants == null) {
      return null;
    }
    if (rowTenant == null || rowTenant.isBlank()) {
      throw new ColumnMigrationException("Cannot " + operation.verb + " " + shape.describe() + ": row " + describeKey(key)
          + " has no tenant in column " + tenants.column() + "; every row needs one in tenant mode. Pages before it were"
          + " committed; fix the row and run again to resume.", context.value(), (Integer) null);
    }
    return rowTenant;
  }

  /** ", <tenant column>" in tenant mode, else nothing. */
  private String tenantSelect() {
    return tenants == null ? "" : ", " + shape.quotedTenantColumn();
  }

  private Object plaintextValue(byte[] plaintext) {
    return shape.kind() == TableShape.Kind.TEXT ? new String(plaintext, StandardCharsets.UTF_8) : plaintext;
  }

  private static long plaintextBytes(Object value) {
    if (value instanceof byte[] bytes) {
      return bytes.length;
    }
    String s = (String) value;
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static boolean sameValue(Object a, Object b) {
    return a instanceof byte[] x && b instanceof byte[] y ? Arrays.equals(x, y) : a.equals(b);
  }

  /** The primary key of the current row, from the result's first columns. */
  private Object[] readKey(ResultSet rs) throws SQLException {
    Object[] key = new Object[shape.keys().size()];
    for (int k = 0; k < key.length; k++) {
      key[k] = rs.getObject(k + 1);
    }
    return key;
  }

  private Object read(ResultSet rs, int index) throws SQLException {
    return shape.kind() == TableShape.Kind.TEXT ? rs.getString(index) : rs.getBytes(index);
  }

  private void bind(PreparedStatement ps, int index, Object value) throws SQLException {
    if (value instanceof String s) {
      ps.setString(index, s);
    } else {
      ps.setBytes(index, (byte[]) value);
    }
  }

  private int bindKey(PreparedStatement ps, int first, Object[] key) throws SQLException {
    int p = first;
    for (Object part : key) {
      ps.setObject(p++, part);
    }
    return p;
  }

  /** The column compared with the value read, byte for byte (MariaDB/MySQL collations ignore case and trailing spaces). */
  private String compareAndSet() {
    String c = shape.quotedColumn();
    if (mysql && shape.kind() == TableShape.Kind.TEXT) {
      return "CAST(CONVERT(" + c + " USING utf8mb4) AS BINARY) = CAST(CONVERT(? USING utf8mb4) AS BINARY)";
    }
    return c + " = ?";
  }

  // ---------------------------------------------------------------------------------------
  // Errors (table, column, key id and primary key only)

  private String describeKey(Object[] key) {
    if (key == null) {
      return "?";
    }
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < key.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(shape.keys().get(i).name()).append('=').append(key[i]);
    }
    return sb.append(')').toString();
  }

  private ColumnMigrationException undecryptable(Object[] key, FieldEncryptor.Inspection inspection, boolean writing) {
    return undecryptable(key, inspection, writing, null);
  }

  private ColumnMigrationException undecryptable(Object[] key, FieldEncryptor.Inspection inspection, boolean writing, String tenant) {
    String why = inspection.state() == FieldEncryptor.Inspection.State.UNKNOWN_KEY
        ? "key id " + inspection.keyId() + (tenant != null ? ", which tenant " + tenant + " has no usable key for (unknown or destroyed)"
            : ", which is not in the key ring " + encryptor.keyRing().ids() + "; add that key to fieldcrypt.keys")
        : "key id " + inspection.keyId() + " and does not authenticate under context \"" + context.value()
            + "\" (altered, copied from another column, or written with another key under this id)";
    return new ColumnMigrationException("Cannot " + operation.verb + " " + shape.describe() + ": row " + describeKey(key)
        + " holds a fieldcrypt v1 value under " + why + ". "
        + (writing ? "Pages before it were committed; fix the value and run again to resume."
            : "Nothing was written."), context.value(), inspection.keyId());
  }

  /**
   * The plaintext of a Fernet token, as the text a v1 text value holds; a value that is not a
   * token this key set reads stops the migration, naming the row and why, never the value.
   */
  private String fernetPlaintext(String token, Object[] key, boolean writing) {
    try {
      return fernet.decryptText(token);
    } catch (FernetException e) {
      throw new ColumnMigrationException("Cannot " + operation.verb + " " + shape.describe() + ": row " + describeKey(key)
          + " holds neither a fieldcrypt v1 value nor a Fernet token that reads with " + FieldcryptSettings.FERNET_KEYS
          + " (" + fernet.keys().size() + " key" + (fernet.keys().size() == 1 ? "" : "s")
          + fernet.ttl().map(ttl -> ", " + FieldcryptSettings.FERNET_TTL + " " + ttl).orElse("") + "): the value " + e.getMessage()
          + ". " + (writing ? "Pages before it were committed; fix the value and run again to resume." : "Nothing was written."),
          context.value(), (Integer) null);
    }
  }

  private ColumnMigrationException notEncrypted(Object[] key) {
    return new ColumnMigrationException("Cannot re-encrypt " + shape.describe() + ": row " + describeKey(key)
        + " is not encrypted; run encryptColumn first. Nothing was written by reencryptColumn.", context.value(),
        (Integer) null);
  }

  private ColumnMigrationException databaseFailure(String what, SQLException e) {
    // Driver messages can quote the rejected row (H2, PostgreSQL's "Failing row contains"):
    // only the SQL state and vendor code go into the message, and the exception is not attached.
    return new ColumnMigrationException(operation.changeName() + " on " + shape.describe() + " failed while " + what
        + ": SQL state " + e.getSQLState() + ", error code " + e.getErrorCode() + " (" + e.getClass().getSimpleName()
        + "). Committed pages stay done; running again resumes.", context.value(), (Integer) null);
  }

  /** Commits the current page; on PostgreSQL the main pass runs in auto-commit mode, a statement per page. */
  private void commitPage() throws SQLException {
    if (!connection.getAutoCommit()) {
      connection.commit();
    }
    keysSettled(true);
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // the first failure is the one to report
    }
    keysSettled(false);
  }

  private void keysSettled(boolean committed) {
    if (pendingKeys.isEmpty()) {
      return;
    }
    List<Consumer<Boolean>> settled = new ArrayList<>(pendingKeys);
    pendingKeys.clear();
    settled.forEach(callback -> callback.accept(committed));
  }

  /** Sets a PostgreSQL session setting and returns its previous value. */
  private String setSession(String setting, String value) throws SQLException {
    String previous;
    try (Statement st = connection.createStatement()) {
      try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
        rs.next();
        previous = rs.getString(1);
      }
      st.execute("SET " + setting + " TO '" + value.replace("'", "''") + "'");
    }
    commitPage();
    return previous;
  }

  private Object[] firstKey(String condition) throws SQLException {
    String keys = shape.keys().stream().map(TableShape.KeyColumn::quoted).collect(Collectors.joining(", "));
    try (Statement st = connection.createStatement()) {
      st.setMaxRows(1);
      try (ResultSet rs = st.executeQuery("SELECT " + keys + " FROM " + shape.qualifiedTable() + " WHERE " + condition
          + " ORDER BY " + keys)) {
        if (!rs.next()) {
          return null;
        }
        Object[] key = new Object[shape.keys().size()];
        for (int i = 0; i < key.length; i++) {
          key[i] = rs.getObject(i + 1);
        }
        return key;
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Reading pages

  /** One page of rows: keys and values side by side. */
  private static final class Page {
    final Object[][] keys;
    final Object[] values;
    /** Tenant mode: each row's tenant. */
    final String[] tenants;
    int size;

    Page(int capacity) {
      keys = new Object[capacity][];
      values = new Object[capacity];
      tenants = new String[capacity];
    }
  }

  /** Keyset pagination over the primary key, optionally filtered. */
  private final class PageReader implements AutoCloseable {
    private final PreparedStatement first;
    private final PreparedStatement next;
    /** The query behind {@link #next} after the first read: a writer may send it with its own statement. */
    private final String nextSql;
    /** Pages of {@code batchSize} rows fetched by one query. */
    private final int pagesPerRead;
    private Object[] after;
    private boolean done;

    PageReader(String filter, int pagesPerRead) throws SQLException {
      this.pagesPerRead = pagesPerRead;
      String keys = shape.keys().stream().map(TableShape.KeyColumn::quoted).collect(Collectors.joining(", "));
      String select = "SELECT " + keys + ", " + shape.quotedColumn() + tenantSelect() + " FROM " + shape.qualifiedTable();
      String order = " ORDER BY " + keys + limit();
      first = connection.prepareStatement(select + (filter == null ? "" : " WHERE " + filter) + order);
      nextSql = select + " WHERE " + keysetCondition() + (filter == null ? "" : " AND " + filter) + order;
      next = connection.prepareStatement(nextSql);
    }

    /** The next pages, in key order (empty after the last). */
    List<Page> next() throws SQLException {
      if (done) {
        return List.of();
      }
      PreparedStatement ps = after == null ? first : next;
      if (after != null) {
        bindKeyset(ps, 1, after);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return take(rs);
      }
    }

    /** Whether {@link #nextSql} and {@link #bindNext} can fetch the next pages: the first were read and the last were not. */
    boolean continues() {
      return after != null && !done;
    }

    /** Binds {@link #nextSql}'s parameters from parameter {@code first} on. */
    void bindNext(PreparedStatement ps, int first) throws SQLException {
      bindKeyset(ps, first, after);
    }

    /** Takes the next pages from the result of {@link #nextSql}. */
    List<Page> take(ResultSet rs) throws SQLException {
      List<Page> pages = new ArrayList<>(pagesPerRead);
      Page page = null;
      int width = shape.keys().size();
      while (rs.next()) {
        if (page == null || page.size == batchSize) {
          page = new Page(batchSize);
          pages.add(page);
        }
        page.keys[page.size] = readKey(rs);
        if (tenants != null) {
          page.tenants[page.size] = rs.getString(width + 2);
        }
        page.values[page.size++] = read(rs, width + 1);
      }
      if (page == null || page.size < batchSize || pages.size() < pagesPerRead) {
        done = true;
      }
      if (page != null) {
        after = page.keys[page.size - 1];
      }
      return pages;
    }

    private String limit() {
      long rows = (long) batchSize * pagesPerRead;
      String product = shape.product();
      if (product.contains("oracle") || product.contains("db2") || product.contains("derby")) {
        return " FETCH FIRST " + rows + " ROWS ONLY";
      }
      if (product.contains("microsoft")) {
        return " OFFSET 0 ROWS FETCH NEXT " + rows + " ROWS ONLY";
      }
      return " LIMIT " + rows;
    }

    /** {@code (k1, k2) > (?, ?)}: a row value on PostgreSQL, expanded elsewhere. */
    private String keysetCondition() {
      List<TableShape.KeyColumn> keys = shape.keys();
      if (keys.size() == 1) {
        return keys.get(0).quoted() + " > ?";
      }
      if (postgres) {
        String cols = keys.stream().map(TableShape.KeyColumn::quoted).collect(Collectors.joining(", "));
        return "(" + cols + ") > (" + keys.stream().map(k -> "?").collect(Collectors.joining(", ")) + ")";
      }
      List<String> alternatives = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        StringBuilder sb = new StringBuilder("(");
        for (int j = 0; j < i; j++) {
          sb.append(keys.get(j).quoted()).append(" = ? AND ");
        }
        alternatives.add(sb.append(keys.get(i).quoted()).append(" > ?)").toString());
      }
      return "(" + String.join(" OR ", alternatives) + ")";
    }

    private void bindKeyset(PreparedStatement ps, int first, Object[] key) throws SQLException {
      if (key.length == 1 || postgres) {
        bindKey(ps, first, key);
        return;
      }
      int p = first;
      for (int i = 0; i < key.length; i++) {
        for (int j = 0; j <= i; j++) {
          ps.setObject(p++, key[j]);
        }
      }
    }

    @Override
    public void close() throws SQLException {
      try (first; next) {
        // closes both
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Writing pages

  /** Writes the new values of a group of pages with compare-and-set, committing each page. */
  private interface Writer extends AutoCloseable {
    /** Prepares what {@link #writeAndRead} sends, on the crypto thread; uses no connection. */
    default void encode(Group group) {
    }

    /**
     * Writes and commits each page of the group (setting {@link Batch#lost}), and reads the
     * reader's next pages, which it returns (empty after the last).
     */
    List<Page> writeAndRead(Group group, PageReader reader) throws SQLException;

    @Override
    void close() throws SQLException;
  }

  /** JDBC batches of single-row compare-and-set updates: any database. */
  private final class BatchWriter implements Writer {
    private final PreparedStatement update;

    BatchWriter() throws SQLException {
      String where = shape.keys().stream().map(k -> k.quoted() + " = ?").collect(Collectors.joining(" AND "));
      update = connection.prepareStatement("UPDATE " + shape.qualifiedTable() + " SET " + shape.quotedColumn() + " = ? WHERE "
          + where + " AND " + compareAndSet());
    }

    @Override
    public List<Page> writeAndRead(Group group, PageReader reader) throws SQLException {
      List<Page> next = reader.next();
      for (Batch batch : group.batches) {
        if (batch.n > 0) {
          batch.lost = write(batch);
        }
        commitPage();
      }
      return next;
    }

    private List<Integer> write(Batch batch) throws SQLException {
      int n = batch.n;
      for (int k = 0; k < n; k++) {
        int i = batch.indexes[k];
        bind(update, 1, batch.newValues[k]);
        int p = bindKey(update, 2, batch.page.keys[i]);
        bind(update, p, batch.page.values[i]);
        update.addBatch();
      }
      int[] counts;
      try {
        counts = update.executeBatch();
      } catch (SQLException e) {
        throw databaseFailure("writing a page", e);
      }
      List<Integer> lost = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        // SUCCESS_NO_INFO (some drivers' batches): settle() checks whether our value is there
        if (k >= counts.length || counts[k] == 0 || counts[k] == Statement.SUCCESS_NO_INFO) {
          lost.add(k);
        }
      }
      return lost;
    }

    @Override
    public void close() throws SQLException {
      update.close();
    }
  }

  private boolean postgresArrays() {
    return postgres && shape.kind() == TableShape.Kind.TEXT
        && shape.keys().stream().allMatch(k -> postgresArrayType(k.typeName()) != null);
  }

  private static String postgresArrayType(String typeName) {
    return switch (typeName == null ? "" : typeName.toLowerCase(Locale.ROOT)) {
      case "int2", "smallserial" -> "int2";
      case "int4", "serial" -> "int4";
      case "int8", "bigserial" -> "int8";
      case "text", "varchar" -> "text";
      case "uuid" -> "uuid";
      case "numeric" -> "numeric";
      default -> null;
    };
  }

  /**
   * PostgreSQL: one round trip for a group of pages, one transaction per page. Each page is
   * written by {@code UPDATE t SET c = v.n FROM unnest(keys..., old, new) v WHERE t.pk = v.k
   * AND t.c = v.o AND t.pk BETWEEN first AND last} between {@code BEGIN} and {@code COMMIT}; the
   * reader's query for the pages after the next group goes first in the same round trip. A page
   * whose update count is short of its rows (a concurrent write) is read again to find the rows
   * that do not hold the value written; {@code RETURNING} the rows taken would cost the server
   * about 5% more on every page (measured with 1,000,000 rows). The connection is in auto-commit mode, so a page alone needs no
   * {@code BEGIN}/{@code COMMIT}. The bounds let the server read the page's rows in one index
   * range scan instead of descending the primary key once per row; each row still matches only
   * on its own key and the value read. Old and new values travel as binary arrays, bound to the
   * statement on the crypto thread (two statements of each shape take turns: the one being bound
   * is never the one executing).
   */
  private final class ArrayWriter implements Writer {
    private final int readParameters;
    private final String[] keyTypes;
    /** By pages written (index 0: one page): the statements that also read the next pages, taking turns. */
    private final PreparedStatement[][] writeAndRead;
    /** By pages written: the statements for the last pages, with nothing after them to read. */
    private final PreparedStatement[] writeOnly;
    /** The rows of one page's key range as they are now, to find the writes that did not take. */
    private final PreparedStatement reread;
    /** Groups bound so far (crypto thread only). */
    private long bound;

    /** A group's statement with its write parameters bound. */
    private final class Encoded {
      final List<Batch> writes;
      final PreparedStatement statement;

      Encoded(List<Batch> writes, PreparedStatement statement) {
        this.writes = writes;
        this.statement = statement;
      }
    }

    ArrayWriter(PageReader reader) throws SQLException {
      List<TableShape.KeyColumn> keys = shape.keys();
      keyTypes = new String[keys.size()];
      StringBuilder arrays = new StringBuilder();
      StringBuilder names = new StringBuilder();
      StringBuilder join = new StringBuilder();
      StringBuilder row = new StringBuilder();
      for (int i = 0; i < keys.size(); i++) {
        keyTypes[i] = postgresArrayType(keys.get(i).typeName());
        arrays.append("CAST(? AS ").append(keyTypes[i]).append("[]), ");
        names.append("fc_k").append(i).append(", ");
        join.append("fc_t.").append(keys.get(i).quoted()).append(" = fc_v.fc_k").append(i).append(" AND ");
        row.append(i == 0 ? "" : ", ").append("fc_t.").append(keys.get(i).quoted());
      }
      String params = keys.stream().map(k -> "?").collect(Collectors.joining(", "));
      String bounds = keys.size() == 1
          ? row + " >= ? AND " + row + " <= ?"
          : "(" + row + ") >= (" + params + ") AND (" + row + ") <= (" + params + ")";
      // varchar[]: the driver's type for a String[]; text[] would copy each array once more on the server
      String update = "UPDATE " + shape.qualifiedTable() + " AS fc_t SET " + shape.quotedColumn()
          + " = fc_v.fc_new FROM unnest(" + arrays + "CAST(? AS varchar[]), CAST(? AS varchar[])) AS fc_v(" + names
          + "fc_old, fc_new) WHERE " + join + "fc_t." + shape.quotedColumn() + " = fc_v.fc_old AND " + bounds;
      reread = connection.prepareStatement("SELECT " + row + ", fc_t." + shape.quotedColumn() + " FROM " + shape.qualifiedTable()
          + " AS fc_t WHERE " + bounds);
      readParameters = keys.size();
      writeAndRead = new PreparedStatement[reader.pagesPerRead][2];
      writeOnly = new PreparedStatement[reader.pagesPerRead];
      for (int pages = 1; pages <= reader.pagesPerRead; pages++) {
        StringBuilder writes = new StringBuilder();
        for (int i = 0; i < pages; i++) {
          writes.append(i == 0 ? "" : ";\n").append(pages == 1 ? update : "BEGIN;\n" + update + ";\nCOMMIT");
        }
        writeOnly[pages - 1] = connection.prepareStatement(writes.toString());
        for (int turn = 0; turn < 2; turn++) {
          writeAndRead[pages - 1][turn] = connection.prepareStatement(reader.nextSql + ";\n" + writes);
        }
      }
      // a page per transaction, committed by the server within each round trip
      connection.setAutoCommit(true);
    }

    /**
     * On the crypto thread: binds the group's pages to the statement that will write them
     * (binding converts the values for binary transfer; no connection is used). The reader's
     * parameters, which come first, are bound when the statement runs.
     */
    @Override
    public void encode(Group group) {
      List<Batch> writes = group.batches.stream().filter(b -> b.n > 0).collect(Collectors.toList());
      if (writes.isEmpty()) {
        return;
      }
      try {
        PreparedStatement ps = writeAndRead[writes.size() - 1][(int) (bound++ % 2)];
        bindWrites(ps, readParameters + 1, writes);
        group.encoded = new Encoded(writes, ps);
      } catch (SQLException e) {
        throw databaseFailure("writing a page", e);
      }
    }

    private void bindWrites(PreparedStatement ps, int first, List<Batch> writes) throws SQLException {
      int p = first;
      for (Batch batch : writes) {
        int n = batch.n;
        for (int c = 0; c < keyTypes.length; c++) {
          StringBuilder sb = new StringBuilder(n * 8 + 2).append('{');
          boolean numeric = !keyTypes[c].equals("text") && !keyTypes[c].equals("uuid");
          for (int k = 0; k < n; k++) {
            if (k > 0) {
              sb.append(',');
            }
            Object key = batch.page.keys[batch.indexes[k]][c];
            if (numeric) {
              sb.append(key);
            } else {
              appendQuoted(sb, key.toString());
            }
          }
          ps.setString(p++, sb.append('}').toString());
        }
        String[] old = new String[n];
        String[] neu = new String[n];
        for (int k = 0; k < n; k++) {
          old[k] = (String) batch.page.values[batch.indexes[k]];
          neu[k] = (String) batch.newValues[k];
        }
        ps.setObject(p++, old);
        ps.setObject(p++, neu);
        p = bindKey(ps, p, batch.page.keys[batch.indexes[0]]);
        p = bindKey(ps, p, batch.page.keys[batch.indexes[n - 1]]);
      }
    }

    private static void appendQuoted(StringBuilder sb, String value) {
      sb.append('"');
      for (int i = 0; i < value.length(); i++) {
        char ch = value.charAt(i);
        if (ch == '"' || ch == '\\') {
          sb.append('\\');
        }
        sb.append(ch);
      }
      sb.append('"');
    }

    @Override
    public List<Page> writeAndRead(Group group, PageReader reader) throws SQLException {
      Encoded encoded = (Encoded) group.encoded;
      if (encoded == null) {
        return reader.next();
      }
      List<Batch> writes = encoded.writes;
      boolean read = reader.continues();
      try {
        PreparedStatement ps;
        if (read) {
          ps = encoded.statement;
          reader.bindNext(ps, 1);
        } else {
          ps = writeOnly[writes.size() - 1];
          bindWrites(ps, 1, writes);
        }
        List<Page> next = List.of();
        boolean readPending = read;
        // update counts in order: the UPDATE's alone for one page, BEGIN (0), UPDATE, COMMIT (0) per page for several
        List<Integer> counts = new ArrayList<>();
        for (boolean result = ps.execute(); result || ps.getUpdateCount() != -1; result = ps.getMoreResults()) {
          if (result) {
            try (ResultSet rs = ps.getResultSet()) {
              if (!readPending) {
                throw new IllegalStateException("unexpected result set writing pages");
              }
              next = reader.take(rs);
              readPending = false;
            }
          } else {
            counts.add(ps.getUpdateCount());
          }
        }
        int stride = writes.size() == 1 ? 1 : 3;
        if (counts.size() != stride * writes.size()) {
          throw new IllegalStateException("expected " + stride * writes.size() + " update counts, got " + counts.size());
        }
        for (int i = 0; i < writes.size(); i++) {
          Batch batch = writes.get(i);
          int taken = counts.get(stride * i + stride / 2);
          batch.lost = taken == batch.n ? List.of() : notTaken(batch);
        }
        return next;
      } catch (SQLException e) {
        if (writes.size() > 1) {
          endFailedTransaction();
        }
        throw databaseFailure("writing a page", e);
      }
    }

    /**
     * The rows of a written page that do not hold the value written (changed or deleted by a
     * concurrent writer): the page's key range read again, after its commit.
     */
    private List<Integer> notTaken(Batch batch) throws SQLException {
      int width = keyTypes.length;
      int p = bindKey(reread, 1, batch.page.keys[batch.indexes[0]]);
      bindKey(reread, p, batch.page.keys[batch.indexes[batch.n - 1]]);
      Map<List<Object>, Object> now = new HashMap<>();
      try (ResultSet rs = reread.executeQuery()) {
        while (rs.next()) {
          now.put(Arrays.asList(readKey(rs)), read(rs, width + 1));
        }
      }
      List<Integer> lost = new ArrayList<>();
      for (int k = 0; k < batch.n; k++) {
        Object value = now.get(Arrays.asList(batch.page.keys[batch.indexes[k]]));
        if (value == null || !sameValue(value, batch.newValues[k])) {
          lost.add(k);
        }
      }
      return lost;
    }

    /** A page that failed between its BEGIN and COMMIT leaves its transaction open: roll it back. */
    private void endFailedTransaction() {
      try (Statement st = connection.createStatement()) {
        st.execute("ROLLBACK");
      } catch (SQLException ignored) {
        // the connection is broken; the caller reports the first failure
      }
    }

    @Override
    public void close() throws SQLException {
      SQLException first = null;
      List<PreparedStatement> all = new ArrayList<>(Arrays.asList(writeOnly));
      all.add(reread);
      for (PreparedStatement[] turns : writeAndRead) {
        all.addAll(Arrays.asList(turns));
      }
      for (PreparedStatement ps : all) {
        try {
          ps.close();
        } catch (SQLException e) {
          first = first == null ? e : first;
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }
}
