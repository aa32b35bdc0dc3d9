package io.github.fieldcrypt.keys.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldcryptSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tenant-mode settings: every default tested, every malformed value refused with the setting's name. */
class EnvelopeSettingsTest {

  private static FieldcryptSettings of(Map<String, String> properties) {
    return FieldcryptSettings.from(properties, k -> null, k -> null);
  }

  @Test
  void defaults() {
    FieldcryptSettings none = of(Map.of());
    assertThat(none.tenantMode()).isFalse();
    assertThat(none.dataKeyTable()).isEqualTo("fieldcrypt_data_keys").isEqualTo(TenantKeyStore.DEFAULT_TABLE);
    assertThat(none.keyCacheTtl()).isEqualTo(Duration.ofMinutes(5)).isEqualTo(TenantKeyStore.DEFAULT_CACHE_TTL);
    assertThat(none.keyCacheSize()).isEqualTo(10_000).isEqualTo(TenantKeyStore.DEFAULT_CACHE_SIZE);
    assertThat(none.rotateAfter()).isNull();
  }

  @Test
  void values_from_properties_system_properties_and_environment() {
    FieldcryptSettings settings = FieldcryptSettings.from(Map.of("fieldcrypt.tenant-mode", "TRUE"),
        k -> k.equals("fieldcrypt.key-cache-ttl") ? "PT1M" : null,
        k -> Map.of("FIELDCRYPT_KEY_CACHE_SIZE", "50", "FIELDCRYPT_ROTATE_AFTER", "P30D", "FIELDCRYPT_DATA_KEY_TABLE", "keys.tenant_keys").get(k));
    assertThat(settings.tenantMode()).isTrue();
    assertThat(settings.keyCacheTtl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(settings.keyCacheSize()).isEqualTo(50);
    assertThat(settings.rotateAfter()).isEqualTo(Duration.ofDays(30));
    assertThat(settings.dataKeyTable()).isEqualTo("keys.tenant_keys");
  }

  @Test
  void malformed_values_name_the_setting() {
    assertRefused("fieldcrypt.tenant-mode", "yes", "expected true or false");
    assertRefused("fieldcrypt.data-key-table", "keys; drop table users", "letters, digits and _");
    assertRefused("fieldcrypt.data-key-table", "a.b.c", "schema-qualified");
    assertRefused("fieldcrypt.key-cache-ttl", "5 minutes", "ISO-8601");
    assertRefused("fieldcrypt.key-cache-ttl", "-PT1M", "zero or more");
    assertRefused("fieldcrypt.key-cache-size", "-1", "0 or more");
    assertRefused("fieldcrypt.key-cache-size", "lots", "0 or more");
    assertRefused("fieldcrypt.rotate-after", "30 days", "ISO-8601");
    assertRefused("fieldcrypt.rotate-after", "PT0S", "longer than zero");
  }

  private static void assertRefused(String setting, String value, String message) {
    FieldcryptSettings settings = of(Map.of(setting, value));
    assertThatThrownBy(() -> {
      settings.tenantMode();
      settings.dataKeyTable();
      settings.keyCacheTtl();
      settings.keyCacheSize();
      settings.rotateAfter();
    }).isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.getSetting()).isEqualTo(setting))
        .hasMessageContaining(setting).hasMessageContaining(message);
  }

  @Test
  void tenant_ids_are_checked() {
    assertThatThrownBy(() -> TenantKeyStore.checkTenant(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TenantKeyStore.checkTenant("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TenantKeyStore.checkTenant(" acme")).hasMessageContaining("white space");
    assertThatThrownBy(() -> TenantKeyStore.checkTenant("acme\n")).hasMessageContaining("white space");
    assertThatThrownBy(() -> TenantKeyStore.checkTenant("ac\u0000me")).hasMessageContaining("control characters");
    assertThatThrownBy(() -> TenantKeyStore.checkTenant("x".repeat(256))).hasMessageContaining("at most 255");
    TenantKeyStore.checkTenant("x".repeat(255));
    TenantKeyStore.checkTenant("Acme Corp. (EU) — 東京");
  }

  @Test
  void associated_data_binds_tenant_and_key_id_unambiguously() {
    assertThat(new String(TenantKeyStore.associatedData("acme", 3), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("fieldcrypt-data-key-v1|tenant=acme|id=3");
    // tenant ids that contain the separator cannot collide with another (tenant, id): the id is the digits after the last "|id="
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String tenant : java.util.List.of("a", "a|id=1", "a|id=1|id=2", "a|id", "a|", "|id=1", "a|id=12", "a|tenant=a")) {
      for (int id : new int[] {0, 1, 2, 12, 21, 112}) {
        assertThat(seen.add(new String(TenantKeyStore.associatedData(tenant, id), java.nio.charset.StandardCharsets.UTF_8)))
            .as("tenant %s, id %d", tenant, id).isTrue();
      }
    }
  }
}
