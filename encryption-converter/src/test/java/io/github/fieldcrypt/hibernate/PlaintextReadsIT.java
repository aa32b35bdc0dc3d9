package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.DecryptionException;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.testing.Ciphertexts;
import io.github.fieldcrypt.testing.Failures;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.SessionFactory;

/**
 * The transition setting {@code fieldcrypt.allow-plaintext-reads}: legacy plaintext rows read as
 * they are while the migration runs; anything that looks like a v1 value must authenticate.
 */
class PlaintextReadsIT {

  @OnEachDatabase
  void legacy_plaintext_is_an_error_by_default(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), AllTypes.class)) {
      sf.inTransaction(s -> s.persist(new AllTypes(1L)));
      Raw.write(db, url, "all_types", "text_value", 1, io.github.fieldcrypt.testing.Planted.LEGACY);
      FieldcryptException e = Failures.fieldcryptFailure(() -> sf.fromTransaction(s -> s.find(AllTypes.class, 1L)));
      assertThat(e).isInstanceOf(DecryptionException.class);
      assertThat(((DecryptionException) e).getReason()).isEqualTo(DecryptionException.Reason.NOT_CIPHERTEXT);
      assertThat(e.getMessage()).contains("AllTypes.text").contains("fieldcrypt.allow-plaintext-reads").doesNotContain("legacy-api-key");
    }
  }

  @OnEachDatabase
  void with_plaintext_reads_legacy_rows_read_and_new_writes_are_encrypted(TestDatabase db) throws Exception {
    String url = db.url();
    Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
    settings.put("fieldcrypt.allow-plaintext-reads", "true");
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings, AllTypes.class)) {
      sf.inTransaction(s -> {
        s.persist(new AllTypes(1L));
        s.persist(new AllTypes(2L));
        s.persist(new AllTypes(3L));
      });
      Raw.write(db, url, "all_types", "text_value", 1, io.github.fieldcrypt.testing.Planted.LEGACY);
      Raw.write(db, url, "all_types", "int_value", 1, "42");
      Raw.write(db, url, "all_types", "status", 1, "SUSPENDED");
      Raw.write(db, url, "all_types", "bytes_value", 1, new byte[] {1, 2, 3});

      AllTypes legacy = sf.fromTransaction(s -> s.find(AllTypes.class, 1L));
      assertThat(legacy.text).isEqualTo(io.github.fieldcrypt.testing.Planted.LEGACY);
      assertThat(legacy.integer).isEqualTo(42);
      assertThat(legacy.status).isEqualTo(Status.SUSPENDED);
      assertThat(legacy.bytes).containsExactly(1, 2, 3);

      // Writing the row (a change) encrypts it.
      sf.inTransaction(s -> s.find(AllTypes.class, 1L).text = "rotated-api-key");
      Ciphertexts.assertTextCiphertext(Raw.read(db, url, "all_types", "text_value", 1), "all_types", "text_value", 1);

      // A legacy value that is not the canonical form of the attribute's type: typed error, value not echoed.
      Raw.write(db, url, "all_types", "int_value", 2, "forty-two");
      FieldcryptException notCanonical = Failures.fieldcryptFailure(() -> sf.fromTransaction(s -> s.find(AllTypes.class, 2L)));
      assertThat(notCanonical.getMessage()).contains("AllTypes.integer").contains("Integer").doesNotContain("forty-two");

      // Something that parses as v1 but does not authenticate is never handed out as plaintext.
      byte[] forged = CiphertextFormat.fromText(Ciphertexts.encryptor(1).encryptToText("x", io.github.fieldcrypt.EncryptionContext.forColumn("all_types", "text_value")));
      forged[forged.length - 1] ^= 1;
      Raw.write(db, url, "all_types", "text_value", 3, CiphertextFormat.toText(forged));
      FieldcryptException tampered = Failures.fieldcryptFailure(() -> sf.fromTransaction(s -> s.find(AllTypes.class, 3L)));
      assertThat(((DecryptionException) tampered).getReason()).isEqualTo(DecryptionException.Reason.AUTHENTICATION_FAILED);
    }
  }
}
