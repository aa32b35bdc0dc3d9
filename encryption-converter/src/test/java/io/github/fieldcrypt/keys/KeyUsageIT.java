package io.github.fieldcrypt.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fieldcrypt.hibernate.AllTypes;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.SessionFactory;

/** Rows per key id, from the headers, for a text and a binary column. */
class KeyUsageIT {

  @OnEachDatabase
  void counts_rows_per_key_id_plaintext_and_null(TestDatabase db) throws Exception {
    String url = db.url();
    Map<String, Object> first = new HashMap<>(TestKeys.settings(1));
    first.put("hibernate.hbm2ddl.auto", "create");
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, first, AllTypes.class)) {
      sf.inTransaction(s -> {
        for (long id = 1; id <= 3; id++) {
          s.persist(AllTypes.sample(id));
        }
        s.persist(new AllTypes(4L));
      });
    }
    Map<String, Object> rotated = new HashMap<>(TestKeys.settings(1, 2));
    rotated.put("hibernate.hbm2ddl.auto", "none");
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, rotated, AllTypes.class)) {
      sf.inTransaction(s -> {
        s.persist(AllTypes.sample(5));
        s.persist(AllTypes.sample(6));
      });
      Raw.write(db, url, "all_types", "text_value", 6, "still plaintext");
      try (Connection c = db.connect(url)) {
        KeyUsage.Report text = KeyUsage.of(c, "all_types", "text_value");
        assertThat(text.rows()).isEqualTo(6);
        assertThat(text.nulls()).isEqualTo(1);
        assertThat(text.notEncrypted()).isEqualTo(1);
        assertThat(text.rowsByKeyId()).containsExactly(Map.entry(1, 3L), Map.entry(2, 1L));
        assertThat(text.unused(3)).isTrue();
        assertThat(text.unused(1)).isFalse();
        assertThat(text.toString()).isEqualTo("all_types.text_value: 6 rows — key 1: 3, key 2: 1, 1 not encrypted, 1 null");

        KeyUsage.Report bytes = KeyUsage.of(c, "all_types", "bytes_value");
        assertThat(bytes.rowsByKeyId()).containsExactly(Map.entry(1, 3L), Map.entry(2, 2L));
      }
      try (Connection c = db.connect(url)) {
        assertThatThrownBy(() -> KeyUsage.of(c, "all_types; drop table all_types", "text_value"))
            .isInstanceOf(IllegalArgumentException.class);
        c.createStatement().execute("drop table all_types");
      }
    }
  }
}
