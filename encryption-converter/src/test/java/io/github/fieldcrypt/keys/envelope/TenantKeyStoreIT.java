package io.github.fieldcrypt.keys.envelope;

import static io.github.fieldcrypt.keys.envelope.Support.decrypt;
import static io.github.fieldcrypt.keys.envelope.Support.encrypt;
import static io.github.fieldcrypt.keys.envelope.Support.noDatabase;
import static io.github.fieldcrypt.keys.envelope.Support.ring;
import static io.github.fieldcrypt.testing.Failures.fieldcryptFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.DecryptionException;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.KeyDestroyedException;
import io.github.fieldcrypt.KeyTableException;
import io.github.fieldcrypt.UnknownKeyException;
import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.keys.KeyRing;
import io.github.fieldcrypt.spi.KeyEvent;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link TenantKeyStore} on H2, PostgreSQL and MariaDB, with a table made by the shipped changelog. */
class TenantKeyStoreIT {
  private static final int THREADS = 12;

  // -----------------------------------------------------------------------------------------------
  // First key, concurrency, and the cache hazard of a rolled-back creation

  @OnEachDatabase
  void concurrent_first_writes_for_one_tenant_end_with_exactly_one_key(TestDatabase db) throws Exception {
    Support.Recorder events = new Support.Recorder();
    try (KeyTable table = KeyTable.create(db);
        TenantKeyStore a = table.store(ring(1)).listener(events).build();
        TenantKeyStore b = table.store(ring(1)).listener(events).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        for (int round = 0; round < 4; round++) {
          String tenant = "race-" + round;
          CyclicBarrier start = new CyclicBarrier(THREADS);
          List<Future<DataKey>> results = new ArrayList<>();
          for (int t = 0; t < THREADS; t++) {
            // two stores stand for two JVMs; within each, threads share one store
            TenantKeyStore store = t % 2 == 0 ? a : b;
            results.add(pool.submit(() -> {
              try (Tx tx = Tx.begin(table)) {
                start.await(30, TimeUnit.SECONDS);
                DataKey key = store.activeKey(tenant, tx.connection, tx);
                tx.commit();
                return key;
              }
            }));
          }
          Set<String> fingerprints = new HashSet<>();
          for (Future<DataKey> result : results) {
            DataKey key = result.get(60, TimeUnit.SECONDS);
            assertThat(key.id()).isEqualTo(1);
            fingerprints.add(key.fingerprint());
          }
          assertThat(fingerprints).as("every writer uses the same key").hasSize(1);
          assertThat(table.count("tenant_id = ?", tenant)).isEqualTo(1);
          assertThat(table.count("tenant_id = ? AND state = 'active' AND active_slot = 1", tenant)).isEqualTo(1);
          try (TenantKeyStore restarted = table.store(ring(1)).build()) {
            assertThat(restarted.find(tenant, 1).fingerprint()).isEqualTo(fingerprints.iterator().next());
          }
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(events.of(KeyEvent.Type.KEY_CREATED)).as("one creation per tenant is announced").hasSize(4);
    }
  }

  @OnEachDatabase
  void concurrent_scheduled_rotations_end_with_exactly_one_new_key(TestDatabase db) throws Exception {
    Support.FakeClock clock = new Support.FakeClock();
    try (KeyTable table = KeyTable.create(db);
        TenantKeyStore a = table.store(ring(1)).clock(clock).rotateAfter(Duration.ofDays(30)).build();
        TenantKeyStore b = table.store(ring(1)).clock(clock).rotateAfter(Duration.ofDays(30)).build()) {
      DataKey first = a.activeKey("acme");
      assertThat(b.activeKey("acme").fingerprint()).isEqualTo(first.fingerprint());
      clock.advance(Duration.ofDays(31));
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<DataKey>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          TenantKeyStore store = t % 2 == 0 ? a : b;
          results.add(pool.submit(() -> {
            try (Tx tx = Tx.begin(table)) {
              start.await(30, TimeUnit.SECONDS);
              DataKey key = store.activeKey("acme", tx.connection, tx);
              tx.commit();
              return key;
            }
          }));
        }
        Set<Integer> ids = new HashSet<>();
        for (Future<DataKey> result : results) {
          ids.add(result.get(60, TimeUnit.SECONDS).id());
        }
        // A writer may still use the old key while another's rotation is in flight (it stays valid);
        // the table ends with one new active key and the old one retired.
        assertThat(ids).isSubsetOf(1, 2).contains(2);
      } finally {
        pool.shutdownNow();
      }
      assertThat(table.count("tenant_id = 'acme'")).isEqualTo(2);
      assertThat(table.count("tenant_id = 'acme' AND key_id = 1 AND state = 'retired' AND active_slot IS NULL")).isEqualTo(1);
      assertThat(table.count("tenant_id = 'acme' AND key_id = 2 AND state = 'active' AND active_slot = 1")).isEqualTo(1);
      assertThat(a.activeKey("acme").id()).isEqualTo(2);
      assertThat(b.activeKey("acme").id()).isEqualTo(2);
      assertThat(a.find("acme", 1).fingerprint()).as("the old key stays for reading").isEqualTo(first.fingerprint());
    }
  }

  @OnEachDatabase
  void a_key_created_in_a_rolled_back_transaction_never_encrypts_again(TestDatabase db) throws Exception {
    Support.FakeTicker ticker = new Support.FakeTicker();
    Support.Recorder events = new Support.Recorder();
    try (KeyTable table = KeyTable.create(db);
        TenantKeyStore store = table.store(ring(1)).ticker(ticker).listener(events).build()) {
      DataKey doomed;
      try (Tx tx = Tx.begin(table); Connection other = table.connect()) {
        doomed = store.activeKey("acme", tx.connection, tx);
        assertThat(tx.registered()).as("the store asked to hear about the commit").isEqualTo(1);
        // inside its transaction, the connection that made it keeps using it, without queries
        assertThat(store.activeKey("acme", tx.connection, tx)).isSameAs(doomed);
        assertThat(store.find("acme", doomed.id(), tx.connection)).isSameAs(doomed);
        // but it is not shared: not in the cache, and other transactions cannot see it
        assertThat(store.cacheStats().size()).isZero();
        FieldcryptException unseen = fieldcryptFailure(() -> store.find("acme", doomed.id(), other));
        assertThat(unseen).isInstanceOf(UnknownKeyException.class);
        tx.rollback();
      }
      assertThat(table.count("tenant_id = 'acme'")).isZero();
      assertThat(events.of(KeyEvent.Type.KEY_CREATED)).as("a rolled-back creation is not announced").isEmpty();

      DataKey kept;
      String stored;
      try (Tx tx = Tx.begin(table)) {
        kept = store.activeKey("acme", tx.connection, tx);
        assertThat(kept.fingerprint()).as("the next write makes a key the table will have").isNotEqualTo(doomed.fingerprint());
        stored = encrypt(kept, "acme", "acme's note");
        tx.commit();
      }
      assertThat(events.of(KeyEvent.Type.KEY_CREATED)).singleElement().satisfies(e -> {
        assertThat(e.tenant()).isEqualTo("acme");
        assertThat(e.fingerprint()).isEqualTo(kept.fingerprint());
      });
      // committed: now shared through the cache, without touching the database
      assertThat(store.activeKey("acme", noDatabase(), c -> { throw new AssertionError("nothing to create"); })).isSameAs(kept);
      // long after the cache entry has expired, the value still decrypts: the key is the table's
      ticker.advance(Duration.ofMinutes(6));
      assertThat(decrypt(store.find("acme", kept.id()), "acme", stored)).isEqualTo("acme's note");
      try (TenantKeyStore restarted = table.store(ring(1)).build()) {
        assertThat(decrypt(restarted.find("acme", kept.id()), "acme", stored)).isEqualTo("acme's note");
        assertThat(restarted.activeKey("acme").fingerprint()).isEqualTo(kept.fingerprint());
      }
    }
  }

  @OnEachDatabase
  void a_caller_that_cannot_register_for_the_outcome_gets_no_key_and_leaves_nothing_behind(TestDatabase db) throws Exception {
    try (KeyTable table = KeyTable.create(db); TenantKeyStore store = table.store(ring(1)).build(); Tx tx = Tx.begin(table)) {
      Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> store.activeKey("acme", tx.connection, callback -> {
        throw new IllegalStateException("no transaction synchronization active");
      }));
      assertThat(refused).isInstanceOf(IllegalStateException.class);
      try (var rs = tx.connection.createStatement().executeQuery("SELECT COUNT(*) FROM " + table.name)) {
        rs.next();
        assertThat(rs.getInt(1)).as("no row in the caller's transaction").isZero();
      }
      // nothing pending on this connection either: the next call creates the key and registers
      DataKey key = store.activeKey("acme", tx.connection, tx);
      assertThat(tx.registered()).isEqualTo(1);
      tx.commit();
      assertThat(store.find("acme", 1).fingerprint()).isEqualTo(key.fingerprint());
    }
  }

  @OnEachDatabase
  void on_an_auto_commit_connection_a_new_key_is_committed_and_cached_at_once(TestDatabase db) throws Exception {
    try (KeyTable table = KeyTable.create(db); TenantKeyStore store = table.store(ring(1)).build();
        Connection auto = table.connect()) {
      assertThat(auto.getAutoCommit()).isTrue();
      List<Object> registered = new ArrayList<>();
      DataKey key = store.activeKey("acme", auto, registered::add);
      assertThat(registered).isEmpty();
      assertThat(table.count("tenant_id = 'acme'")).isEqualTo(1);
      assertThat(store.activeKey("acme", noDatabase(), registered::add)).isSameAs(key);
      assertThat(auto.getAutoCommit()).as("the caller's connection is left as it was").isTrue();
    }
  }

  @OnEachDatabase
  void the_caller_transaction_stays_usable_after_losing_the_race(TestDatabase db) throws Exception {
    // PostgreSQL aborts a transaction on a failed statement unless it returns to a savepoint
    try (KeyTable table = KeyTable.create(db); TenantKeyStore winnerStore = table.store(ring(1)).build();
        TenantKeyStore loserStore = table.store(ring(1)).build()) {
      try (Tx loser = Tx.begin(table)) {
        // the loser has already read (no key yet) in its transaction, then the winner commits
        assertThat(table.count("tenant_id = 'acme'")).isZero();
        loser.connection.createStatement().execute("SELECT COUNT(*) FROM " + table.name);
        DataKey winner = winnerStore.activeKey("acme");
        DataKey seen = loserStore.activeKey("acme", loser.connection, loser);
        assertThat(seen.fingerprint()).isEqualTo(winner.fingerprint());
        loser.connection.createStatement().execute("SELECT COUNT(*) FROM " + table.name);
        loser.commit();
      }
      assertThat(table.count("tenant_id = 'acme'")).isEqualTo(1);
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Rotation

  @OnEachDatabase
  void rotation_makes_a_new_active_key_at_once_and_the_old_one_keeps_decrypting(TestDatabase db) throws Exception {
    Support.Recorder events = new Support.Recorder();
    try (KeyTable table = KeyTable.create(db); TenantKeyStore store = table.store(ring(1)).listener(events).build()) {
      DataKey acme1 = store.activeKey("acme");
      DataKey globex1 = store.activeKey("globex");
      String old = encrypt(acme1, "acme", "written under key 1");
      DataKey acme2 = store.rotate("acme");
      assertThat(acme2.id()).isEqualTo(2);
      assertThat(store.activeKey("acme", noDatabase(), c -> { })).as("new writes use it at once, from the cache").isSameAs(acme2);
      assertThat(decrypt(store.find("acme", 1), "acme", old)).isEqualTo("written under key 1");
      assertThat(store.activeKey("globex").fingerprint()).as("other tenants untouched").isEqualTo(globex1.fingerprint());
      assertThat(store.keys("acme")).extracting(TenantKeyInfo::keyId, TenantKeyInfo::state)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(1, KeyState.RETIRED), org.assertj.core.groups.Tuple.tuple(2, KeyState.ACTIVE));
      assertThat(events.of(KeyEvent.Type.KEY_ROTATED)).singleElement().satisfies(e -> {
        assertThat(e.keyId()).isEqualTo(2);
        assertThat(e.previousKeyId()).isEqualTo(1);
      });
      assertThat(events.of(KeyEvent.Type.KEY_RETIRED)).singleElement().extracting(KeyEvent::keyId).isEqualTo(1);

      assertThat(store.rotateAll()).isEqualTo(2);
      assertThat(store.activeKey("acme").id()).isEqualTo(3);
      assertThat(store.activeKey("globex").id()).isEqualTo(2);
      assertThat(table.count("state = 'active'")).isEqualTo(2);
      assertThat(table.count("state = 'retired'")).isEqualTo(3);
      try (TenantKeyStore other = table.store(ring(1)).build()) {
        assertThat(other.find("acme", 2).fingerprint()).isEqualTo(acme2.fingerprint());
        assertThat(other.activeKey("acme").id()).isEqualTo(3);
      }
    }
  }

  @OnEachDatabase
  void scheduled_rotation_replaces_an_old_key_at_the_next_write_in_its_transaction(TestDatabase db) throws Exception {
    Support.FakeClock clock = new Support.FakeClock();
    Support.Recorder events = new Support.Recorder();
    try (KeyTable table = KeyTable.create(db);
        TenantKeyStore store = table.store(ring(1)).clock(clock).rotateAfter(Duration.ofDays(30)).listener(events).build()) {
      DataKey first = store.activeKey("acme");
      clock.advance(Duration.ofDays(29));
      assertThat(store.activeKey("acme", noDatabase(), c -> { })).isSameAs(first);
      clock.advance(Duration.ofDays(2));
      // the rotation is part of the write's transaction: rolled back, nothing happened
      try (Tx tx = Tx.begin(table)) {
        DataKey rotated = store.activeKey("acme", tx.connection, tx);
        assertThat(rotated.id()).isEqualTo(2);
        assertThat(store.activeKey("acme", tx.connection, tx)).isSameAs(rotated);
        tx.rollback();
      }
      assertThat(table.count("tenant_id = 'acme' AND key_id = 1 AND state = 'active'")).isEqualTo(1);
      assertThat(table.count("tenant_id = 'acme'")).isEqualTo(1);
      assertThat(events.of(KeyEvent.Type.KEY_ROTATED)).isEmpty();
      DataKey second;
      try (Tx tx = Tx.begin(table)) {
        second = store.activeKey("acme", tx.connection, tx);
        tx.commit();
      }
      assertThat(second.id()).isEqualTo(2);
      assertThat(store.activeKey("acme", noDatabase(), c -> { })).isSameAs(second);
      assertThat(store.find("acme", 1).fingerprint()).isEqualTo(first.fingerprint());
      assertThat(table.count("tenant_id = 'acme' AND key_id = 1 AND state = 'retired'")).isEqualTo(1);
      assertThat(events.of(KeyEvent.Type.KEY_ROTATED)).hasSize(1);
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Crypto-shredding

  @OnEachDatabase
  void destroying_a_tenants_keys_makes_its_values_fail_with_the_typed_error_and_leaves_others_alone(TestDatabase db)
      throws Exception {
    Support.FakeTicker otherJvmTicker = new Support.FakeTicker();
    Support.Recorder events = new Support.Recorder();
    try (KeyTable table = KeyTable.create(db); TenantKeyStore store = table.store(ring(1)).listener(events).build();
        TenantKeyStore otherJvm = table.store(ring(1)).ticker(otherJvmTicker).build()) {
      DataKey acme1 = store.activeKey("acme");
      String acmeOld = encrypt(acme1, "acme", "acme 1");
      DataKey acme2 = store.rotate("acme");
      String acmeNew = encrypt(acme2, "acme", "acme 2");
      DataKey globex = store.activeKey("globex");
      String globexValue = encrypt(globex, "globex", "globex");
      assertThat(otherJvm.find("acme", 2).fingerprint()).isEqualTo(acme2.fingerprint()); // cached there

      assertThat(store.destroy("acme")).isEqualTo(2);

      for (int id : new int[] {1, 2}) {
        FieldcryptException failure = fieldcryptFailure(() -> store.find("acme", id));
        assertThat(failure).isInstanceOf(KeyDestroyedException.class).hasMessageContaining("tenant 'acme'")
            .hasMessageContaining("data key " + id);
        assertThat(((KeyDestroyedException) failure).getTenant()).isEqualTo("acme");
        assertThat(failure.getKeyId()).isEqualTo(id);
      }
      assertThat(fieldcryptFailure(() -> store.activeKey("acme"))).as("no new key for a shredded tenant")
          .isInstanceOf(KeyDestroyedException.class);
      try (Tx tx = Tx.begin(table)) {
        assertThat(fieldcryptFailure(() -> store.activeKey("acme", tx.connection, tx))).isInstanceOf(KeyDestroyedException.class);
      }
      assertThat(table.count("tenant_id = 'acme' AND state = 'destroyed' AND wrapped_key IS NULL AND master_key_id IS NULL"))
          .isEqualTo(2);
      assertThat(store.destroy("acme")).as("destroying again destroys nothing more").isZero();

      assertThat(decrypt(store.find("globex", 1), "globex", globexValue)).isEqualTo("globex");
      assertThat(store.activeKey("globex").fingerprint()).isEqualTo(globex.fingerprint());
      assertThat(events.of(KeyEvent.Type.KEY_DESTROYED)).extracting(KeyEvent::tenant, KeyEvent::keyId)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("acme", 1), org.assertj.core.groups.Tuple.tuple("acme", 2));

      // Another JVM keeps its cached copy until the TTL has passed (the runbook says so), then fails too.
      assertThat(decrypt(otherJvm.find("acme", 2, noDatabase()), "acme", acmeNew)).isEqualTo("acme 2");
      otherJvmTicker.advance(Duration.ofMinutes(5).plusSeconds(1));
      assertThat(fieldcryptFailure(() -> otherJvm.find("acme", 2))).isInstanceOf(KeyDestroyedException.class);
      assertThat(fieldcryptFailure(() -> otherJvm.find("acme", 1))).isInstanceOf(KeyDestroyedException.class);
      assertThat(acmeOld).isNotEqualTo(acmeNew);
    }
  }

  @OnEachDatabase
  void a_wrapped_key_moved_to_another_tenant_or_id_does_not_unwrap(TestDatabase db) throws Exception {
    try (KeyTable table = KeyTable.create(db); TenantKeyStore store = table.store(ring(1)).build()) {
      store.activeKey("acme");
      store.rotate("acme");
      store.activeKey("globex");
      table.execute("UPDATE $T SET wrapped_key = (SELECT wrapped_key FROM (SELECT * FROM $T) s WHERE s.tenant_id = 'acme' AND s.key_id = 1),"
          + " fingerprint = (SELECT fingerprint FROM (SELECT * FROM $T) s WHERE s.tenant_id = 'acme' AND s.key_id = 1)"
          + " WHERE tenant_id = 'globex' AND key_id = 1");
      table.execute("UPDATE $T SET wrapped_key = (SELECT wrapped_key FROM (SELECT * FROM $T) s WHERE s.tenant_id = 'acme' AND s.key_id = 1),"
          + " fingerprint = (SELECT fingerprint FROM (SELECT * FROM $T) s WHERE s.tenant_id = 'acme' AND s.key_id = 1)"
          + " WHERE tenant_id = 'acme' AND key_id = 2");
      try (TenantKeyStore fresh = table.store(ring(1)).build()) {
        for (String[] moved : new String[][] {{"globex", "1"}, {"acme", "2"}}) {
          FieldcryptException failure = fieldcryptFailure(() -> fresh.find(moved[0], Integer.parseInt(moved[1])));
          assertThat(failure).isInstanceOf(DecryptionException.class).hasMessageContaining("does not unwrap");
          assertThat(((DecryptionException) failure).getReason()).isEqualTo(DecryptionException.Reason.AUTHENTICATION_FAILED);
        }
        assertThat(fresh.find("acme", 1).id()).isEqualTo(1);
      }
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Master key rotation

  @OnEachDatabase
  void master_key_rotation_rewraps_every_key_and_touches_no_value(TestDatabase db) throws Exception {
    Support.Recorder events = new Support.Recorder();
    try (KeyTable table = KeyTable.create(db)) {
      Map<String, String> values = new LinkedHashMap<>();
      Map<String, String> fingerprints = new HashMap<>();
      try (TenantKeyStore old = table.store(ring(1)).build()) {
        for (String tenant : List.of("acme", "globex", "initech")) {
          DataKey key = old.activeKey(tenant);
          values.put(tenant + "/1", encrypt(key, tenant, tenant + " one"));
          fingerprints.put(tenant + "/1", key.fingerprint());
        }
        DataKey acme2 = old.rotate("acme");
        values.put("acme/2", encrypt(acme2, "acme", "acme two"));
        fingerprints.put("acme/2", acme2.fingerprint());
        old.activeKey("shredded");
        old.destroy("shredded");
        assertThat(old.masterKeyUsage()).containsExactly(Map.entry(1, 4L));
      }
      // deploy with both master keys, the new one active; then rewrap
      try (TenantKeyStore both = table.store(ring(1, 2)).listener(events).build()) {
        assertThat(both.rewrap(2)).isEqualTo(4);
        assertThat(both.masterKeyUsage()).containsExactly(Map.entry(2, 4L));
        assertThat(both.rewrap(2)).as("nothing left to rewrap").isZero();
      }
      assertThat(events.of(KeyEvent.Type.KEY_REWRAPPED)).hasSize(4).allSatisfy(e -> {
        assertThat(e.masterKeyId()).isEqualTo(2);
        assertThat(e.previousMasterKeyId()).isEqualTo(1);
      });
      assertThat(table.count("state = 'destroyed' AND wrapped_key IS NULL")).isEqualTo(1);
      // the old master key can go: every key unwraps under the new one alone, values unchanged
      try (TenantKeyStore onlyNew = table.store(ring(2)).build()) {
        for (Map.Entry<String, String> value : values.entrySet()) {
          String tenant = value.getKey().split("/")[0];
          int id = Integer.parseInt(value.getKey().split("/")[1]);
          DataKey key = onlyNew.find(tenant, id);
          assertThat(key.fingerprint()).isEqualTo(fingerprints.get(value.getKey()));
          assertThat(decrypt(key, tenant, value.getValue())).startsWith(tenant);
        }
        assertThat(onlyNew.activeKey("newcomer").id()).isEqualTo(1);
      }
      assertThat(table.count("tenant_id = 'newcomer' AND master_key_id = 2")).isEqualTo(1);
      FieldcryptException unknown = fieldcryptFailure(() -> table.store(ring(1)).build());
      assertThat(unknown).isInstanceOf(ConfigurationException.class).hasMessageContaining("master key id 2");
    }
  }

  @OnEachDatabase
  void an_interrupted_master_key_rotation_changes_nothing(TestDatabase db) throws Exception {
    try (KeyTable table = KeyTable.create(db)) {
      try (TenantKeyStore old = table.store(ring(1)).build()) {
        for (String tenant : List.of("a", "b", "c", "d", "e")) {
          old.activeKey(tenant);
        }
      }
      String before = table.digest();
      // the new master key fails on its third wrap, after two rows were already updated
      AtomicInteger wraps = new AtomicInteger();
      MasterKey failing = new MasterKey() {
        private final RingMasterKey real = new RingMasterKey(DataKey.of(2, TestKeys.key(2)));

        @Override
        public int id() {
          return 2;
        }

        @Override
        public byte[] wrap(DataKey key, byte[] associatedData) throws GeneralSecurityException {
          if (wraps.incrementAndGet() == 3) {
            throw new GeneralSecurityException("simulated HSM failure");
          }
          return real.wrap(key, associatedData);
        }

        @Override
        public DataKey unwrap(int keyId, byte[] wrapped, byte[] associatedData) throws GeneralSecurityException {
          return real.unwrap(keyId, wrapped, associatedData);
        }
      };
      MasterKeys keys = MasterKeys.of(List.of(new RingMasterKey(DataKey.of(1, TestKeys.key(1))), failing), 2, FieldcryptSettings.KEYS);
      try (TenantKeyStore store = table.store(keys).build()) {
        FieldcryptException failure = fieldcryptFailure(() -> store.rewrap(2));
        assertThat(failure).hasMessageContaining("nothing was changed").hasMessageContaining("master key id 2");
        assertThat(wraps.get()).isEqualTo(3);
        assertThat(table.digest()).as("every row as before").isEqualTo(before);
        assertThat(store.masterKeyUsage()).containsExactly(Map.entry(1, 5L));
      }

      // a key that does not unwrap under its master key stops the rotation before any write
      table.execute("UPDATE $T SET fingerprint = 'f0f0f0f0f0f0f0f0' WHERE tenant_id = 'c'");
      String tampered = table.digest();
      Support.Recorder events = new Support.Recorder();
      try (TenantKeyStore store = table.store(MasterKeys.of(List.of(new RingMasterKey(DataKey.of(1, TestKeys.key(1))),
          new RingMasterKey(DataKey.of(2, TestKeys.key(2)))), 2, FieldcryptSettings.KEYS)).listener(events).build()) {
        FieldcryptException failure = fieldcryptFailure(() -> store.rewrap(2));
        assertThat(failure).isInstanceOf(DecryptionException.class).hasMessageContaining("tenant 'c'");
        assertThat(table.digest()).isEqualTo(tampered);
        assertThat(events.of(KeyEvent.Type.KEY_REWRAPPED)).isEmpty();
      }
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Start-up check

  @OnEachDatabase
  void a_wrong_master_key_fails_the_start_and_writes_nothing(TestDatabase db) throws Exception {
    try (KeyTable table = KeyTable.create(db)) {
      try (TenantKeyStore right = table.store(ring(1)).build()) {
        right.activeKey("acme");
        right.activeKey("globex");
      }
      String before = table.digest();

      FieldcryptException sameIdOtherBytes = fieldcryptFailure(() -> table.store(Support.wrongRing(1, 9)).build());
      assertThat(sameIdOtherBytes).isInstanceOf(ConfigurationException.class).hasMessageContaining("master key id 1")
          .hasMessageContaining("does not unwrap").hasMessageContaining("fieldcrypt.keys");
      assertThat(((ConfigurationException) sameIdOtherBytes).getSetting()).isEqualTo("fieldcrypt.keys");

      FieldcryptException otherId = fieldcryptFailure(() -> table.store(ring(3)).build());
      assertThat(otherId).isInstanceOf(ConfigurationException.class).hasMessageContaining("master key id 1")
          .hasMessageContaining("[3]");

      // through the settings, as a SessionFactory or Liquibase start would
      Map<String, Object> settings = Map.of(FieldcryptSettings.KEYS, "1:" + TestKeys.base64(9), FieldcryptSettings.DATA_KEY_TABLE, table.name);
      FieldcryptException fromSettings = fieldcryptFailure(() -> TenantKeyStore.fromSettings(
          FieldcryptSettings.from(settings, k -> null, k -> null), table.connections()));
      assertThat(((ConfigurationException) fromSettings).getSetting()).isEqualTo("fieldcrypt.keys");
      assertThat(table.digest()).as("nothing written").isEqualTo(before);
      assertThat(table.count("")).isEqualTo(2);

      FieldcryptException noTable = fieldcryptFailure(() -> TenantKeyStore.builder(table.connections(), ring(1)).table("no_such_keys").build());
      assertThat(noTable).isInstanceOf(ConfigurationException.class).hasMessageContaining(TenantKeyStore.CHANGELOG);
      assertThat(((ConfigurationException) noTable).getSetting()).isEqualTo("fieldcrypt.data-key-table");
    }
  }

  @OnEachDatabase
  void database_failures_are_typed_and_leave_the_caller_transaction_to_the_caller(TestDatabase db) throws Exception {
    try (KeyTable table = KeyTable.create(db); TenantKeyStore store = table.store(ring(1)).build()) {
      store.activeKey("acme");
      table.execute("DROP TABLE $T");
      FieldcryptException failure = fieldcryptFailure(() -> store.activeKey("globex"));
      assertThat(failure).isInstanceOf(KeyTableException.class).hasMessageContaining(table.name).hasMessageContaining("SQLState");
      assertThat(((KeyTableException) failure).getSqlState()).isNotNull();
    }
  }
}
