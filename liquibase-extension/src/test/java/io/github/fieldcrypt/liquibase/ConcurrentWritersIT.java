package io.github.fieldcrypt.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.liquibase.testing.Fixture;
import io.github.fieldcrypt.liquibase.testing.LiquibaseRun;
import io.github.fieldcrypt.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Application threads keep updating random rows while {@code encryptColumn} runs, some with
 * plaintext (an old instance of the application), some through the encryptor (a new one).
 * Compare-and-set must never overwrite one of their writes: at the end every row holds, once
 * decrypted, the last value its writer wrote.
 */
class ConcurrentWritersIT {
  private static final int ROWS = 6000;
  private static final int WRITERS = 3;

  @TempDir
  Path tmp;

  @ParameterizedTest
  @MethodSource("io.github.fieldcrypt.liquibase.testing.Samples#databases")
  void every_concurrent_write_survives_and_ends_up_encrypted(TestDatabase db) throws Exception {
    try (Fixture f = new Fixture(db, Files.createTempDirectory(tmp, db.name()))) {
      f.createTextTable("email", 255);
      Map<Long, String> rows = new LinkedHashMap<>();
      for (long id = 1; id <= ROWS; id++) {
        rows.put(id, "original-" + id + "@example.com");
      }
      f.insert("email", rows);
      Map<Long, String> expected = new ConcurrentHashMap<>(rows);
      String change = "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\" batchSize=\"50\"/>";
      f.xmlChangelog("v1.xml", Map.of("enc-1", change));
      f.xmlChangelog("v2.xml", new TreeMap<>(Map.of("enc-1", change, "enc-2", change)));
      FieldEncryptor encryptor = Fixture.encryptor(1, 2);
      EncryptionContext ctx = f.context("email");

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong writes = new AtomicLong();
      List<Thread> writers = new ArrayList<>();
      List<Throwable> failures = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        Thread t = new Thread(() -> {
          try (Connection c = f.connect();
              PreparedStatement ps = c.prepareStatement("UPDATE " + f.table + " SET email = ? WHERE id = ?")) {
            for (int seq = 0; !stop.get(); seq++) {
              // each writer owns the ids congruent to its number: per row, its own order is the commit order
              long id = ThreadLocalRandom.current().nextInt(ROWS / WRITERS) * WRITERS + writer + 1;
              String value = "w" + writer + "-" + seq + "@example.com";
              ps.setString(1, seq % 2 == 0 ? value : encryptor.encryptToText(value, ctx));
              ps.setLong(2, id);
              ps.executeUpdate();
              expected.put(id, value);
              writes.incrementAndGet();
            }
          } catch (Throwable e) {
            synchronized (failures) {
              failures.add(e);
            }
          }
        });
        t.start();
        writers.add(t);
      }
      LiquibaseRun lb = f.liquibase();
      String out;
      long writesBefore;
      try {
        while (writes.get() < 200) {
          Thread.sleep(5);
        }
        writesBefore = writes.get();
        out = lb.update("v1.xml");
      } finally {
        stop.set(true);
        for (Thread t : writers) {
          t.join();
        }
      }
      assertThat(failures).isEmpty();
      assertThat(writes.get()).as("writes during the migration").isGreaterThan(writesBefore);
      Matcher m = Pattern.compile("(\\d+) retried after concurrent writes").matcher(out);
      assertThat(m.find()).isTrue();
      System.out.println(db + ": " + (writes.get() - writesBefore) + " concurrent writes, " + m.group(1) + " rows retried");

      // plaintext written after the pass passed a row is picked up by running again
      lb.update("v2.xml");
      Map<Long, Object> stored = f.read("email");
      assertThat(stored).hasSize(ROWS);
      for (Map.Entry<Long, Object> row : stored.entrySet()) {
        assertThat(encryptor.decryptText((String) row.getValue(), ctx)).as("row %s", row.getKey())
            .isEqualTo(expected.get(row.getKey()));
      }
    }
  }
}
