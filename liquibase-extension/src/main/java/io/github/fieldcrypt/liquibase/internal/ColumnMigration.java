package io.github.fieldcrypt.liquibase.internal;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.crypto.CiphertextFormat;
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
import java.util.List;
import java.util.Locale;
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
 *   <li><b>Keyset pagination</b> over the primary key: one page of {@code batchSize} rows in
 *       memory at a time, whatever the table's size.</li>
 *   <li><b>Compare-and-set</b>: a row is written only if it still holds the value read; rows a
 *       concurrent writer changed are read again and handled by their new value.</li>
 *   <li><b>A commit per page</b>: a crash leaves every row old or new, and running again skips
 *       the rows already done.</li>
 * </ul>
 * On PostgreSQL a page is written by one set-based {@code UPDATE ... FROM unnest(...)}, planned
 * for its actual arrays ({@code plan_cache_mode = force_custom_plan}: a generic plan may scan the
 * whole table per page), with {@code synchronous_commit} off for the migration's own commits (a
 * lost commit after a server crash only means those rows are redone: the change is idempotent,
 * and Liquibase's own synchronous commit of its DATABASECHANGELOG row flushes them all). Both
 * settings are restored afterwards. Other databases get JDBC batches.
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
  /** Every v1 value in a text column starts with these two characters (0xFC, then 0x01 or 0x02). */
  private static final String V1_TEXT_PREFIX = "_A";
  private static final String V1_TEXT_LIKE = "'!_A%' ESCAPE '!'";

  private final Connection connection;
  private final TableShape shape;
  private final Operation operation;
  private final FieldEncryptor encryptor;
  private final EncryptionContext context;
  private final int batchSize;
  private final Consumer<String> progress;
  private final long progressIntervalNanos;
  private final int activeKeyId;
  private final boolean postgres;
  private final boolean mysql;

  private long rows;
  private long written;
  private long alreadyDone;
  private long nulls;
  private long retried;
  private long total;

  private ColumnMigration(Connection connection, TableShape shape, Operation operation, FieldEncryptor encryptor,
      EncryptionContext context, int batchSize, Consumer<String> progress, Duration progressInterval) {
    this.connection = connection;
    this.shape = shape;
    this.operation = operation;
    this.encryptor = encryptor;
    this.context = context;
    this.batchSize = batchSize;
    this.progress = progress;
    this.progressIntervalNanos = progressInterval.toNanos();
    this.activeKeyId = encryptor.keyRing().active().id();
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
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
    }
    TableShape shape = TableShape.read(connection, target.catalog(), target.schema(), target.table(), target.column());
    EncryptionContext effective = context != null ? context : EncryptionContext.forColumn(target.table(), target.column());
    return new ColumnMigration(connection, shape, operation, encryptor, effective, batchSize, progress, progressInterval).run();
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
        System.nanoTime() - start);
  }

  // ---------------------------------------------------------------------------------------
  // Pre-flight

  private void preflight() throws SQLException {
    Preflight check = new Preflight();
    String candidatesOnly = null;
    if (shape.kind() == TableShape.Kind.TEXT && (postgres || mysql || shape.product().contains("h2"))) {
      // One aggregate instead of reading every row: only values that start like a v1 text value
      // need to be read and authenticated; the others are plaintext, of which only the longest matters.
      String c = shape.quotedColumn();
      String plaintext = c + " NOT LIKE " + V1_TEXT_LIKE;
      try (Statement st = connection.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(CASE WHEN " + c + " LIKE " + V1_TEXT_LIKE + " THEN 1 END),"
              + " COUNT(CASE WHEN " + plaintext + " THEN 1 END), MAX(CASE WHEN " + plaintext + " THEN " + utf8Length()
              + " END) FROM " + shape.qualifiedTable())) {
        rs.next();
        total = rs.getLong(1);
        long candidates = rs.getLong(2);
        long plaintexts = rs.getLong(3);
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
    try (PageReader reader = new PageReader(candidatesOnly)) {
      for (Page page = reader.next(); page != null; page = reader.next()) {
        for (int i = 0; i < page.size; i++) {
          Object value = page.values[i];
          if (value != null) {
            preflightValue(value, page.keys[i], check);
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

  private void preflightValue(Object value, Object[] key, Preflight check) {
    byte[] cipher = asV1(value);
    if (cipher == null) {
      switch (operation) {
        case ENCRYPT -> check.plaintextOfLength(plaintextBytes(value), key);
        case REENCRYPT -> throw notEncrypted(key);
        case DECRYPT -> { }
      }
      return;
    }
    FieldEncryptor.Inspection inspection = encryptor.inspect(cipher, context);
    if (inspection.state() != FieldEncryptor.Inspection.State.ENCRYPTED) {
      throw undecryptable(key, inspection, false);
    }
  }

  private long maxPlaintextBytes() {
    if (shape.width() == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
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
      long needed = text ? CiphertextFormat.textLength(longest) : CiphertextFormat.binaryLength(longest);
      throw new ColumnMigrationException(s.describe() + ": " + s.declaredType() + " holds at most " + Math.max(max, 0)
          + " plaintext bytes; widen to " + s.typeName() + "(" + needed + ") (the longest value, in row "
          + m.describeKey(longestKey) + ", has " + longest + " bytes). Nothing was written.", m.context.value(),
          (Integer) null);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Main pass

  /**
   * Pages through the table. The crypto of page N+1 runs on a second thread while this thread
   * writes page N and reads page N+2: every database call stays on this thread and this
   * connection.
   */
  private void mainPass(long start) throws SQLException {
    long lastReport = System.nanoTime();
    ExecutorService cryptoThread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fieldcrypt-" + operation.changeName());
      t.setDaemon(true);
      return t;
    });
    try (PageReader reader = new PageReader(null); Writer writer = postgresArrays() ? new ArrayWriter(reader) : new BatchWriter()) {
      Page first = reader.next();
      Future<Batch> pending = first == null ? null : cryptoThread.submit(() -> prepare(first, writer));
      Page ahead = first == null ? null : reader.next();
      while (pending != null) {
        Batch batch = await(pending);
        Page following = ahead;
        pending = following == null ? null : cryptoThread.submit(() -> prepare(following, writer));
        Page page = batch.page;
        // commits this page and reads the one after the page being prepared
        ahead = writer.writeAndRead(batch, reader);
        List<Integer> lost = batch.lost;
        nulls += batch.nulls;
        alreadyDone += batch.alreadyDone;
        written += batch.n - lost.size();
        for (int k : lost) {
          settle(page.keys[batch.indexes[k]], batch.newValues[k]);
        }
        rows += page.size;
        long now = System.nanoTime();
        if (now - lastReport >= progressIntervalNanos) {
          lastReport = now;
          progress.accept(progressLine(now - start));
        }
      }
    } finally {
      cryptoThread.shutdownNow();
    }
  }

  /** A page with its new values, computed off the database thread. */
  private static final class Batch {
    final Page page;
    final int[] indexes;
    final Object[] newValues;
    int n;
    long nulls;
    long alreadyDone;
    /** Writer-specific form of the batch (PostgreSQL: the arrays). */
    Object encoded;
    /** Indexes (into the batch) whose compare-and-set did not take, once written. */
    List<Integer> lost = List.of();

    Batch(Page page) {
      this.page = page;
      this.indexes = new int[page.size];
      this.newValues = new Object[page.size];
    }
  }

  private Batch prepare(Page page, Writer writer) {
    Batch batch = new Batch(page);
    for (int i = 0; i < page.size; i++) {
      Object value = page.values[i];
      if (value == null) {
        batch.nulls++;
        continue;
      }
      Object next = transform(value, page.keys[i], false);
      if (next == null) {
        batch.alreadyDone++;
      } else {
        batch.indexes[batch.n] = i;
        batch.newValues[batch.n++] = next;
      }
    }
    if (batch.n > 0) {
      writer.encode(batch);
    }
    return batch;
  }

  private static Batch await(Future<Batch> future) {
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
  private Object transform(Object value, Object[] key, boolean afterConflict) {
    byte[] cipher = asV1(value);
    switch (operation) {
      case ENCRYPT -> {
        if (cipher == null) {
          return encrypt(value);
        }
        FieldEncryptor.Inspection inspection = encryptor.inspect(cipher, context);
        if (inspection.state() != FieldEncryptor.Inspection.State.ENCRYPTED) {
          throw undecryptable(key, inspection, true);
        }
        return null;
      }
      case DECRYPT -> {
        return cipher == null ? null : plaintextValue(decrypt(cipher, key));
      }
      default -> {
        if (cipher == null) {
          throw notEncrypted(key);
        }
        if (CiphertextFormat.keyId(cipher) == activeKeyId) {
          if (afterConflict) {
            // written by someone else since the pre-flight: check it like the pre-flight did
            decrypt(cipher, key);
          }
          return null;
        }
        return encrypt(plaintextValue(decrypt(cipher, key)));
      }
    }
  }

  /**
   * Settles one row whose compare-and-set did not take: reads it again and migrates what it
   * holds now, until a write takes or nothing is left to do.
   */
  private void settle(Object[] key, Object ourValue) throws SQLException {
    boolean counted = false;
    String where = shape.keys().stream().map(k -> k.quoted() + " = ?").collect(Collectors.joining(" AND "));
    try (PreparedStatement select = connection.prepareStatement("SELECT " + shape.quotedColumn() + " FROM "
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
        Object next = transform(value, key, true);
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

  private Object encrypt(Object plaintext) {
    return plaintext instanceof String text
        ? encryptor.encryptToText(text, context)
        : encryptor.encrypt((byte[]) plaintext, context);
  }

  private byte[] decrypt(byte[] cipher, Object[] key) {
    try {
      return encryptor.decrypt(cipher, context);
    } catch (FieldcryptException e) {
      throw undecryptable(key, encryptor.inspect(cipher, context), true);
    }
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
    String why = inspection.state() == FieldEncryptor.Inspection.State.UNKNOWN_KEY
        ? "key id " + inspection.keyId() + ", which is not in the key ring " + encryptor.keyRing().ids()
            + "; add that key to fieldcrypt.keys"
        : "key id " + inspection.keyId() + " and does not authenticate under context \"" + context.value()
            + "\" (altered, copied from another column, or written with another key under this id)";
    return new ColumnMigrationException("Cannot " + operation.verb + " " + shape.describe() + ": row " + describeKey(key)
        + " holds a fieldcrypt v1 value under " + why + ". "
        + (writing ? "Pages before it were committed; fix the value and run again to resume."
            : "Nothing was written."), context.value(), inspection.keyId());
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
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // the first failure is the one to report
    }
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
    int size;

    Page(int capacity) {
      keys = new Object[capacity][];
      values = new Object[capacity];
    }
  }

  /** Keyset pagination over the primary key, optionally filtered. */
  private final class PageReader implements AutoCloseable {
    private final PreparedStatement first;
    private final PreparedStatement next;
    /** The query behind {@link #next} after the first page: a writer may send it with its own statement. */
    private final String nextSql;
    private Object[] after;
    private boolean done;

    PageReader(String filter) throws SQLException {
      String keys = shape.keys().stream().map(TableShape.KeyColumn::quoted).collect(Collectors.joining(", "));
      String select = "SELECT " + keys + ", " + shape.quotedColumn() + " FROM " + shape.qualifiedTable();
      String order = " ORDER BY " + keys + limit();
      first = connection.prepareStatement(select + (filter == null ? "" : " WHERE " + filter) + order);
      nextSql = select + " WHERE " + keysetCondition() + (filter == null ? "" : " AND " + filter) + order;
      next = connection.prepareStatement(nextSql);
    }

    Page next() throws SQLException {
      if (done) {
        return null;
      }
      PreparedStatement ps = after == null ? first : next;
      if (after != null) {
        bindKeyset(ps, 1, after);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return take(rs);
      }
    }

    /** Whether {@link #nextSql} and {@link #bindNext} can fetch the next page: the first was read and the last was not. */
    boolean continues() {
      return after != null && !done;
    }

    /** Binds {@link #nextSql}'s parameters from parameter {@code first} on. */
    void bindNext(PreparedStatement ps, int first) throws SQLException {
      bindKeyset(ps, first, after);
    }

    /** Takes the next page from the result of {@link #nextSql}. */
    Page take(ResultSet rs) throws SQLException {
      Page page = new Page(batchSize);
      int width = shape.keys().size();
      while (rs.next()) {
        Object[] key = new Object[width];
        for (int k = 0; k < width; k++) {
          key[k] = rs.getObject(k + 1);
        }
        page.keys[page.size] = key;
        page.values[page.size++] = read(rs, width + 1);
      }
      if (page.size < batchSize) {
        done = true;
      }
      if (page.size == 0) {
        return null;
      }
      after = page.keys[page.size - 1];
      return page;
    }

    private String limit() {
      String product = shape.product();
      if (product.contains("oracle") || product.contains("db2") || product.contains("derby")) {
        return " FETCH FIRST " + batchSize + " ROWS ONLY";
      }
      if (product.contains("microsoft")) {
        return " OFFSET 0 ROWS FETCH NEXT " + batchSize + " ROWS ONLY";
      }
      return " LIMIT " + batchSize;
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

  /** Writes a batch's new values with compare-and-set and commits them. */
  private interface Writer extends AutoCloseable {
    /** Prepares what {@link #writeAndRead} sends, on the crypto thread; touches no connection. */
    default void encode(Batch batch) {
    }

    /**
     * Writes and commits the batch (setting {@link Batch#lost}), and reads the reader's next
     * page, which it returns ({@code null} after the last).
     */
    Page writeAndRead(Batch batch, PageReader reader) throws SQLException;

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
    public Page writeAndRead(Batch batch, PageReader reader) throws SQLException {
      Page next = reader.next();
      if (batch.n > 0) {
        batch.lost = write(batch);
      }
      connection.commit();
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
   * PostgreSQL: one round trip and one transaction per page. The statement
   * {@code UPDATE t SET c = v.n FROM unnest(keys..., old, new) WITH ORDINALITY v WHERE t.pk = v.k AND t.c = v.o
   * AND t.pk BETWEEN first AND last RETURNING v.i}, followed in the same round trip by the
   * reader's query for the next page, runs in auto-commit mode: the server commits both at the
   * end of the round trip (the read only makes the page after it arrive without a round trip
   * of its own). The bounds let the server read the page's rows in one index range scan instead
   * of descending the primary key once per row; each row still matches only on its own key and
   * the value read. Old and new values travel as binary arrays, bound to the statement on the
   * crypto thread (two statements take turns: the one being bound is never the one executing).
   */
  private final class ArrayWriter implements Writer {
    /** Write only: the last page, with no page after it to read. */
    private final PreparedStatement update;
    /** Write, then read the next page; the crypto thread binds one while this thread executes the other. */
    private final PreparedStatement[] updateAndRead = new PreparedStatement[2];
    private final String[] keyTypes;
    /** Batches bound so far (crypto thread only). */
    private long bound;

    /** A batch's arrays and the statement they are bound to. */
    private final class Encoded {
      final String[] keyLiterals;
      final String[] old;
      final String[] neu;
      PreparedStatement statement;
      /** The first parameter after the write's: the reader's. */
      int nextParameter;

      Encoded(String[] keyLiterals, String[] old, String[] neu) {
        this.keyLiterals = keyLiterals;
        this.old = old;
        this.neu = neu;
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
      String sql = "UPDATE " + shape.qualifiedTable() + " AS fc_t SET " + shape.quotedColumn()
          + " = fc_v.fc_new FROM unnest(" + arrays + System.getProperty("fc.arr", "CAST(? AS varchar[]), CAST(? AS varchar[])") + ") WITH ORDINALITY AS fc_v(" + names
          + "fc_old, fc_new, fc_i) WHERE " + join + "fc_t." + shape.quotedColumn() + " = fc_v.fc_old AND " + bounds
          + " RETURNING fc_v.fc_i";
      update = connection.prepareStatement(sql);
      updateAndRead[0] = connection.prepareStatement(sql + ";\n" + reader.nextSql);
      updateAndRead[1] = connection.prepareStatement(sql + ";\n" + reader.nextSql);
      // a page per statement, committed by the server at the end of each round trip
      connection.setAutoCommit(true);
    }

    /**
     * On the crypto thread: the key arrays as PostgreSQL array literals, the values as arrays,
     * all bound to the statement that will write this batch (binding converts the values for
     * binary transfer; no connection is used).
     */
    @Override
    public void encode(Batch batch) {
      int n = batch.n;
      String[] literals = new String[keyTypes.length];
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
        literals[c] = sb.append('}').toString();
      }
      String[] old = new String[n];
      String[] neu = new String[n];
      for (int k = 0; k < n; k++) {
        old[k] = (String) batch.page.values[batch.indexes[k]];
        neu[k] = (String) batch.newValues[k];
      }
      Encoded encoded = new Encoded(literals, old, neu);
      encoded.statement = updateAndRead[(int) (bound++ % 2)];
      try {
        encoded.nextParameter = bindWrite(encoded.statement, batch, encoded);
      } catch (SQLException e) {
        throw databaseFailure("writing a page", e);
      }
      batch.encoded = encoded;
    }

    private int bindWrite(PreparedStatement ps, Batch batch, Encoded encoded) throws SQLException {
      int p = 1;
      for (String literal : encoded.keyLiterals) {
        ps.setString(p++, literal);
      }
      ps.setObject(p++, encoded.old);
      ps.setObject(p++, encoded.neu);
      p = bindKey(ps, p, batch.page.keys[batch.indexes[0]]);
      return bindKey(ps, p, batch.page.keys[batch.indexes[batch.n - 1]]);
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
    public Page writeAndRead(Batch batch, PageReader reader) throws SQLException {
      if (batch.n == 0) {
        return reader.next();
      }
      Encoded encoded = (Encoded) batch.encoded;
      boolean read = reader.continues();
      try {
        PreparedStatement ps;
        if (read) {
          ps = encoded.statement;
          reader.bindNext(ps, encoded.nextParameter);
        } else {
          ps = update;
          bindWrite(ps, batch, encoded);
        }
        boolean[] took = new boolean[batch.n];
        ps.execute();
        try (ResultSet rs = ps.getResultSet()) {
          while (rs.next()) {
            took[(int) rs.getLong(1) - 1] = true;
          }
        }
        Page next = null;
        if (read) {
          ps.getMoreResults();
          try (ResultSet rs = ps.getResultSet()) {
            next = reader.take(rs);
          }
        }
        List<Integer> lost = new ArrayList<>();
        for (int k = 0; k < batch.n; k++) {
          if (!took[k]) {
            lost.add(k);
          }
        }
        batch.lost = lost;
        return next;
      } catch (SQLException e) {
        throw databaseFailure("writing a page", e);
      }
    }

    @Override
    public void close() throws SQLException {
      try (update; PreparedStatement a = updateAndRead[0]; PreparedStatement b = updateAndRead[1]) {
        // closes all three
      }
    }
  }
}
