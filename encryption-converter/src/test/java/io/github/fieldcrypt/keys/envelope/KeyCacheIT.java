package io.github.fieldcrypt.keys.envelope;

import static io.github.fieldcrypt.keys.envelope.Support.noDatabase;
import static io.github.fieldcrypt.keys.envelope.Support.ring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.spi.KeyEvent;
import io.github.fieldcrypt.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The unwrapped key cache: TTL (with a fake ticker), size bound, hit and miss counters, and what a hit costs. */
class KeyCacheIT {

  @Test
  void entries_expire_after_the_ttl_and_a_hit_touches_neither_database_nor_master_key() throws Exception {
    Support.FakeTicker ticker = new Support.FakeTicker();
    Support.Recorder events = new Support.Recorder();
    try (KeyTable table = KeyTable.create(TestDatabase.H2);
        TenantKeyStore store = table.store(ring(1)).ticker(ticker).cacheTtl(Duration.ofMinutes(5)).listener(events).build()) {
      DataKey key = store.activeKey("acme");                                   // miss, created, cached on commit
      assertThat(store.cacheStats()).isEqualTo(new KeyCacheStats(0, 1, 0, 2));  // by id and as "active"
      int unwraps = events.of(KeyEvent.Type.KEY_UNWRAPPED).size();

      ticker.advance(Duration.ofMinutes(4));
      for (int i = 0; i < 10; i++) {
        assertThat(store.find("acme", 1, noDatabase())).isSameAs(key);
        assertThat(store.activeKey("acme", noDatabase(), c -> { })).isSameAs(key);
      }
      assertThat(store.cacheStats().hits()).isEqualTo(20);
      assertThat(store.cacheStats().misses()).isEqualTo(1);
      assertThat(events.of(KeyEvent.Type.KEY_UNWRAPPED)).as("no master key use on a hit").hasSize(unwraps);

      ticker.advance(Duration.ofMinutes(1).plusNanos(1));                     // written 5 minutes ago: expired
      Throwable needsDatabase = catchThrowable(() -> store.find("acme", 1, noDatabase()));
      assertThat(needsDatabase).isInstanceOf(AssertionError.class).hasMessageContaining("the database was used");
      assertThat(store.cacheStats().misses()).isEqualTo(2);
      DataKey reloaded = store.find("acme", 1);                               // miss: read and unwrapped again
      assertThat(reloaded.fingerprint()).isEqualTo(key.fingerprint());
      assertThat(store.cacheStats().misses()).isEqualTo(3);
      assertThat(events.of(KeyEvent.Type.KEY_UNWRAPPED)).hasSize(unwraps + 1);
      assertThat(store.find("acme", 1, noDatabase())).isSameAs(reloaded);      // cached again
      assertThat(store.cacheStats().hits()).isEqualTo(21);
      assertThat(store.cacheStats().evictions()).isPositive();
    }
  }

  @Test
  void on_the_real_clock_entries_expire_too() throws Exception {
    try (KeyTable table = KeyTable.create(TestDatabase.H2)) {
      TenantKeyStore store = table.store(ring(1)).cacheTtl(Duration.ofMillis(300)).build();
      try {
        DataKey key = store.activeKey("acme");
        assertThat(store.find("acme", key.id(), noDatabase())).isSameAs(key);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Throwable expired = null;
        while (expired == null && System.nanoTime() < deadline) {
          Thread.sleep(50);
          expired = catchThrowable(() -> store.find("acme", key.id(), noDatabase()));
        }
        assertThat(expired).as("the entry expired on the store's own clock").isInstanceOf(AssertionError.class)
            .hasMessageContaining("the database was used");
      } finally {
        store.close();
      }
    }
  }

  @Test
  void a_store_that_fails_to_start_leaves_no_clock_thread_behind() throws Exception {
    try (KeyTable table = KeyTable.create(TestDatabase.H2)) {
      try (TenantKeyStore right = table.store(ring(1)).build()) {
        right.activeKey("acme");
      }
      long before = clockThreads();
      for (int i = 0; i < 5; i++) {
        assertThat(catchThrowable(() -> table.store(Support.wrongRing(1, 9)).build()))
            .isInstanceOf(io.github.fieldcrypt.ConfigurationException.class);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (clockThreads() > before && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(clockThreads()).isLessThanOrEqualTo(before);
    }
  }

  private static long clockThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals("fieldcrypt-key-cache-clock")).count();
  }

  @Test
  void the_clock_reads_the_time_and_stands_still_once_closed() throws Exception {
    CoarseTicker ticker = new CoarseTicker();
    long first = ticker.read();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (ticker.read() == first && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(ticker.read()).isGreaterThan(first);
    assertThat(Math.abs(System.nanoTime() - ticker.read())).isLessThan(Duration.ofSeconds(2).toNanos());
    ticker.close();
    assertThat(ticker.running()).isFalse();
  }

  @Test
  void the_cache_holds_at_most_its_size_and_zero_turns_it_off() throws Exception {
    try (KeyTable table = KeyTable.create(TestDatabase.H2);
        TenantKeyStore bounded = table.store(ring(1)).cacheSize(4).build()) {
      for (int t = 0; t < 10; t++) {
        bounded.activeKey("tenant-" + t);
      }
      assertThat(bounded.cacheStats().size()).isLessThanOrEqualTo(4);
      assertThat(bounded.cacheStats().evictions()).isGreaterThanOrEqualTo(16);
      try (TenantKeyStore off = table.store(ring(1)).cacheSize(0).build();
          TenantKeyStore zeroTtl = table.store(ring(1)).cacheTtl(Duration.ZERO).build()) {
        for (TenantKeyStore store : new TenantKeyStore[] {off, zeroTtl}) {
          DataKey key = store.find("tenant-3", 1);
          assertThat(store.find("tenant-3", 1).fingerprint()).isEqualTo(key.fingerprint());
          assertThat(catchThrowable(() -> store.find("tenant-3", 1, noDatabase()))).hasMessageContaining("the database was used");
          assertThat(store.cacheStats().hits()).isZero();
        }
      }
    }
  }

  @Test
  void settings_configure_ttl_size_and_table() throws Exception {
    try (KeyTable table = KeyTable.create(TestDatabase.H2)) {
      var settings = io.github.fieldcrypt.FieldcryptSettings.from(java.util.Map.of(
          "fieldcrypt.keys", io.github.fieldcrypt.testing.TestKeys.keysSetting(1),
          "fieldcrypt.data-key-table", table.name,
          "fieldcrypt.key-cache-ttl", "PT30S",
          "fieldcrypt.key-cache-size", "7",
          "fieldcrypt.rotate-after", "P30D"), k -> null, k -> null);
      try (TenantKeyStore store = TenantKeyStore.fromSettings(settings, table.connections())) {
        assertThat(store.toString()).contains("table=" + table.name).contains("ttl=PT30S").contains("size=7")
            .contains("rotate after PT720H").contains("active=1");
        assertThat(store.table()).isEqualTo(table.name);
        store.activeKey("acme");
        assertThat(table.count("tenant_id = 'acme' AND master_key_id = 1")).isEqualTo(1);
      }
    }
  }
}
