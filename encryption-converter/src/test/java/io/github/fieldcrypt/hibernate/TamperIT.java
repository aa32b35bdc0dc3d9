package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.DecryptionException;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.UnknownKeyException;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.testing.Failures;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.util.Arrays;
import java.util.Map;
import org.hibernate.SessionFactory;

/**
 * A stored ciphertext that was changed in any way, or moved to another column, never reads back:
 * every read raises fieldcrypt's typed exception, naming the attribute and never the data.
 */
class TamperIT {
  private static final String SECRET = io.github.fieldcrypt.testing.Planted.API_KEY;

  @OnEachDatabase
  void every_flipped_byte_truncation_and_extension_of_a_text_value_is_detected(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), AllTypes.class)) {
      AllTypes row = new AllTypes(1L);
      row.text = SECRET;
      sf.inTransaction(s -> s.persist(row));
      String original = Raw.readText(db, url, "all_types", "text_value", 1);
      byte[] bytes = CiphertextFormat.fromText(original);

      for (int i = 0; i < bytes.length; i++) {
        byte[] flipped = bytes.clone();
        flipped[i] ^= 0x01;
        assertReadFails(sf, db, url, CiphertextFormat.toText(flipped), "flipped byte " + i);
      }
      for (int length = 0; length < bytes.length; length++) {
        assertReadFails(sf, db, url, CiphertextFormat.toText(Arrays.copyOf(bytes, length)), "truncated to " + length);
      }
      assertReadFails(sf, db, url, CiphertextFormat.toText(Arrays.copyOf(bytes, bytes.length + 1)), "one byte appended");
      assertReadFails(sf, db, url, original + "A", "one character appended");
      assertReadFails(sf, db, url, original.substring(0, original.length() - 1), "last character removed");

      Raw.write(db, url, "all_types", "text_value", 1, original);
      assertThat(sf.fromTransaction(s -> s.find(AllTypes.class, 1L)).text).isEqualTo(SECRET);
    }
  }

  @OnEachDatabase
  void every_flipped_byte_of_a_binary_value_is_detected(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), AllTypes.class)) {
      AllTypes row = new AllTypes(1L);
      row.bytes = SECRET.getBytes();
      sf.inTransaction(s -> s.persist(row));
      byte[] original = Raw.readBytes(db, url, "all_types", "bytes_value", 1);
      for (int i = 0; i < original.length; i++) {
        byte[] flipped = original.clone();
        flipped[i] ^= (byte) 0x80;
        Raw.write(db, url, "all_types", "bytes_value", 1, flipped);
        FieldcryptException e = Failures.fieldcryptFailure(() -> sf.fromTransaction(s -> s.find(AllTypes.class, 1L)));
        assertThat(e.getMessage()).as("byte %d", i).contains("AllTypes.bytes").contains("all_types.bytes_value");
      }
      for (int length : new int[] {0, 1, 17, original.length - 1}) {
        Raw.write(db, url, "all_types", "bytes_value", 1, Arrays.copyOf(original, length));
        assertThat(Failures.fieldcryptFailure(() -> sf.fromTransaction(s -> s.find(AllTypes.class, 1L))))
            .isInstanceOf(DecryptionException.class);
      }
    }
  }

  @OnEachDatabase
  void a_ciphertext_copied_to_another_column_does_not_decrypt(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), AllTypes.class)) {
      AllTypes row = new AllTypes(1L);
      row.text = "42";
      row.integer = 42;
      sf.inTransaction(s -> s.persist(row));
      // Both columns hold the encryption of the string "42": only the context tells them apart.
      Raw.write(db, url, "all_types", "int_value", 1, Raw.readText(db, url, "all_types", "text_value", 1));
      FieldcryptException e = Failures.fieldcryptFailure(() -> sf.fromTransaction(s -> s.find(AllTypes.class, 1L)));
      assertThat(e).isInstanceOf(DecryptionException.class);
      assertThat(((DecryptionException) e).getReason()).isEqualTo(DecryptionException.Reason.AUTHENTICATION_FAILED);
      assertThat(e.getMessage()).contains("AllTypes.integer").contains("all_types.int_value").contains("key id 1");
      assertThat(e.getContext()).isEqualTo("all_types.int_value");
      assertThat(e.getKeyId()).isEqualTo(1);
    }
  }

  @OnEachDatabase
  void a_value_under_a_key_that_is_not_in_the_ring_names_the_key_id(TestDatabase db) throws Exception {
    String url = db.url();
    Map<String, Object> twoKeys = TestKeys.settings(1, 2);
    try (SessionFactory writer = Hibernate.sessionFactory(db, url, twoKeys, Person.class)) {
      writer.inTransaction(s -> s.persist(new Person(1L, SECRET, "x")));
    }
    // create-drop dropped the table; recreate it through a reader that only has key 1, then put the row back raw
    try (SessionFactory reader = Hibernate.sessionFactory(db, url, TestKeys.settings(1), Person.class)) {
      String underKey2 = io.github.fieldcrypt.testing.Ciphertexts.encryptor(1, 2)
          .encryptToText(SECRET, io.github.fieldcrypt.EncryptionContext.forColumn("people", "email"));
      reader.inTransaction(s -> s.persist(new Person(1L, "placeholder", "x")));
      Raw.write(db, url, "people", "email", 1, underKey2);
      FieldcryptException e = Failures.fieldcryptFailure(() -> reader.fromTransaction(s -> s.find(Person.class, 1L)));
      assertThat(e).isInstanceOf(UnknownKeyException.class);
      assertThat(e.getKeyId()).isEqualTo(2);
      assertThat(e.getMessage()).contains("Person.email").contains("people.email").contains("key id 2").contains("[1]");
    }
  }

  private static void assertReadFails(SessionFactory sf, TestDatabase db, String url, String stored, String what) throws Exception {
    Raw.write(db, url, "all_types", "text_value", 1, stored);
    FieldcryptException e = Failures.fieldcryptFailure(() -> sf.fromTransaction(s -> s.find(AllTypes.class, 1L)));
    assertThat(e.getMessage()).as(what).contains("AllTypes.text").doesNotContain(SECRET);
    if (stored.length() > 4) {
      assertThat(e.getMessage()).as(what).doesNotContain(stored);
    }
    assertThat(e.getContext()).as(what).isEqualTo("all_types.text_value");
  }
}
