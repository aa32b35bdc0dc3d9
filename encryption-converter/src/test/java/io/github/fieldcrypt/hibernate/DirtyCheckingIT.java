package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;

/**
 * Dirty checking compares plaintext: an unchanged entity is never re-written (even though every
 * encryption gives different bytes), and real changes, including in-place changes to a byte[],
 * are.
 */
class DirtyCheckingIT {

  @OnEachDatabase
  void an_unchanged_entity_is_not_updated_and_changes_are(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), Document.class, AllTypes.class)) {
      sf.inTransaction(s -> {
        s.persist(new Document(1L, "Quarterly report", "body".getBytes(StandardCharsets.UTF_8), 12, "alice"));
        s.persist(AllTypes.sample(1));
      });
      Statistics statistics = sf.getStatistics();
      statistics.clear();

      sf.inTransaction(s -> {
        s.find(Document.class, 1L);
        s.find(AllTypes.class, 1L);
        s.flush();
      });
      assertThat(statistics.getEntityUpdateCount()).as("updates after loading unchanged entities").isZero();
      assertThat(statistics.getEntityLoadCount()).isEqualTo(2);

      String before = Raw.readText(db, url, "documents", "title", 1);
      sf.inTransaction(s -> s.find(Document.class, 1L).title = "Quarterly report");
      assertThat(statistics.getEntityUpdateCount()).as("setting an equal value").isZero();
      assertThat(Raw.readText(db, url, "documents", "title", 1)).isEqualTo(before);

      sf.inTransaction(s -> s.find(Document.class, 1L).body[0] = 'B');
      assertThat(statistics.getEntityUpdateCount()).as("an in-place change to a byte[]").isEqualTo(1);

      sf.inTransaction(s -> s.find(Document.class, 1L).title = "Annual report");
      assertThat(statistics.getEntityUpdateCount()).isEqualTo(2);
      assertThat(Raw.readText(db, url, "documents", "title", 1)).isNotEqualTo(before);

      Document read = sf.fromTransaction(s -> s.find(Document.class, 1L));
      assertThat(read.title).isEqualTo("Annual report");
      assertThat(new String(read.body, StandardCharsets.UTF_8)).isEqualTo("Body");
    }
  }
}
