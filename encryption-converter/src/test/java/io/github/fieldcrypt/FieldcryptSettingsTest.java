package io.github.fieldcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.keys.KeyRing;
import io.github.fieldcrypt.testing.TestKeys;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class FieldcryptSettingsTest {
  private static final Function<String, String> NONE = k -> null;

  private static KeyRing ring(Map<String, ?> properties) {
    return FieldcryptSettings.from(properties, NONE, NONE).keyRing();
  }

  @Test
  void parses_keys_and_defaults_to_the_highest_id() {
    KeyRing ring = ring(Map.of("fieldcrypt.keys", TestKeys.keysSetting(3, 1, 2)));
    assertThat(ring.ids()).containsExactly(1, 2, 3);
    assertThat(ring.active().id()).isEqualTo(3);
    assertThat(ring.find(2).secretKey().getEncoded()).isEqualTo(TestKeys.key(2));
    assertThat(ring.find(4)).isNull();
  }

  @Test
  void active_key_setting_chooses_the_active_key() {
    KeyRing ring = ring(Map.of("fieldcrypt.keys", TestKeys.keysSetting(1, 2), "fieldcrypt.active-key", " 1 "));
    assertThat(ring.active().id()).isEqualTo(1);
  }

  @Test
  void accepts_url_safe_base64_and_whitespace() {
    String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(TestKeys.key(5));
    KeyRing ring = ring(Map.of("fieldcrypt.keys", " 5 : " + urlSafe + " , 6:" + TestKeys.base64(6) + " "));
    assertThat(ring.find(5).secretKey().getEncoded()).isEqualTo(TestKeys.key(5));
    assertThat(ring.ids()).containsExactly(5, 6);
  }

  @Test
  void properties_win_over_system_properties_which_win_over_the_environment() {
    Map<String, String> env = Map.of("FIELDCRYPT_KEYS", TestKeys.keysSetting(1), "FIELDCRYPT_ACTIVE_KEY", "1");
    Map<String, String> sys = Map.of("fieldcrypt.keys", TestKeys.keysSetting(2), "fieldcrypt.active-key", "2");
    assertThat(FieldcryptSettings.from(Map.of(), NONE, env::get).keyRing().ids()).containsExactly(1);
    assertThat(FieldcryptSettings.from(Map.of(), sys::get, env::get).keyRing().ids()).containsExactly(2);
    // Each setting is resolved on its own: keys from system properties, active key from the environment.
    assertThatThrownBy(() -> FieldcryptSettings.from(Map.of(), Map.of("fieldcrypt.keys", TestKeys.keysSetting(2))::get, env::get).keyRing())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("environment variable FIELDCRYPT_ACTIVE_KEY")
        .hasMessageContaining("system property fieldcrypt.keys");
    assertThat(FieldcryptSettings.from(Map.of("fieldcrypt.keys", TestKeys.keysSetting(3), "fieldcrypt.active-key", "3"), sys::get, env::get)
        .keyRing().ids()).containsExactly(3);
  }

  @Test
  void environment_variable_names() {
    assertThat(FieldcryptSettings.environmentVariable("fieldcrypt.keys")).isEqualTo("FIELDCRYPT_KEYS");
    assertThat(FieldcryptSettings.environmentVariable("fieldcrypt.active-key")).isEqualTo("FIELDCRYPT_ACTIVE_KEY");
    assertThat(FieldcryptSettings.environmentVariable("fieldcrypt.allow-plaintext-reads")).isEqualTo("FIELDCRYPT_ALLOW_PLAINTEXT_READS");
  }

  @Test
  void plaintext_reads_default_to_false_and_reject_anything_but_a_boolean() {
    assertThat(FieldcryptSettings.from(Map.of(), NONE, NONE).allowPlaintextReads()).isFalse();
    assertThat(FieldcryptSettings.from(Map.of(), NONE, Map.of("FIELDCRYPT_ALLOW_PLAINTEXT_READS", "TRUE")::get).allowPlaintextReads()).isTrue();
    assertThatThrownBy(() -> FieldcryptSettings.from(Map.of("fieldcrypt.allow-plaintext-reads", "yes"), NONE, NONE).allowPlaintextReads())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("fieldcrypt.allow-plaintext-reads")
        .satisfies(e -> assertThat(((ConfigurationException) e).getSetting()).isEqualTo("fieldcrypt.allow-plaintext-reads"));
  }

  @Test
  void error_messages_name_the_setting_and_its_source_and_never_the_key() {
    String secret = TestKeys.base64(9);
    assertConfigError(Map.of(), "fieldcrypt.keys", "No encryption keys configured", "FIELDCRYPT_KEYS");
    assertConfigError(Map.of("fieldcrypt.keys", "1:" + secret.substring(0, 20) + "!!"), "fieldcrypt.keys", "not valid base64", "key id 1");
    assertConfigError(Map.of("fieldcrypt.keys", "1:" + Base64.getEncoder().encodeToString(new byte[16])), "fieldcrypt.keys", "16 bytes", "exactly 32");
    assertConfigError(Map.of("fieldcrypt.keys", "1:" + secret + ",1:" + TestKeys.base64(2)), "fieldcrypt.keys", "Duplicate key id 1");
    assertConfigError(Map.of("fieldcrypt.keys", secret), "fieldcrypt.keys", "expected id:base64key");
    assertConfigError(Map.of("fieldcrypt.keys", "x:" + secret), "fieldcrypt.keys", "Invalid key id");
    assertConfigError(Map.of("fieldcrypt.keys", "-1:" + secret), "fieldcrypt.keys", "Invalid key id");
    assertConfigError(Map.of("fieldcrypt.keys", "1:"), "fieldcrypt.keys", "not valid base64");
    assertConfigError(Map.of("fieldcrypt.keys", "1:" + secret, "fieldcrypt.active-key", "2"), "fieldcrypt.active-key", "key id 2 is not among");
    assertConfigError(Map.of("fieldcrypt.keys", "1:" + secret, "fieldcrypt.active-key", secret), "fieldcrypt.active-key", "Invalid key id");
  }

  private static void assertConfigError(Map<String, ?> properties, String setting, String... fragments) {
    assertThatThrownBy(() -> ring(properties))
        .isInstanceOf(ConfigurationException.class)
        .satisfies(e -> {
          assertThat(((ConfigurationException) e).getSetting()).isEqualTo(setting);
          assertThat(e.getMessage()).contains(setting).contains(fragments);
          for (Object value : properties.values()) {
            for (String part : value.toString().split("[,:]")) {
              if (part.trim().length() > 8) {
                assertThat(e.getMessage()).doesNotContain(part.trim());
              }
            }
          }
        });
  }

  @Test
  void to_string_never_shows_keys() {
    FieldcryptSettings settings = FieldcryptSettings.from(Map.of("fieldcrypt.keys", TestKeys.keysSetting(1)), NONE, NONE);
    assertThat(settings.toString()).doesNotContain(TestKeys.base64(1)).contains("set");
    assertThat(settings.keyRing().toString()).isEqualTo("KeyRing[ids=[1], active=1]");
    assertThat(settings.keyRing().active().toString()).startsWith("DataKey[id=1, fingerprint=").doesNotContain(TestKeys.base64(1));
  }
}
