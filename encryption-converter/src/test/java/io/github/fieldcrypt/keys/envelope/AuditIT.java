package io.github.fieldcrypt.keys.envelope;

import static io.github.fieldcrypt.keys.envelope.Support.assertNoKeyMaterial;
import static io.github.fieldcrypt.keys.envelope.Support.ring;
import static io.github.fieldcrypt.testing.Failures.fieldcryptFailure;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.spi.KeyEvent;
import io.github.fieldcrypt.testing.LeakCapture;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Audit events of key operations: to the listeners (given, or found through ServiceLoader) and to
 * the SLF4J logger {@code fieldcrypt.audit}; ids and fingerprints, never key material.
 */
class AuditIT {

  @Test
  void every_key_operation_is_audited_with_ids_and_fingerprints_only() throws Exception {
    Support.Recorder events = new Support.Recorder();
    List<DataKey> keys = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    int capturedBefore = LeakCapture.captured().length();
    try (KeyTable table = KeyTable.create(TestDatabase.H2)) {
      try (TenantKeyStore store = table.store(ring(1)).listener(events).build()) {
        keys.add(store.activeKey("acme"));
        keys.add(store.rotate("acme"));
        keys.add(store.activeKey("globex"));
        store.destroy("globex");
        messages.add(fieldcryptFailure(() -> store.find("globex", 1)).getMessage());
        messages.add(fieldcryptFailure(() -> store.find("acme", 7)).getMessage());
        messages.add(store.toString() + store.masterKeys() + store.keys("acme") + store.cacheStats());
      }
      try (TenantKeyStore both = table.store(ring(1, 2)).listener(events).build()) {
        both.rewrap(2);
        keys.add(both.find("acme", 1));
      }
    }
    assertThat(events.events()).extracting(KeyEvent::type).containsSubsequence(
        KeyEvent.Type.KEY_CREATED, KeyEvent.Type.KEY_ROTATED, KeyEvent.Type.KEY_RETIRED, KeyEvent.Type.KEY_CREATED,
        KeyEvent.Type.KEY_DESTROYED, KeyEvent.Type.KEY_UNWRAPPED, KeyEvent.Type.KEY_REWRAPPED, KeyEvent.Type.KEY_REWRAPPED);
    KeyEvent created = events.of(KeyEvent.Type.KEY_CREATED).get(0);
    assertThat(created.tenant()).isEqualTo("acme");
    assertThat(created.keyId()).isEqualTo(1);
    assertThat(created.fingerprint()).isEqualTo(keys.get(0).fingerprint());
    assertThat(created.masterKeyId()).isEqualTo(1);
    assertThat(created.toString()).startsWith("key-created tenant=acme key=1 fingerprint=" + keys.get(0).fingerprint() + " master=1 at=");
    assertThat(events.of(KeyEvent.Type.KEY_DESTROYED)).singleElement().satisfies(e -> {
      assertThat(e.tenant()).isEqualTo("globex");
      assertThat(e.masterKeyId()).isNull();
    });
    assertThat(events.of(KeyEvent.Type.KEY_UNWRAPPED)).anySatisfy(e -> assertThat(e.masterKeyId()).isEqualTo(2));

    // the SLF4J audit logger wrote the same lines (slf4j-simple prints to the captured standard error)
    String log = LeakCapture.captured().substring(capturedBefore);
    assertThat(log).contains("fieldcrypt.audit - key-created tenant=acme key=1 fingerprint=" + keys.get(0).fingerprint())
        .contains("fieldcrypt.audit - key-rotated tenant=acme key=2").contains("previous-key=1")
        .contains("fieldcrypt.audit - key-destroyed tenant=globex key=1")
        .contains("fieldcrypt.audit - key-rewrapped tenant=acme key=1").contains("previous-master=1")
        .contains("fieldcrypt.audit - key-unwrapped tenant=acme");
    String everything = log + events.events() + messages;
    assertNoKeyMaterial(everything, keys);
    assertThat(everything).doesNotContain(TestKeys.base64(1).substring(0, 20)).doesNotContain(TestKeys.base64(2).substring(0, 20));
  }

  @Test
  void a_failing_listener_does_not_fail_the_operation_and_listeners_are_found_through_service_loader() throws Exception {
    ServiceLoadedAuditListener.EVENTS.clear();
    int capturedBefore = LeakCapture.captured().length();
    try (KeyTable table = KeyTable.create(TestDatabase.H2)) {
      try (TenantKeyStore store = table.store(ring(1)).listener(e -> {
        throw new IllegalStateException("listener down");
      }).build()) {
        assertThat(store.activeKey("acme").id()).isEqualTo(1);
      }
      assertThat(table.count("tenant_id = 'acme'")).isEqualTo(1);
      assertThat(LeakCapture.captured().substring(capturedBefore)).contains("failed on a key-created event (java.lang.IllegalStateException)")
          .doesNotContain("listener down");
      FieldcryptSettings settings = FieldcryptSettings.from(Map.of("fieldcrypt.keys", TestKeys.keysSetting(1),
          "fieldcrypt.data-key-table", table.name), k -> null, k -> null);
      try (TenantKeyStore fromSettings = TenantKeyStore.fromSettings(settings, table.connections())) {
        fromSettings.activeKey("globex");
      }
    }
    assertThat(ServiceLoadedAuditListener.EVENTS).extracting(KeyEvent::type, KeyEvent::tenant)
        .contains(org.assertj.core.groups.Tuple.tuple(KeyEvent.Type.KEY_UNWRAPPED, "acme"),
            org.assertj.core.groups.Tuple.tuple(KeyEvent.Type.KEY_CREATED, "globex"));
  }

  @Test
  void tenants_that_are_not_plain_tokens_are_quoted_in_the_log_line() {
    KeyEvent event = new KeyEvent(KeyEvent.Type.KEY_CREATED, Instant.parse("2026-01-01T00:00:00Z"), "acme key=9 \"x\"", 1, "00ff", 1, null, null);
    assertThat(event.toString()).isEqualTo("key-created tenant=\"acme key=9 \\\"x\\\"\" key=1 fingerprint=00ff master=1 at=2026-01-01T00:00:00Z");
  }
}
