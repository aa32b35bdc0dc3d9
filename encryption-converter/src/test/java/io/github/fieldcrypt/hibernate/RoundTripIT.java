package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.testing.Ciphertexts;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.hibernate.SessionFactory;

/**
 * Every supported type goes in as plaintext and comes back equal, while the column read through
 * JDBC holds a v1 ciphertext bound to that column (this catches a binder that stores plaintext).
 */
class RoundTripIT {

  @OnEachDatabase
  void every_type_round_trips_and_is_ciphertext_in_the_column(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), AllTypes.class)) {
      AllTypes written = AllTypes.sample(1);
      sf.inTransaction(s -> s.persist(written));

      AllTypes read = sf.fromTransaction(s -> s.find(AllTypes.class, 1L));
      assertThat(read).usingRecursiveComparison().isEqualTo(written);

      for (String column : AllTypes.TEXT_COLUMNS) {
        Ciphertexts.assertTextCiphertext(Raw.read(db, url, "all_types", column, 1), "all_types", column, 1);
      }
      Ciphertexts.assertBinaryCiphertext(Raw.read(db, url, "all_types", "bytes_value", 1), "all_types", "bytes_value", 1);
      assertThat(Raw.readText(db, url, "all_types", "plain_value", 1)).isEqualTo("plain 1");
      String rawText = Raw.readText(db, url, "all_types", "text_value", 1);
      assertThat(rawText).doesNotContain("Grüße").doesNotContain("世界");
      assertThat(Ciphertexts.encryptor(1).decryptText(rawText, EncryptionContext.forColumn("all_types", "text_value")))
          .isEqualTo(written.text);
    }
  }

  @OnEachDatabase
  void null_stays_sql_null_and_empty_stays_empty(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), AllTypes.class)) {
      AllTypes empty = new AllTypes(2L);
      empty.text = "";
      empty.bytes = new byte[0];
      sf.inTransaction(s -> {
        s.persist(new AllTypes(1L));
        s.persist(empty);
      });

      AllTypes nulls = sf.fromTransaction(s -> s.find(AllTypes.class, 1L));
      assertThat(nulls).usingRecursiveComparison().isEqualTo(new AllTypes(1L));
      for (String column : AllTypes.TEXT_COLUMNS) {
        assertThat(Raw.read(db, url, "all_types", column, 1)).as(column).isNull();
      }
      assertThat(Raw.read(db, url, "all_types", "bytes_value", 1)).isNull();

      AllTypes readEmpty = sf.fromTransaction(s -> s.find(AllTypes.class, 2L));
      assertThat(readEmpty.text).isEmpty();
      assertThat(readEmpty.bytes).isEmpty();
      Ciphertexts.assertTextCiphertext(Raw.read(db, url, "all_types", "text_value", 2), "all_types", "text_value", 1);
      Ciphertexts.assertBinaryCiphertext(Raw.read(db, url, "all_types", "bytes_value", 2), "all_types", "bytes_value", 1);
    }
  }

  @OnEachDatabase
  void two_writes_of_one_value_differ(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), AllTypes.class)) {
      AllTypes first = AllTypes.sample(7);
      AllTypes second = AllTypes.sample(7);
      second.id = 8L;
      sf.inTransaction(s -> {
        s.persist(first);
        s.persist(second);
      });
      for (String column : AllTypes.TEXT_COLUMNS) {
        assertThat(Raw.read(db, url, "all_types", column, 7)).as(column).isNotEqualTo(Raw.read(db, url, "all_types", column, 8));
      }
      assertThat(Raw.readBytes(db, url, "all_types", "bytes_value", 7)).isNotEqualTo(Raw.readBytes(db, url, "all_types", "bytes_value", 8));
    }
  }

  @OnEachDatabase
  void values_up_to_one_mebibyte(TestDatabase db) throws Exception {
    String url = db.url();
    StringBuilder text = new StringBuilder();
    Random random = new Random(42);
    String alphabet = "aZ09 é€世🌍\n\t\"'\\";
    int[] codePoints = alphabet.codePoints().toArray();
    int utf8Length = 0;
    while (utf8Length < (1 << 20) - 4) {
      int codePoint = codePoints[random.nextInt(codePoints.length)];
      text.appendCodePoint(codePoint);
      utf8Length += new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
    }
    byte[] bytes = new byte[1 << 20];
    random.nextBytes(bytes);
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), BigValues.class)) {
      sf.inTransaction(s -> s.persist(new BigValues(1L, text.toString(), bytes)));
      BigValues read = sf.fromTransaction(s -> s.find(BigValues.class, 1L));
      assertThat(read.text).isEqualTo(text.toString());
      assertThat(read.bytes).isEqualTo(bytes);
      Ciphertexts.assertTextCiphertext(Raw.read(db, url, "big_values", "text_value", 1), "big_values", "text_value", 1);
      Ciphertexts.assertBinaryCiphertext(Raw.read(db, url, "big_values", "bytes_value", 1), "big_values", "bytes_value", 1);
    }
  }
}
