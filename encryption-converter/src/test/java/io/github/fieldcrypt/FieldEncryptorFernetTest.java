package io.github.fieldcrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.crypto.Fernet;
import io.github.fieldcrypt.crypto.FernetKey;
import io.github.fieldcrypt.testing.Failures;
import io.github.fieldcrypt.testing.HandMadeFernet;
import io.github.fieldcrypt.testing.Planted;
import io.github.fieldcrypt.testing.PythonFernet;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Transition reads of Fernet tokens ({@code fieldcrypt.read-fernet}): tokens made by Python's
 * {@code cryptography.fernet} read through {@link FieldEncryptor#decryptText}, v1 values as
 * before, and every defective token a typed error naming the context, never the token.
 */
class FieldEncryptorFernetTest {
  private static final Function<String, String> NONE = k -> null;
  private static final String KEY = TestKeys.fernetKey(21);
  private static final EncryptionContext CONTEXT = EncryptionContext.forColumn("customers", "api_key").describing("Customer", "apiKey");
  private static final List<String> PLAINTEXTS = List.of("", "sk_live_python_made", "Zoë ☃ 中文 \uD83C\uDF0D", "y".repeat(300));

  private static FieldEncryptor encryptor(Map<String, String> extra) {
    Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
    settings.putAll(extra);
    return FieldEncryptor.fromSettings(FieldcryptSettings.from(settings, NONE, NONE));
  }

  @Test
  void with_read_fernet_python_tokens_read_and_v1_values_read_as_before() {
    FieldEncryptor encryptor = encryptor(Map.of(FieldcryptSettings.FERNET_KEYS, TestKeys.fernetKey(22) + "," + KEY,
        FieldcryptSettings.READ_FERNET, "true"));
    assertThat(encryptor.readsFernet()).isTrue();
    List<String> tokens = PythonFernet.encrypt(KEY, PLAINTEXTS);
    for (int i = 0; i < tokens.size(); i++) {
      assertThat(encryptor.decryptText(tokens.get(i), CONTEXT)).isEqualTo(PLAINTEXTS.get(i));
    }
    String v1 = encryptor.encryptToText("new value", CONTEXT);
    assertThat(encryptor.decryptText(v1, CONTEXT)).isEqualTo("new value");
    // plaintext is still an error without plaintext reads, and read as it is with them
    assertThat(Failures.fieldcryptFailure(() -> encryptor.decryptText("not a token", CONTEXT)))
        .isInstanceOf(DecryptionException.class)
        .extracting(e -> ((DecryptionException) e).getReason()).isEqualTo(DecryptionException.Reason.NOT_CIPHERTEXT);
    assertThat(encryptor.withPlaintextReads(true).decryptText("not a token", CONTEXT)).isEqualTo("not a token");
    assertThat(encryptor.withPlaintextReads(true).decryptText(tokens.get(1), CONTEXT)).isEqualTo(PLAINTEXTS.get(1));
  }

  @Test
  void without_read_fernet_a_token_is_like_any_value_that_is_not_v1() {
    String token = PythonFernet.encrypt(KEY, Planted.API_KEY.getBytes(StandardCharsets.UTF_8));
    // keys configured but reads off (the default)
    FieldEncryptor off = encryptor(Map.of(FieldcryptSettings.FERNET_KEYS, KEY));
    assertThat(off.readsFernet()).isFalse();
    DecryptionException e = (DecryptionException) Failures.fieldcryptFailure(() -> off.decryptText(token, CONTEXT));
    assertThat(e.getReason()).isEqualTo(DecryptionException.Reason.NOT_CIPHERTEXT);
    assertThat(off.withPlaintextReads(true).decryptText(token, CONTEXT)).isEqualTo(token);
    assertThat(encryptor(Map.of(FieldcryptSettings.READ_FERNET, "false")).readsFernet()).isFalse();
  }

  @Test
  void a_defective_token_is_a_typed_error_even_with_plaintext_reads() {
    FieldEncryptor lenient = encryptor(Map.of(FieldcryptSettings.FERNET_KEYS, KEY, FieldcryptSettings.READ_FERNET, "true",
        FieldcryptSettings.ALLOW_PLAINTEXT_READS, "true"));
    String token = PythonFernet.encrypt(KEY, Planted.API_KEY.getBytes(StandardCharsets.UTF_8));
    byte[] data = java.util.Base64.getUrlDecoder().decode(token);
    data[40] ^= 0x10;
    String tampered = java.util.Base64.getUrlEncoder().encodeToString(data);
    String otherKey = PythonFernet.encrypt(TestKeys.fernetKey(23), Planted.API_KEY.getBytes(StandardCharsets.UTF_8));
    String badPadding = HandMadeFernet.badPadding(KEY, Instant.now().getEpochSecond());
    String damaged = token.substring(0, 60) + "*" + token.substring(61);

    assertFails(lenient, tampered, DecryptionException.Reason.AUTHENTICATION_FAILED, "verifies under none of the 1 Fernet key");
    assertFails(lenient, otherKey, DecryptionException.Reason.AUTHENTICATION_FAILED, "verifies under none");
    assertFails(lenient, badPadding, DecryptionException.Reason.BAD_PADDING, "padding is invalid");
    assertFails(lenient, damaged, DecryptionException.Reason.MALFORMED_TOKEN, "not URL-safe base64");
    String binary = PythonFernet.encrypt(KEY, new byte[] {'k', (byte) 0xC3, (byte) 0x28, 'x'});
    assertFails(lenient, binary, DecryptionException.Reason.NOT_UTF8, "not UTF-8 text");

    long made = Instant.now().getEpochSecond();
    Fernet withTtl = Fernet.builder().add(FernetKey.parse(KEY)).ttl(Duration.ofMinutes(5))
        .clock(Clock.fixed(Instant.ofEpochSecond(made + 301 + 60), ZoneOffset.UTC)).build();
    FieldEncryptor timed = lenient.withFernetReads(withTtl);
    assertFails(timed, token, DecryptionException.Reason.EXPIRED, "older than its time-to-live of PT5M");
    Fernet early = Fernet.builder().add(FernetKey.parse(KEY)).ttl(Duration.ofMinutes(5))
        .clock(Clock.fixed(Instant.ofEpochSecond(made - 3600), ZoneOffset.UTC)).build();
    assertFails(lenient.withFernetReads(early), token, DecryptionException.Reason.EXPIRED, "in the future");
    assertThat(lenient.withFernetReads(null).decryptText(token, CONTEXT)).isEqualTo(token);
  }

  @Test
  void settings_read_fernet_without_keys_or_with_bad_keys_fails_at_start_naming_the_setting_never_the_key() {
    assertThatThrownBy(() -> encryptor(Map.of(FieldcryptSettings.READ_FERNET, "true")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("fieldcrypt.read-fernet (configuration property fieldcrypt.read-fernet) is true")
        .hasMessageContaining("FIELDCRYPT_FERNET_KEYS")
        .satisfies(e -> assertThat(((ConfigurationException) e).getSetting()).isEqualTo(FieldcryptSettings.FERNET_KEYS));
    String secret = TestKeys.fernetKey(24);
    for (String bad : List.of(KEY + "," + secret.substring(0, 30), KEY + ",b'" + secret + "'", secret + "," + secret,
        KEY + ",", secret.substring(0, 20) + "*" + secret.substring(21))) {
      assertThatThrownBy(() -> encryptor(Map.of(FieldcryptSettings.FERNET_KEYS, bad, FieldcryptSettings.READ_FERNET, "true")))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("of fieldcrypt.fernet-keys (configuration property fieldcrypt.fernet-keys)")
          .satisfies(e -> assertThat(((ConfigurationException) e).getSetting()).isEqualTo(FieldcryptSettings.FERNET_KEYS))
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret.substring(0, 12)).doesNotContain(secret.substring(16, 30))
              .doesNotContain(KEY.substring(0, 12)));
    }
    assertThatThrownBy(() -> encryptor(Map.of(FieldcryptSettings.FERNET_KEYS, secret + "," + secret, FieldcryptSettings.READ_FERNET, "true")))
        .hasMessageContaining("entry 2").hasMessageContaining("the same key as entry 1");
    assertThatThrownBy(() -> encryptor(Map.of(FieldcryptSettings.READ_FERNET, "yes")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("fieldcrypt.read-fernet");
  }

  @Test
  void settings_ttl_and_lookup_order() {
    FieldcryptSettings fromEnv = FieldcryptSettings.from(Map.of(), NONE,
        Map.of("FIELDCRYPT_FERNET_KEYS", KEY, "FIELDCRYPT_READ_FERNET", "true", "FIELDCRYPT_FERNET_TTL", "P30D")::get);
    assertThat(fromEnv.readFernet()).isTrue();
    Fernet fernet = fromEnv.fernetForReads();
    assertThat(fernet.ttl()).contains(Duration.ofDays(30));
    assertThat(fernet.keys()).extracting(FernetKey::fingerprint).containsExactly(FernetKey.parse(KEY).fingerprint());
    // properties win over the environment, each setting on its own
    FieldcryptSettings both = FieldcryptSettings.from(Map.of(FieldcryptSettings.FERNET_KEYS, TestKeys.fernetKey(22)), NONE,
        Map.of("FIELDCRYPT_FERNET_KEYS", KEY, "FIELDCRYPT_FERNET_TTL", "PT1H")::get);
    assertThat(both.fernet().orElseThrow().keys()).extracting(FernetKey::fingerprint)
        .containsExactly(FernetKey.parse(TestKeys.fernetKey(22)).fingerprint());
    assertThat(both.fernet().orElseThrow().ttl()).contains(Duration.ofHours(1));
    assertThat(FieldcryptSettings.from(Map.of(), NONE, NONE).fernet()).isEmpty();
    assertThat(FieldcryptSettings.from(Map.of(FieldcryptSettings.FERNET_KEYS, KEY), NONE, NONE).fernet().orElseThrow().ttl()).isEmpty();
    assertThat(FieldcryptSettings.from(Map.of(), NONE, NONE).fernetForReads()).isNull();
    for (String bad : List.of("1h", "PT0S", "-PT1H", "PT1.5S", "3600")) {
      assertThatThrownBy(() -> FieldcryptSettings.from(Map.of(FieldcryptSettings.FERNET_KEYS, KEY), NONE,
          Map.of("FIELDCRYPT_FERNET_TTL", bad)::get).fernet())
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("Invalid value for fieldcrypt.fernet-ttl (environment variable FIELDCRYPT_FERNET_TTL): expected a positive"
              + " ISO-8601 duration of whole seconds, such as PT1H or P30D");
    }
    assertThat(FieldcryptSettings.fernetSettingNames()).containsExactly("fieldcrypt.fernet-keys", "fieldcrypt.read-fernet",
        "fieldcrypt.fernet-ttl");
  }

  @Test
  void to_string_shows_fingerprints_never_key_material() {
    FieldEncryptor encryptor = encryptor(Map.of(FieldcryptSettings.FERNET_KEYS, KEY, FieldcryptSettings.READ_FERNET, "true"));
    String fingerprint = FernetKey.parse(KEY).fingerprint();
    assertThat(encryptor.toString()).endsWith(", readFernet=Fernet[keys=[" + fingerprint + "]]]")
        .doesNotContain(KEY.substring(0, 20)).doesNotContain(KEY.substring(20, 40));
  }

  private static void assertFails(FieldEncryptor encryptor, String token, DecryptionException.Reason reason, String why) {
    FieldcryptException e = Failures.fieldcryptFailure(() -> encryptor.decryptText(token, CONTEXT));
    assertThat(e).isInstanceOf(DecryptionException.class);
    assertThat(((DecryptionException) e).getReason()).isEqualTo(reason);
    assertThat(e.getContext()).isEqualTo("customers.api_key");
    assertThat(e.getMessage()).startsWith("Cannot decrypt Customer.apiKey (context \"customers.api_key\"): the stored value ")
        .contains(why).contains("fieldcrypt.read-fernet=true")
        .doesNotContain(token.substring(0, 30)).doesNotContain(token.substring(40, 70)).doesNotContain(Planted.API_KEY);
  }
}
