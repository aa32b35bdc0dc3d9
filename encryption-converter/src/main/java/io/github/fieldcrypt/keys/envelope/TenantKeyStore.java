package io.github.fieldcrypt.keys.envelope;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.DecryptionException;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.KeyDestroyedException;
import io.github.fieldcrypt.KeyTableException;
import io.github.fieldcrypt.UnknownKeyException;
import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.spi.KeyAuditListener;
import io.github.fieldcrypt.spi.KeyEvent;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The tenant data keys of envelope mode: random 256-bit data keys, one or more per tenant, wrapped
 * by a master key ({@link MasterKeys}) and kept in a table ({@code fieldcrypt_data_keys}, created
 * by the Liquibase changelog {@value #CHANGELOG}). A tenant's key is named by the tenant and a
 * small key id (1, 2, …), the id that goes into the header of each value it encrypts.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * TenantKeyStore store = TenantKeyStore.fromSettings(settings, dataSource);   // fails here, at start
 * // writing, inside the caller's transaction on its connection:
 * DataKey key = store.activeKey("acme", connection, afterCompletion);    // created on first use
 * // reading a value whose header names key id 3:
 * DataKey old = store.find("acme", 3, connection);
 * }</pre>
 *
 * <p>The calls that take a {@link Connection} work in the caller's transaction and never commit,
 * roll back or change it; the others use a connection of their own from the
 * {@link ConnectionSource} and commit their own transaction.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>A tenant's first key is created on its first write, in the caller's transaction. Concurrent
 *       first writes for one tenant (any number of connections, JVMs) end with exactly one active
 *       key: the table's primary key (tenant, key id) and a unique (tenant, active slot) refuse a
 *       second one; the insert runs inside a savepoint, and the loser reads and uses the winner's
 *       key.
 *   <li>A key created in the caller's transaction enters the shared cache only once
 *       {@link AfterCompletion} reports the commit; until then only that connection uses it. After
 *       a rollback it is forgotten, so no value is ever encrypted with a key the table does not
 *       have.
 *   <li>Unwrapped keys are cached (Caffeine, expire after write, size bound); a cache hit costs
 *       neither a query nor a master key operation.
 *   <li>Rotation ({@link #rotate}, {@link #rotateAll}, or scheduled with
 *       {@link Builder#rotateAfter}) retires the active key, which keeps decrypting.
 *   <li>{@link #destroy} (crypto-shredding) erases a tenant's wrapped keys; reading its values
 *       then raises {@link KeyDestroyedException}.
 *   <li>{@link #rewrap} (master key rotation) rewraps every data key in one transaction, after
 *       checking that every one unwraps; no value is touched, an interruption changes nothing.
 *   <li>{@link Builder#build()} checks that the master keys unwrap the existing keys: a wrong
 *       master key fails the start with a {@link ConfigurationException}, before anything is
 *       written.
 * </ul>
 *
 * <p><b>Warning:</b> the cache is per JVM. After {@link #destroy} or a rotation in one JVM, other
 * JVMs keep using the keys they have cached for up to the cache TTL
 * ({@code fieldcrypt.key-cache-ttl}, default 5 minutes).
 *
 * <p><b>Security:</b> keys leave only as {@link DataKey}s; messages, log lines and audit events
 * ({@link KeyAuditListener}, SLF4J logger {@code fieldcrypt.audit}) carry tenant, key ids and
 * fingerprints. Expected isolation level: READ COMMITTED (MariaDB's default REPEATABLE READ
 * works too). Thread-safe.
 */
public final class TenantKeyStore implements AutoCloseable {
  /** The classpath location of the Liquibase changelog that creates the table. */
  public static final String CHANGELOG = "io/github/fieldcrypt/db/fieldcrypt-data-keys.changelog.xml";
  /** The default table name. */
  public static final String DEFAULT_TABLE = "fieldcrypt_data_keys";
  /** The default cache TTL: 5 minutes. */
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(5);
  /** The default cache size: 10,000 keys. */
  public static final long DEFAULT_CACHE_SIZE = 10_000;
  /** The longest tenant id: the width of {@code tenant_id}. */
  public static final int MAX_TENANT_LENGTH = 255;

  private static final System.Logger LOG = System.getLogger("io.github.fieldcrypt");
  private static final SecureRandom RANDOM = new SecureRandom();
  /** The key id of a cache key that stands for "the tenant's active key". */
  private static final int ACTIVE = -1;
  private static final int CREATE_ATTEMPTS = 5;

  private final ConnectionSource connections;
  private final MasterKeys masterKeys;
  private final String tableName;
  private final Duration cacheTtl;
  private final long cacheSize;
  private final Duration rotateAfter;
  private final Clock clock;
  private final Audit audit;
  private final Cache<CacheKey, Entry> cache;
  /** The cache's clock ({@link CoarseTicker}), unless the builder was given a ticker; stopped by {@link #close()}. */
  private final CoarseTicker clockThread;
  /** Keys created in transactions that have not ended yet, per connection. */
  private final ConcurrentHashMap<ConnectionRef, Map<CacheKey, Entry>> pending = new ConcurrentHashMap<>();
  /**
   * Bumped after every change that makes cached entries wrong (destroy, manual rotation): a loader
   * that read the table before it drops what it put into the cache.
   */
  private final AtomicLong epoch = new AtomicLong();
  private final DataKeyTable table;

  private record CacheKey(String tenant, int keyId) {}

  /** An unwrapped key, when it was created, and the master key that wraps it. */
  private record Entry(DataKey key, Instant createdAt, int masterKeyId) {
    @Override
    public String toString() {
      return "Entry[" + key + "]";
    }
  }

  /** Identity of a connection object (pools hand out proxies whose equals may not be identity). */
  private static final class ConnectionRef {
    private final Connection connection;

    ConnectionRef(Connection connection) {
      this.connection = connection;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof ConnectionRef ref && ref.connection == connection;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(connection);
    }
  }

  /** What one operation created and changed on one connection: cached and announced on commit. */
  private final class Change {
    final Connection connection;
    final boolean autoCommit;
    final AfterCompletion afterCompletion;
    final List<Map.Entry<String, Entry>> created = new ArrayList<>();
    final List<KeyEvent> events = new ArrayList<>();
    boolean registered;

    Change(Connection connection, boolean autoCommit, AfterCompletion afterCompletion) {
      this.connection = connection;
      this.autoCommit = autoCommit;
      this.afterCompletion = afterCompletion;
    }

    /**
     * Called before a row is inserted: asks to hear about the end of the transaction. First, so that
     * a caller whose registration fails has no row and no pending key.
     */
    void beforeInsert() {
      if (!autoCommit && !registered) {
        afterCompletion.register(committed -> completed(this, Boolean.TRUE.equals(committed)));
        registered = true;
      }
    }

    /** Called after a row was inserted: until the commit, only this connection uses the key. */
    void created(String tenant, Entry entry) {
      created.add(Map.entry(tenant, entry));
      if (!autoCommit) {
        pending.computeIfAbsent(new ConnectionRef(connection), k -> new ConcurrentHashMap<>())
            .putAll(Map.of(new CacheKey(tenant, entry.key().id()), entry, new CacheKey(tenant, ACTIVE), entry));
      }
    }
  }

  private TenantKeyStore(Builder builder, DataKeyTable table) {
    this.table = table;
    this.connections = builder.connections;
    this.masterKeys = builder.masterKeys;
    this.tableName = builder.table;
    this.cacheTtl = builder.cacheTtl;
    this.cacheSize = builder.cacheSize;
    this.rotateAfter = builder.rotateAfter;
    this.clock = builder.clock;
    this.audit = new Audit(builder.listeners);
    // expire after write, not after access: the TTL bounds how long a destroyed key lives on in
    // another JVM. Maintenance runs on the calling thread (it is small: no removal listener).
    Caffeine<Object, Object> caffeine = Caffeine.newBuilder().maximumSize(cacheSize).expireAfterWrite(cacheTtl)
        .executor(Runnable::run).recordStats();
    if (builder.ticker != null) {
      caffeine.ticker(builder.ticker);
      this.clockThread = null;
    } else {
      this.clockThread = new CoarseTicker();
      caffeine.ticker(clockThread);
    }
    this.cache = caffeine.build();
  }

  /** A builder over these connections and master keys; the store takes over the master keys (closes them). */
  public static Builder builder(ConnectionSource connections, MasterKeys masterKeys) {
    return new Builder(connections, masterKeys);
  }

  /** A builder over the connections of a {@link DataSource}. */
  public static Builder builder(DataSource dataSource, MasterKeys masterKeys) {
    return new Builder(ConnectionSource.of(dataSource), masterKeys);
  }

  /**
   * The store the settings describe: master keys from the key provider
   * ({@link MasterKeys#fromSettings}), the table {@code fieldcrypt.data-key-table}, the cache
   * {@code fieldcrypt.key-cache-ttl} and {@code fieldcrypt.key-cache-size}, scheduled rotation
   * {@code fieldcrypt.rotate-after}, and the {@link KeyAuditListener}s registered in
   * {@code META-INF/services}. Checks the master keys against the table before returning.
   *
   * @throws ConfigurationException naming the setting to fix
   */
  public static TenantKeyStore fromSettings(FieldcryptSettings settings, ConnectionSource connections) {
    Objects.requireNonNull(connections, "connections");
    String table = settings.dataKeyTable();
    Duration ttl = settings.keyCacheTtl();
    long size = settings.keyCacheSize();
    Duration rotateAfter = settings.rotateAfter();
    Builder builder = builder(connections, MasterKeys.fromSettings(settings))
        .table(table).cacheTtl(ttl).cacheSize(size).rotateAfter(rotateAfter);
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    for (KeyAuditListener listener : ServiceLoader.load(KeyAuditListener.class,
        loader != null ? loader : TenantKeyStore.class.getClassLoader())) {
      builder.listener(listener);
    }
    return builder.build();
  }

  /** {@link #fromSettings(FieldcryptSettings, ConnectionSource)} over a {@link DataSource}. */
  public static TenantKeyStore fromSettings(FieldcryptSettings settings, DataSource dataSource) {
    return fromSettings(settings, ConnectionSource.of(dataSource));
  }

  // ---------------------------------------------------------------------------------------------
  // Writing and reading, in the caller's transaction

  /**
   * The key that encrypts the tenant's new values, created if the tenant has none (its first
   * write), or replaced by a new one if it is older than {@link Builder#rotateAfter}; both in the
   * caller's transaction.
   *
   * <p>A cache hit touches neither the database nor the master key. On a miss the key is read
   * (and unwrapped) on {@code tx}. A key created here is returned at once and used by this
   * connection; it enters the shared cache when {@code afterCompletion} reports the commit, and is
   * forgotten on a rollback. When {@code tx} is in auto-commit mode the key is committed at once
   * and {@code afterCompletion} is not used.
   *
   * @param tenant the tenant id: 1 to 255 characters, no control characters, no white space at
   *     either end
   * @param tx the caller's connection, in its transaction; used, never committed or rolled back.
   *     Pass the same {@code Connection} object for the whole transaction.
   * @param afterCompletion how the caller reports the end of its transaction
   * @throws KeyDestroyedException when the tenant's keys were destroyed (no new key is made)
   * @throws KeyTableException when the table cannot be read or written
   * @throws DecryptionException when the stored key does not unwrap (altered, or moved from
   *     another tenant or id)
   * @throws UnknownKeyException when the stored key is wrapped by a master key that is not loaded
   */
  public DataKey activeKey(String tenant, Connection tx, AfterCompletion afterCompletion) {
    Objects.requireNonNull(tx, "tx");
    Objects.requireNonNull(afterCompletion, "afterCompletion");
    // The tenant id is checked once a lookup misses: a cached entry's tenant was checked when it was loaded.
    CacheKey activeKey = new CacheKey(tenant, ACTIVE);
    if (!pending.isEmpty()) {
      checkTenant(tenant);
      Entry mine = pendingEntry(tx, activeKey);
      if (mine != null) {
        return mine.key();
      }
    }
    Entry cached = cache.getIfPresent(activeKey);
    if (cached != null && (!due(cached.createdAt()) || rotationPendingElsewhere(tenant, tx))) {
      return cached.key();
    }
    checkTenant(tenant);
    return activeFromTable(tenant, tx, afterCompletion);
  }

  private DataKey activeFromTable(String tenant, Connection tx, AfterCompletion afterCompletion) {
    Change change = null;
    try {
      boolean autoCommit = tx.getAutoCommit();
      change = new Change(tx, autoCommit, afterCompletion);
      return loadActive(change, tenant);
    } catch (SQLException e) {
      throw failure(e, "find or create the active key", tenant);
    } finally {
      if (change != null && change.autoCommit) {
        completed(change, true);
      }
    }
  }

  /**
   * {@link #activeKey(String, Connection, AfterCompletion)} in a transaction of its own, committed
   * before it returns: for callers without a transaction.
   */
  public DataKey activeKey(String tenant) {
    Entry cached = cache.getIfPresent(new CacheKey(tenant, ACTIVE));
    if (cached != null && (!due(cached.createdAt()) || rotationPendingElsewhere(tenant, null))) {
      return cached.key();
    }
    checkTenant(tenant);
    return inTransaction("find or create the active key", tenant, false, (c, hooks) -> activeFromTable(tenant, c, hooks));
  }

  /**
   * The tenant's key with this id (the id in a value's header), for decryption: active, retired
   * or created in this connection's open transaction.
   *
   * @param c the caller's connection (its transaction, if any, is used and left alone)
   * @throws UnknownKeyException when the tenant has no key with this id
   * @throws KeyDestroyedException when the key was destroyed (crypto-shredding)
   * @throws DecryptionException when the stored key does not unwrap (altered, or moved from
   *     another tenant or id)
   * @throws KeyTableException when the table cannot be read
   */
  public DataKey find(String tenant, int keyId, Connection c) {
    Objects.requireNonNull(c, "c");
    Entry cached = cache.getIfPresent(new CacheKey(tenant, keyId));
    if (cached != null) {
      return cached.key();
    }
    checkTenant(tenant);
    return findInTable(tenant, keyId, c);
  }

  private DataKey findInTable(String tenant, int keyId, Connection c) {
    CacheKey key = new CacheKey(tenant, keyId);
    if (!pending.isEmpty()) {
      Entry mine = pendingEntry(c, key);
      if (mine != null) {
        return mine.key();
      }
    }
    long before = epoch.get();
    DataKeyTable.Row row;
    try {
      row = keyId < 0 ? null : table.byId(c, tenant, keyId);
    } catch (SQLException e) {
      throw failure(e, "read key " + keyId, tenant);
    }
    if (row == null) {
      throw new UnknownKeyException("Tenant '" + tenant + "' has no data key " + keyId + " in the data key table " + tableName
          + " (was the row deleted, or the value copied from another tenant?)", null, keyId);
    }
    if (row.state() == KeyState.DESTROYED) {
      throw new KeyDestroyedException(tenant, keyId);
    }
    Entry entry = unwrap(row);
    cacheLoaded(c, row, entry, before, false);
    return entry.key();
  }

  /** {@link #find(String, int, Connection)} on a connection of its own. */
  public DataKey find(String tenant, int keyId) {
    Entry cached = cache.getIfPresent(new CacheKey(tenant, keyId));
    if (cached != null) {
      return cached.key();
    }
    checkTenant(tenant);
    return withConnection("read key " + keyId, tenant, c -> findInTable(tenant, keyId, c));
  }

  // ---------------------------------------------------------------------------------------------
  // Key management, each in a transaction of its own

  /**
   * Makes a new active key for the tenant (its first, if it has none); the previous one is
   * retired and keeps decrypting. New writes in this JVM use the new key at once; other JVMs
   * when their cached entry expires.
   *
   * @return the new active key
   * @throws KeyDestroyedException when the tenant's keys were destroyed
   */
  public DataKey rotate(String tenant) {
    checkTenant(tenant);
    DataKey key = inTransaction("rotate the key", tenant, true, (c, hooks) -> {
      Change change = new Change(c, false, hooks);
      DataKeyTable.Row current = table.active(c, tenant, false);
      return current == null ? createFirst(change, tenant) : rotate(change, tenant, current);
    });
    return key;
  }

  /**
   * Makes a new active key for every tenant that has one, in one transaction (all or none).
   *
   * @return how many tenants got a new key
   */
  public int rotateAll() {
    return inTransaction("rotate every tenant's key", null, true, (c, hooks) -> {
      Change change = new Change(c, false, hooks);
      List<DataKeyTable.Row> actives = table.activeRowsForUpdate(c);
      for (DataKeyTable.Row row : actives) {
        rotate(change, row.tenant(), row);
      }
      return actives.size();
    });
  }

  /**
   * Crypto-shredding: destroys every data key of the tenant. The wrapped keys are erased from the
   * table (the rows stay, marked destroyed, so that reads fail with {@link KeyDestroyedException}
   * rather than {@link UnknownKeyException}) and the keys leave this JVM's cache. No new key is
   * made for this tenant afterwards.
   *
   * <p><b>Warning:</b> other JVMs keep their cached copies until the cache TTL has passed; a
   * backup of the table taken before still holds the wrapped keys, which the master key can
   * unwrap: rotate the master key ({@link #rewrap}) and discard the old one to make those useless.
   *
   * @return how many keys were destroyed (0 when the tenant had none, or they were destroyed before)
   */
  public int destroy(String tenant) {
    checkTenant(tenant);
    List<KeyEvent> events = new ArrayList<>();
    int destroyed = inTransaction("destroy the keys", tenant, false, (c, hooks) -> {
      List<DataKeyTable.Row> rows = table.tenantRows(c, tenant, true);
      int n = table.destroy(c, tenant);
      Instant now = now();
      for (DataKeyTable.Row row : rows) {
        if (row.state() != KeyState.DESTROYED) {
          events.add(new KeyEvent(KeyEvent.Type.KEY_DESTROYED, now, tenant, row.keyId(), row.fingerprint(), null, null, null));
        }
      }
      return n;
    });
    destroyCached(tenant);
    audit.emitAll(events);
    return destroyed;
  }

  /**
   * Master key rotation: rewraps every data key that is not destroyed under the master key
   * {@code newMasterKeyId} (which must be loaded, normally as the active one), in one transaction
   * on a connection of its own. First every key is unwrapped with its current master key; if one
   * fails nothing is written. No encrypted value changes: the data keys stay the same.
   *
   * <p>Keys created by other transactions while this runs are wrapped by whatever master key is
   * active there; {@link #masterKeyUsage()} tells when no key uses the old master key any more.
   *
   * @return how many keys were rewrapped (keys already under that master key are left alone)
   * @throws ConfigurationException when {@code newMasterKeyId} is not loaded
   * @throws DecryptionException or {@link UnknownKeyException} when a key does not unwrap (nothing
   *     changed)
   */
  public int rewrap(int newMasterKeyId) {
    MasterKey target = masterKeys.find(newMasterKeyId);
    if (target == null) {
      throw new ConfigurationException(masterKeys.setting(), "Cannot rewrap under master key id " + newMasterKeyId
          + ": it is not among the master keys " + masterKeys.ids() + " of " + masterKeys.setting());
    }
    List<KeyEvent> events = new ArrayList<>();
    int rewrapped = inTransaction("rewrap the keys", null, false, (c, hooks) -> {
      List<DataKeyTable.Row> rows = table.liveRowsForUpdate(c);
      List<DataKey> keys = new ArrayList<>(rows.size());
      for (DataKeyTable.Row row : rows) {
        keys.add(unwrap(row).key());
      }
      Instant now = now();
      int n = 0;
      for (int i = 0; i < rows.size(); i++) {
        DataKeyTable.Row row = rows.get(i);
        if (row.masterKeyId() == newMasterKeyId) {
          continue;
        }
        DataKey key = keys.get(i);
        byte[] aad = associatedData(row.tenant(), row.keyId());
        byte[] wrapped;
        try {
          wrapped = target.wrap(key, aad);
          if (!target.unwrap(row.keyId(), wrapped, aad).fingerprint().equals(key.fingerprint())) {
            throw new GeneralSecurityException("rewrapped key does not unwrap to the same key");
          }
        } catch (GeneralSecurityException e) {
          throw new FieldcryptException("Cannot rewrap data key " + row.keyId() + " of tenant '" + row.tenant()
              + "' under master key id " + newMasterKeyId + " (" + e.getClass().getSimpleName() + "); nothing was changed");
        }
        if (table.rewrap(c, row.tenant(), row.keyId(), row.masterKeyId(), newMasterKeyId, wrapped) != 1) {
          throw new KeyTableException("Data key " + row.keyId() + " of tenant '" + row.tenant() + "' changed during the rewrap;"
              + " nothing was changed, run it again", null, 0);
        }
        events.add(new KeyEvent(KeyEvent.Type.KEY_REWRAPPED, now, row.tenant(), row.keyId(), row.fingerprint(), newMasterKeyId,
            null, row.masterKeyId()));
        n++;
      }
      return n;
    });
    audit.emitAll(events);
    LOG.log(System.Logger.Level.INFO, "fieldcrypt: {0} data keys in {1} rewrapped under master key id {2}", String.valueOf(rewrapped),
        tableName, String.valueOf(newMasterKeyId));
    return rewrapped;
  }

  /** How many keys (not destroyed) each master key id wraps: when an old one wraps none, it can go. */
  public Map<Integer, Long> masterKeyUsage() {
    return withConnection("count keys per master key", null, table::masterKeyUsage);
  }

  /** The tenant's keys as the table has them (no key material), by key id. */
  public List<TenantKeyInfo> keys(String tenant) {
    checkTenant(tenant);
    return withConnection("list the keys", tenant, c -> table.tenantRows(c, tenant, false).stream().map(DataKeyTable.Row::info).toList());
  }

  /** The cache's counters since the store was built. */
  public KeyCacheStats cacheStats() {
    CacheStats stats = cache.stats();
    return new KeyCacheStats(stats.hitCount(), stats.missCount(), stats.evictionCount(), cache.estimatedSize());
  }

  /** The master keys this store uses. */
  public MasterKeys masterKeys() {
    return masterKeys;
  }

  /** The data key table. */
  public String table() {
    return tableName;
  }

  /** Empties the cache, stops its clock thread and releases the master keys (the PKCS#11 token's PIN is wiped). */
  @Override
  public void close() {
    cache.invalidateAll();
    pending.clear();
    masterKeys.close();
    if (clockThread != null) {
      clockThread.close();
    }
  }

  @Override
  public String toString() {
    return "TenantKeyStore[table=" + tableName + ", " + masterKeys + ", cache ttl=" + cacheTtl + " size=" + cacheSize
        + ", rotate after " + (rotateAfter == null ? "never" : rotateAfter.toString()) + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // Inside

  private DataKey loadActive(Change change, String tenant) throws SQLException {
    Connection c = change.connection;
    long before = epoch.get();
    DataKeyTable.Row row = table.active(c, tenant, false);
    if (row != null && !due(row.createdAt())) {
      Entry entry = unwrapOrCached(row);
      cacheLoaded(c, row, entry, before, true);
      return entry.key();
    }
    return row == null ? createFirst(change, tenant) : rotate(change, tenant, row);
  }

  /**
   * Retires {@code current} and makes a new active key, both inside one savepoint; if another
   * transaction rotated first, uses its key.
   */
  private DataKey rotate(Change change, String tenant, DataKeyTable.Row current) throws SQLException {
    Connection c = change.connection;
    long before = epoch.get();
    Prepared fresh = prepare(tenant, Math.max(table.state(c, tenant).maxKeyId(), current.keyId()) + 1);
    change.beforeInsert();
    Savepoint savepoint = change.autoCommit ? null : c.setSavepoint();
    boolean rotated = false;
    try {
      if (table.retire(c, tenant, current.keyId()) == 1) {
        rotated = insertRow(c, fresh);
      }
    } catch (SQLException | RuntimeException e) {
      rollbackTo(c, savepoint);
      throw e;
    }
    if (!rotated) {
      // Another transaction rotated or destroyed it first (our UPDATE waited for its commit).
      rollbackTo(c, savepoint);
      DataKeyTable.Row now = table.active(c, tenant, true);
      LOG.log(System.Logger.Level.DEBUG, "fieldcrypt: a concurrent transaction rotated key {0} of tenant ''{1}'' first; {2}",
          String.valueOf(current.keyId()), tenant, now == null ? "none is active now" : "using its key " + now.keyId());
      if (now == null) {
        return createFirst(change, tenant);
      }
      Entry entry = unwrapOrCached(now);
      cacheLoaded(c, now, entry, before, true);
      return entry.key();
    }
    if (savepoint != null) {
      c.releaseSavepoint(savepoint);
    }
    Entry entry = fresh.entry();
    change.created(tenant, entry);
    change.events.add(new KeyEvent(KeyEvent.Type.KEY_ROTATED, entry.createdAt(), tenant, entry.key().id(), entry.key().fingerprint(),
        entry.masterKeyId(), current.keyId(), null));
    change.events.add(new KeyEvent(KeyEvent.Type.KEY_RETIRED, entry.createdAt(), tenant, current.keyId(), current.fingerprint(),
        current.masterKeyId(), null, null));
    return entry.key();
  }

  /** Creates the tenant's first key (or a new one after all were retired), or uses a concurrent winner's. */
  private DataKey createFirst(Change change, String tenant) throws SQLException {
    Connection c = change.connection;
    for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
      long before = epoch.get();
      DataKeyTable.TenantState state = table.state(c, tenant);
      if (state.destroyed() > 0) {
        throw new KeyDestroyedException("The data keys of tenant '" + tenant + "' were destroyed (crypto-shredding);"
            + " no new key is made for it", null, tenant, state.maxKeyId());
      }
      Prepared fresh = prepare(tenant, state.maxKeyId() + 1);
      change.beforeInsert();
      Savepoint savepoint = change.autoCommit ? null : c.setSavepoint();
      boolean inserted;
      try {
        inserted = insertRow(c, fresh);
      } catch (SQLException | RuntimeException e) {
        rollbackTo(c, savepoint);
        throw e;
      }
      if (inserted) {
        if (savepoint != null) {
          c.releaseSavepoint(savepoint);
        }
        Entry entry = fresh.entry();
        change.created(tenant, entry);
        change.events.add(new KeyEvent(KeyEvent.Type.KEY_CREATED, entry.createdAt(), tenant, entry.key().id(),
            entry.key().fingerprint(), entry.masterKeyId(), null, null));
        return entry.key();
      }
      // Another transaction created it: its row is committed now (our insert waited for it).
      rollbackTo(c, savepoint);
      DataKeyTable.Row winner = table.active(c, tenant, true);
      LOG.log(System.Logger.Level.DEBUG, "fieldcrypt: a concurrent transaction created key {0} of tenant ''{1}'' first; {2}",
          String.valueOf(state.maxKeyId() + 1), tenant, winner == null ? "retrying" : "using its key " + winner.keyId());
      if (winner != null) {
        Entry entry = unwrapOrCached(winner);
        cacheLoaded(c, winner, entry, before, true);
        return entry.key();
      }
    }
    throw new KeyTableException("Cannot create the first key of tenant '" + tenant + "' in " + tableName
        + ": concurrent transactions keep creating it, and this transaction cannot see their keys (REPEATABLE READ or"
        + " SERIALIZABLE on PostgreSQL?); retry the transaction", "40001", 0);
  }

  /** A new random data key, wrapped by the active master key, not yet in the table. */
  private record Prepared(String tenant, Entry entry, byte[] wrapped) {}

  private Prepared prepare(String tenant, int keyId) {
    byte[] bytes = new byte[DataKey.LENGTH];
    RANDOM.nextBytes(bytes);
    DataKey key;
    try {
      key = DataKey.of(keyId, bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    MasterKey master = masterKeys.active();
    try {
      byte[] wrapped = master.wrap(key, associatedData(tenant, keyId));
      return new Prepared(tenant, new Entry(key, now(), master.id()), wrapped);
    } catch (GeneralSecurityException e) {
      throw new FieldcryptException("Cannot wrap a new data key for tenant '" + tenant + "' with master key id " + master.id()
          + ": the master key refused (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Inserts a prepared key as the tenant's active key.
   *
   * @return {@code false} when another transaction has that key id or an active key (on
   *     PostgreSQL the transaction must then go back to a savepoint)
   */
  private boolean insertRow(Connection c, Prepared p) throws SQLException {
    Entry e = p.entry();
    try {
      table.insertActive(c, p.tenant(), e.key().id(), e.masterKeyId(), p.wrapped(), e.key().fingerprint(), e.createdAt());
      return true;
    } catch (SQLException failure) {
      if (isDuplicate(failure)) {
        return false;
      }
      throw failure;
    }
  }

  private static void rollbackTo(Connection c, Savepoint savepoint) throws SQLException {
    if (savepoint != null) {
      c.rollback(savepoint);
    }
  }

  /** The end of the transaction of a change: pending keys leave; on commit they are cached and announced. */
  private void completed(Change change, boolean committed) {
    if (!change.autoCommit) {
      pending.computeIfPresent(new ConnectionRef(change.connection), (ref, entries) -> {
        for (Map.Entry<String, Entry> created : change.created) {
          entries.remove(new CacheKey(created.getKey(), created.getValue().key().id()), created.getValue());
          entries.remove(new CacheKey(created.getKey(), ACTIVE), created.getValue());
        }
        return entries.isEmpty() ? null : entries;
      });
    }
    if (!committed) {
      if (!change.created.isEmpty()) {
        LOG.log(System.Logger.Level.DEBUG, "fieldcrypt: transaction rolled back, {0} new data key(s) discarded", change.created.size());
      }
      return;
    }
    long before = epoch.get();
    for (Map.Entry<String, Entry> created : change.created) {
      cache.put(new CacheKey(created.getKey(), created.getValue().key().id()), created.getValue());
      cache.put(new CacheKey(created.getKey(), ACTIVE), created.getValue());
    }
    if (epoch.get() != before) {
      for (Map.Entry<String, Entry> created : change.created) {
        cache.invalidate(new CacheKey(created.getKey(), created.getValue().key().id()));
        cache.invalidate(new CacheKey(created.getKey(), ACTIVE));
      }
    }
    audit.emitAll(change.events);
  }

  /**
   * Caches a row read on {@code c}, unless {@code c} created it in its open transaction, or the
   * epoch moved since the read (a destroy or rotation committed in between).
   */
  private void cacheLoaded(Connection c, DataKeyTable.Row row, Entry entry, long epochBeforeRead, boolean asActive) {
    if (!pending.isEmpty() && pendingEntry(c, new CacheKey(row.tenant(), row.keyId())) != null) {
      return;
    }
    CacheKey byId = new CacheKey(row.tenant(), row.keyId());
    CacheKey active = new CacheKey(row.tenant(), ACTIVE);
    cache.put(byId, entry);
    if (asActive && row.state() == KeyState.ACTIVE) {
      cache.put(active, entry);
    }
    if (epoch.get() != epochBeforeRead) {
      cache.invalidate(byId);
      cache.invalidate(active);
    }
  }

  private Entry pendingEntry(Connection c, CacheKey key) {
    Map<CacheKey, Entry> entries = pending.get(new ConnectionRef(c));
    return entries == null ? null : entries.get(key);
  }

  /** Whether another connection of this JVM has a new active key for the tenant in its open transaction. */
  private boolean rotationPendingElsewhere(String tenant, Connection c) {
    if (pending.isEmpty()) {
      return false;
    }
    CacheKey active = new CacheKey(tenant, ACTIVE);
    for (Map.Entry<ConnectionRef, Map<CacheKey, Entry>> e : pending.entrySet()) {
      if (e.getKey().connection != c && e.getValue().containsKey(active)) {
        return true;
      }
    }
    return false;
  }

  private void evictTenant(String tenant) {
    epoch.incrementAndGet();
    cache.asMap().keySet().removeIf(k -> k.tenant().equals(tenant));
  }

  /** Evicts a tenant whose keys were destroyed, and drops the ciphers set up for them. */
  private void destroyCached(String tenant) {
    List<DataKey> keys = new ArrayList<>();
    cache.asMap().forEach((k, entry) -> {
      if (k.tenant().equals(tenant)) {
        keys.add(entry.key());
      }
    });
    evictTenant(tenant);
    keys.forEach(DataKey::releaseCiphers);
  }

  /** The key of a row, from the cache when it is there (no stats), else unwrapped. */
  private Entry unwrapOrCached(DataKeyTable.Row row) {
    Entry cached = cache.asMap().get(new CacheKey(row.tenant(), row.keyId()));
    if (cached != null && cached.key().fingerprint().equals(row.fingerprint())) {
      return cached;
    }
    return unwrap(row);
  }

  /** Unwraps a row's key with its master key and checks its fingerprint. */
  private Entry unwrap(DataKeyTable.Row row) {
    if (row.state() == KeyState.DESTROYED) {
      throw new KeyDestroyedException(row.tenant(), row.keyId());
    }
    MasterKey master = masterKeys.find(row.masterKeyId());
    if (master == null) {
      throw new UnknownKeyException("Data key " + row.keyId() + " of tenant '" + row.tenant() + "' is wrapped by master key id "
          + row.masterKeyId() + ", which is not among the loaded master keys " + masterKeys.ids() + " (" + masterKeys.setting()
          + "); add it", tableName + ".wrapped_key", row.keyId());
    }
    DataKey key;
    try {
      key = master.unwrap(row.keyId(), row.wrapped(), associatedData(row.tenant(), row.keyId()));
    } catch (GeneralSecurityException e) {
      throw notUnwrapped(row);
    }
    if (!key.fingerprint().equals(row.fingerprint())) {
      throw notUnwrapped(row);
    }
    audit.emit(new KeyEvent(KeyEvent.Type.KEY_UNWRAPPED, now(), row.tenant(), row.keyId(), row.fingerprint(), master.id(), null, null));
    return new Entry(key, row.createdAt(), master.id());
  }

  private DecryptionException notUnwrapped(DataKeyTable.Row row) {
    return new DecryptionException(DecryptionException.Reason.AUTHENTICATION_FAILED, "Data key " + row.keyId() + " of tenant '"
        + row.tenant() + "' in " + tableName + " does not unwrap with master key id " + row.masterKeyId()
        + ": the row was altered or copied from another tenant or key id, or that master key is not the one that wrapped it",
        tableName + ".wrapped_key", row.keyId());
  }

  /** {@code "fieldcrypt-data-key-v1|tenant=<tenant>|id=<key id>"}: binds a wrapped key to its row. */
  static byte[] associatedData(String tenant, int keyId) {
    return ("fieldcrypt-data-key-v1|tenant=" + tenant + "|id=" + keyId).getBytes(StandardCharsets.UTF_8);
  }

  private boolean due(Instant createdAt) {
    return rotateAfter != null && !createdAt.plus(rotateAfter).isAfter(clock.instant());
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }

  private static boolean isDuplicate(SQLException e) {
    for (SQLException s = e; s != null; s = s.getNextException()) {
      if (s.getSQLState() != null && s.getSQLState().startsWith("23")) {
        return true;
      }
    }
    return false;
  }

  static void checkTenant(String tenant) {
    if (tenant == null || tenant.isEmpty()) {
      throw new IllegalArgumentException("A tenant id is required (got " + (tenant == null ? "null" : "an empty string") + ")");
    }
    if (tenant.length() > MAX_TENANT_LENGTH) {
      throw new IllegalArgumentException("Tenant ids are at most " + MAX_TENANT_LENGTH + " characters; this one has " + tenant.length());
    }
    if (!tenant.strip().equals(tenant) || hasControlCharacter(tenant)) {
      throw new IllegalArgumentException("Tenant ids must not begin or end with white space nor contain control characters");
    }
  }

  /** {@code s.chars().anyMatch(Character::isISOControl)} without a stream: this runs on every key lookup. */
  private static boolean hasControlCharacter(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private KeyTableException failure(SQLException e, String operation, String tenant) {
    return new KeyTableException("Cannot " + operation + (tenant == null ? "" : " of tenant '" + tenant + "'") + " in the data key table "
        + tableName + ": SQLState " + e.getSQLState() + ", error code " + e.getErrorCode() + " (" + e.getClass().getSimpleName() + ")",
        e.getSQLState(), e.getErrorCode());
  }

  @FunctionalInterface
  private interface InTransaction<T> {
    T run(Connection c, AfterCompletion hooks) throws SQLException;
  }

  @FunctionalInterface
  private interface OnConnection<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in a transaction of its own and commits; the hooks it registers run after
   * the commit (or the rollback, when anything failed). {@code changesActive}: the work changed
   * active keys, so cached active keys (of {@code tenant}, or all) are dropped after the commit.
   */
  private <T> T inTransaction(String operation, String tenant, boolean changesActive, InTransaction<T> work) {
    List<Consumer<Boolean>> callbacks = new ArrayList<>();
    Connection c;
    try {
      c = connections.open();
    } catch (SQLException e) {
      throw failure(e, operation, tenant);
    }
    boolean committed = false;
    try {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        T result = work.run(c, callbacks::add);
        c.commit();
        committed = true;
        return result;
      } finally {
        if (!committed) {
          rollbackQuietly(c);
        }
        restoreQuietly(c, autoCommit);
      }
    } catch (SQLException e) {
      throw failure(e, operation, tenant);
    } finally {
      try {
        connections.release(c);
      } catch (SQLException ignored) {
        // the work is done (or failed for another reason); a failed close is the pool's business
      }
      if (committed && changesActive) {
        epoch.incrementAndGet();
        if (tenant != null) {
          cache.invalidate(new CacheKey(tenant, ACTIVE));
        } else {
          cache.asMap().keySet().removeIf(k -> k.keyId() == ACTIVE);
        }
      }
      for (Consumer<Boolean> callback : callbacks) {
        callback.accept(committed);
      }
    }
  }

  private <T> T withConnection(String operation, String tenant, OnConnection<T> work) {
    Connection c;
    try {
      c = connections.open();
    } catch (SQLException e) {
      throw failure(e, operation, tenant);
    }
    try {
      return work.run(c);
    } catch (SQLException e) {
      throw failure(e, operation, tenant);
    } finally {
      try {
        connections.release(c);
      } catch (SQLException ignored) {
        // a failed close is the pool's business
      }
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the original failure is what the caller needs to see
    }
  }

  private static void restoreQuietly(Connection c, boolean autoCommit) {
    try {
      c.setAutoCommit(autoCommit);
    } catch (SQLException ignored) {
      // the connection is released next; a pool resets it
    }
  }

  /**
   * The start-up check: the table answers, and every master key id that wraps a key is loaded
   * and unwraps one of its keys. Nothing is written.
   */
  private void verifyAtStart() {
    Connection c;
    try {
      c = connections.open();
    } catch (SQLException e) {
      throw new ConfigurationException(FieldcryptSettings.DATA_KEY_TABLE, "Cannot connect to check the data key table " + tableName
          + ": SQLState " + e.getSQLState() + " (" + e.getClass().getSimpleName() + ")");
    }
    try {
      Map<Integer, Long> usage;
      try {
        usage = table.masterKeyUsage(c);
      } catch (SQLException e) {
        throw new ConfigurationException(FieldcryptSettings.DATA_KEY_TABLE, "Cannot read the data key table " + tableName + " ("
            + FieldcryptSettings.DATA_KEY_TABLE + "): SQLState " + e.getSQLState() + ", error code " + e.getErrorCode()
            + ". Create it with the Liquibase changelog " + CHANGELOG + " (include it in your changelog), or set "
            + FieldcryptSettings.DATA_KEY_TABLE + " to the table that exists");
      }
      for (Map.Entry<Integer, Long> use : usage.entrySet()) {
        int masterId = use.getKey();
        if (masterKeys.find(masterId) == null) {
          throw new ConfigurationException(masterKeys.setting(), use.getValue() + " data key(s) in " + tableName
              + " are wrapped by master key id " + masterId + ", which " + masterKeys.setting() + " does not provide (it has "
              + masterKeys.ids() + "): add that master key; nothing was written");
        }
        DataKeyTable.Row sample;
        try {
          sample = table.sampleOf(c, masterId);
        } catch (SQLException e) {
          throw failure(e, "read a key of master key id " + masterId, null);
        }
        if (sample == null) {
          continue; // destroyed meanwhile
        }
        try {
          unwrap(sample);
        } catch (DecryptionException e) {
          throw new ConfigurationException(masterKeys.setting(), "The master key id " + masterId + " from " + masterKeys.setting()
              + " does not unwrap data key " + sample.keyId() + " of tenant '" + sample.tenant() + "' in " + tableName
              + ": it is not the master key these data keys were wrapped with (a wrong key under that id?). Check "
              + masterKeys.setting() + "; nothing was written");
        }
      }
      long keys = usage.values().stream().mapToLong(Long::longValue).sum();
      LOG.log(System.Logger.Level.INFO, "fieldcrypt: tenant keys in {0}: {1} data key(s), master keys {2} (active {3}, from {4}),"
          + " cache {5} / {6} keys, rotate after {7}", tableName, String.valueOf(keys), masterKeys.ids(),
          String.valueOf(masterKeys.activeId()), masterKeys.setting(), cacheTtl, String.valueOf(cacheSize),
          rotateAfter == null ? "never" : rotateAfter);
    } finally {
      try {
        connections.release(c);
      } catch (SQLException ignored) {
        // nothing was written
      }
    }
  }

  /** Builds a {@link TenantKeyStore}; {@link #build()} validates and runs the start-up check. */
  public static final class Builder {
    private final ConnectionSource connections;
    private final MasterKeys masterKeys;
    private final List<KeyAuditListener> listeners = new ArrayList<>();
    private String table = DEFAULT_TABLE;
    private Duration cacheTtl = DEFAULT_CACHE_TTL;
    private long cacheSize = DEFAULT_CACHE_SIZE;
    private Duration rotateAfter;
    private Ticker ticker;
    private Clock clock = Clock.systemUTC();

    private Builder(ConnectionSource connections, MasterKeys masterKeys) {
      this.connections = Objects.requireNonNull(connections, "connections");
      this.masterKeys = Objects.requireNonNull(masterKeys, "masterKeys");
    }

    /** The data key table, {@code [schema.]table}. Default {@value TenantKeyStore#DEFAULT_TABLE}. */
    public Builder table(String table) {
      Objects.requireNonNull(table, "table");
      if (!table.matches("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?")) {
        throw new IllegalArgumentException("Invalid data key table name: expected letters, digits and _, optionally schema.table");
      }
      this.table = table;
      return this;
    }

    /** How long an unwrapped key stays cached after it was loaded; zero disables the cache. Default 5 minutes. */
    public Builder cacheTtl(Duration ttl) {
      if (ttl == null || ttl.isNegative()) {
        throw new IllegalArgumentException("The key cache TTL must be zero or more, was " + ttl);
      }
      this.cacheTtl = ttl;
      return this;
    }

    /** How many unwrapped keys are cached at most; zero disables the cache. Default 10,000. */
    public Builder cacheSize(long size) {
      if (size < 0) {
        throw new IllegalArgumentException("The key cache size must be zero or more, was " + size);
      }
      this.cacheSize = size;
      return this;
    }

    /**
     * Scheduled rotation: an active key older than this is replaced by a new one at the next write
     * that asks for it, in that write's transaction. {@code null} (the default): never.
     */
    public Builder rotateAfter(Duration after) {
      if (after != null && (after.isNegative() || after.isZero())) {
        throw new IllegalArgumentException("rotateAfter must be longer than zero, was " + after);
      }
      this.rotateAfter = after;
      return this;
    }

    /** The cache's time source (tests: a fake ticker to expire entries without waiting). */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** The clock for creation times and scheduled rotation. Default: the system clock, UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Adds a receiver of the audit events (besides the SLF4J logger {@code fieldcrypt.audit}). */
    public Builder listener(KeyAuditListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Builds the store and checks the master keys against the table: every master key id that
     * wraps a key must be loaded and unwrap one of them.
     *
     * @throws ConfigurationException when the table cannot be read or a master key is missing or
     *     wrong; nothing was written, and the master keys are closed
     */
    public TenantKeyStore build() {
      TenantKeyStore store = null;
      try {
        store = new TenantKeyStore(this, new DataKeyTable(table, shareLock()));
        store.verifyAtStart();
        return store;
      } catch (RuntimeException e) {
        if (store != null) {
          store.close(); // also stops its clock thread
        } else {
          masterKeys.close();
        }
        throw e;
      }
    }

    private String shareLock() {
      try {
        Connection c = connections.open();
        try {
          return DataKeyTable.shareLockFor(c);
        } finally {
          connections.release(c);
        }
      } catch (SQLException e) {
        throw new ConfigurationException(FieldcryptSettings.DATA_KEY_TABLE, "Cannot connect to check the data key table " + table
            + ": SQLState " + e.getSQLState() + " (" + e.getClass().getSimpleName() + ")");
      }
    }
  }
}
