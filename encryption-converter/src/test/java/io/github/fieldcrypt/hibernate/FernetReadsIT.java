package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.DecryptionException;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.testing.Ciphertexts;
import io.github.fieldcrypt.testing.Failures;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Planted;
import io.github.fieldcrypt.testing.PythonFernet;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/**
 * The transition setting {@code fieldcrypt.read-fernet}: an {@code @Encrypted} entity reads a
 * column that still holds tokens written by a Python service ({@code cryptography.fernet}, run
 * here as a subprocess), writes v1 when it changes a row, and never hands out a token that does
 * not verify.
 */
class FernetReadsIT {
  private static final String FERNET_KEY = TestKeys.fernetKey(21);
  private static final String UNICODE = "Zoë ☃ 中文 \uD83C\uDF0D";

  private static Map<String, Object> settings(String... more) {
    Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
    settings.put(FieldcryptSettings.FERNET_KEYS, TestKeys.fernetKey(22) + "," + FERNET_KEY);
    for (int i = 0; i < more.length; i += 2) {
      settings.put(more[i], more[i + 1]);
    }
    return settings;
  }

  @OnEachDatabase
  void with_read_fernet_python_tokens_read_through_the_entity_and_a_change_writes_v1(TestDatabase db) throws Exception {
    String url = db.url();
    List<String> tokens = PythonFernet.encrypt(FERNET_KEY, List.of(Planted.API_KEY, "", UNICODE, "42", "SUSPENDED"));
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings(FieldcryptSettings.READ_FERNET, "true"), AllTypes.class)) {
      sf.inTransaction(s -> {
        for (long id = 1; id <= 4; id++) {
          s.persist(new AllTypes(id));
        }
      });
      Raw.write(db, url, "all_types", "text_value", 1, tokens.get(0));
      Raw.write(db, url, "all_types", "text_value", 2, tokens.get(1));
      Raw.write(db, url, "all_types", "text_value", 3, tokens.get(2));
      Raw.write(db, url, "all_types", "int_value", 1, tokens.get(3));
      Raw.write(db, url, "all_types", "status", 1, tokens.get(4));

      AllTypes first = sf.fromTransaction(s -> s.find(AllTypes.class, 1L));
      assertThat(first.text).isEqualTo(Planted.API_KEY);
      assertThat(first.integer).isEqualTo(42);
      assertThat(first.status).isEqualTo(Status.SUSPENDED);
      assertThat(sf.fromTransaction(s -> s.find(AllTypes.class, 2L)).text).isEmpty();
      assertThat(sf.fromTransaction(s -> s.find(AllTypes.class, 3L)).text).isEqualTo(UNICODE);
      // loading is not writing: the token stays until the application changes the row
      assertThat(Raw.read(db, url, "all_types", "text_value", 1)).isEqualTo(tokens.get(0));

      sf.inTransaction(s -> s.find(AllTypes.class, 1L).text = "rotated-" + Planted.API_KEY.substring(8));
      Ciphertexts.assertTextCiphertext(Raw.read(db, url, "all_types", "text_value", 1), "all_types", "text_value", 1);
      assertThat(sf.fromTransaction(s -> s.find(AllTypes.class, 1L)).text).isEqualTo("rotated-" + Planted.API_KEY.substring(8));

      // a token that fails its HMAC is an error, never plaintext
      byte[] data = Base64.getUrlDecoder().decode(tokens.get(2));
      data[30] ^= 1;
      String tampered = Base64.getUrlEncoder().encodeToString(data);
      Raw.write(db, url, "all_types", "text_value", 4, tampered);
      FieldcryptException e = Failures.fieldcryptFailure(() -> sf.fromTransaction(s -> s.find(AllTypes.class, 4L)));
      assertThat(((DecryptionException) e).getReason()).isEqualTo(DecryptionException.Reason.AUTHENTICATION_FAILED);
      assertThat(e.getMessage()).contains("AllTypes.text").contains("all_types.text_value").contains("none of the 2 Fernet keys")
          .doesNotContain(tampered.substring(10, 40));
    }
  }

  @OnEachDatabase
  void a_tampered_token_is_an_error_even_with_plaintext_reads(TestDatabase db) throws Exception {
    String url = db.url();
    String token = PythonFernet.encrypt(FERNET_KEY, List.of(Planted.LEGACY)).get(0);
    byte[] data = Base64.getUrlDecoder().decode(token);
    data[data.length - 1] ^= 0x40;
    String tampered = Base64.getUrlEncoder().encodeToString(data);
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings(FieldcryptSettings.READ_FERNET, "true",
        FieldcryptSettings.ALLOW_PLAINTEXT_READS, "true"), AllTypes.class)) {
      sf.inTransaction(s -> {
        s.persist(new AllTypes(1L));
        s.persist(new AllTypes(2L));
      });
      Raw.write(db, url, "all_types", "text_value", 1, tampered);
      Raw.write(db, url, "all_types", "text_value", 2, Planted.LEGACY);
      FieldcryptException e = Failures.fieldcryptFailure(() -> sf.fromTransaction(s -> s.find(AllTypes.class, 1L)));
      assertThat(((DecryptionException) e).getReason()).isEqualTo(DecryptionException.Reason.AUTHENTICATION_FAILED);
      assertThat(e.getMessage()).doesNotContain(Planted.LEGACY);
      // plaintext that is no token still reads as it is
      assertThat(sf.fromTransaction(s -> s.find(AllTypes.class, 2L)).text).isEqualTo(Planted.LEGACY);
    }
  }

  @OnEachDatabase
  void without_read_fernet_a_token_is_not_ciphertext(TestDatabase db) throws Exception {
    String url = db.url();
    String token = PythonFernet.encrypt(FERNET_KEY, List.of(Planted.API_KEY)).get(0);
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings(), AllTypes.class)) {
      sf.inTransaction(s -> s.persist(new AllTypes(1L)));
      Raw.write(db, url, "all_types", "text_value", 1, token);
      FieldcryptException e = Failures.fieldcryptFailure(() -> sf.fromTransaction(s -> s.find(AllTypes.class, 1L)));
      assertThat(((DecryptionException) e).getReason()).isEqualTo(DecryptionException.Reason.NOT_CIPHERTEXT);
      assertThat(e.getMessage()).contains("AllTypes.text");
    }
    // with plaintext reads and without Fernet reads, a token is just a value that is not v1
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings(FieldcryptSettings.ALLOW_PLAINTEXT_READS, "true"),
        AllTypes.class)) {
      sf.inTransaction(s -> s.persist(new AllTypes(1L)));
      Raw.write(db, url, "all_types", "text_value", 1, token);
      assertThat(sf.fromTransaction(s -> s.find(AllTypes.class, 1L)).text).isEqualTo(token);
    }
  }

  @Test
  void read_fernet_without_fernet_keys_stops_the_session_factory() {
    TestDatabase db = TestDatabase.H2;
    Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
    settings.put(FieldcryptSettings.READ_FERNET, "true");
    FieldcryptException e = Failures.fieldcryptFailure(() -> Hibernate.sessionFactory(db, db.url(), settings, AllTypes.class).close());
    assertThat(e).isInstanceOf(ConfigurationException.class);
    assertThat(((ConfigurationException) e).getSetting()).isEqualTo(FieldcryptSettings.FERNET_KEYS);
    assertThat(e.getMessage()).contains("fieldcrypt.read-fernet").contains("FIELDCRYPT_FERNET_KEYS");
  }
}
