package io.github.fieldcrypt.keys.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.keys.KeyRing;
import io.github.fieldcrypt.spi.KeyAuditListener;
import io.github.fieldcrypt.spi.KeyEvent;
import io.github.fieldcrypt.testing.TestKeys;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Small helpers of the tenant key tests. */
final class Support {
  private Support() {}

  /** Master keys of the test key ring with these ids (the highest active). */
  static MasterKeys ring(int... ids) {
    KeyRing.Builder ring = KeyRing.builder();
    for (int id : ids) {
      ring.add(id, TestKeys.key(id));
    }
    return MasterKeys.of(ring.build());
  }

  /** Master keys with these ids whose bytes are other test keys: "the wrong master key under the right id". */
  static MasterKeys wrongRing(int id, int bytesOf) {
    return MasterKeys.of(KeyRing.builder().add(id, TestKeys.key(bytesOf)).build());
  }

  /** Encrypts a value for a tenant with one of its data keys, as the integration will (the tenant in the context). */
  static String encrypt(DataKey key, String tenant, String plaintext) {
    return FieldEncryptor.create(KeyRing.builder().add(key).build()).encryptToText(plaintext, context(tenant));
  }

  static String decrypt(DataKey key, String tenant, String value) {
    return FieldEncryptor.create(KeyRing.builder().add(key).build()).decryptText(value, context(tenant));
  }

  private static EncryptionContext context(String tenant) {
    return EncryptionContext.forColumn("notes", "body_" + tenant.replaceAll("[^a-z0-9]", ""));
  }

  /** A connection that fails the test on any use: proves a call did not touch the database. */
  static Connection noDatabase() {
    return (Connection) Proxy.newProxyInstance(Support.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
      throw new AssertionError("the database was used (Connection." + method.getName() + ")");
    });
  }

  /** Every way a data key could be printed (hex, base64, base64url), for "not in this text" checks. */
  static List<String> forms(DataKey key) {
    byte[] bytes = key.secretKey().getEncoded();
    String hex = HexFormat.of().formatHex(bytes);
    return List.of(hex.substring(0, 24), hex.substring(0, 24).toUpperCase(), Base64.getEncoder().encodeToString(bytes).substring(0, 20),
        Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).substring(0, 20));
  }

  static void assertNoKeyMaterial(String text, List<DataKey> keys) {
    for (DataKey key : keys) {
      for (String form : forms(key)) {
        assertThat(text).as("key material of " + key).doesNotContain(form);
      }
    }
  }

  /** A cache clock that moves only when told. */
  static final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }

  /** A wall clock that moves only when told. */
  static final class FakeClock extends Clock {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }
  }

  /** Records the audit events it receives. */
  static final class Recorder implements KeyAuditListener {
    private final List<KeyEvent> events = new ArrayList<>();

    @Override
    public synchronized void onKeyEvent(KeyEvent event) {
      events.add(event);
    }

    synchronized List<KeyEvent> events() {
      return new ArrayList<>(events);
    }

    synchronized List<KeyEvent> of(KeyEvent.Type type) {
      return events.stream().filter(e -> e.type() == type).toList();
    }

    synchronized void clear() {
      events.clear();
    }
  }
}
