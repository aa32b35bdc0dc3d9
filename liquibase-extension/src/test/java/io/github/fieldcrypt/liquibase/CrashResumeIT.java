package io.github.fieldcrypt.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.liquibase.testing.Fixture;
import io.github.fieldcrypt.liquibase.testing.Fork;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM running {@code update} over 100,000 rows (PostgreSQL, else MariaDB, else an H2 file) is killed ({@code destroyForcibly}) at three
 * points of the migration. After each kill every row is either its original plaintext or its
 * ciphertext, Liquibase's lock (left held by the dead JVM) is released the documented way
 * ({@code releaseLocks}), and the next run resumes; the last run completes. In the end: no row
 * lost, none left plaintext, none encrypted twice.
 */
class CrashResumeIT {
  private static final int ROWS = 100_000;
  private static final Pattern PROGRESS = Pattern.compile("encryptColumn (\\d+) of (\\d+) rows");

  @TempDir
  Path tmp;

  @Test
  void killed_runs_resume_and_finish_with_every_row_encrypted_once() throws Exception {
    // A database server, as in production: the server rolls back the dead JVM's open page.
    // H2 as a file database only where no server runs: an embedded H2 2.5 file reopened after a
    // kill during a write can spin forever on the dead transaction's row locks.
    TestDatabase db = TestDatabase.POSTGRESQL.isReachable() ? TestDatabase.POSTGRESQL
        : TestDatabase.MARIADB.isReachable() ? TestDatabase.MARIADB : TestDatabase.H2;
    String url = db == TestDatabase.H2
        ? "jdbc:h2:file:" + tmp.resolve("crash").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE" : db.url();
    try (Fixture f = new Fixture(db, url, tmp)) {
      f.createTextTable("email", 255);
      try (Connection c = f.connect()) {
        c.setAutoCommit(false);
        try (var ps = c.prepareStatement("INSERT INTO " + f.table + " (id, email) VALUES (?, ?)")) {
          for (int id = 1; id <= ROWS; id++) {
            ps.setLong(1, id);
            ps.setString(2, original(id));
            ps.addBatch();
            if (id % 5000 == 0) {
              ps.executeBatch();
            }
          }
        }
        c.commit();
      }
      f.xmlChangelog("crash.xml", Map.of("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\" batchSize=\"500\"/>"));

      long encryptedBefore = 0;
      for (int killAt : new int[] {ROWS * 15 / 100, ROWS / 2, ROWS * 85 / 100}) {
        Process child = start(f);
        AtomicBoolean timedOut = watchdog(child);
        List<String> lines = new ArrayList<>();
        boolean killed = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = out.readLine(); line != null; line = out.readLine()) {
            lines.add(line);
            Matcher m = PROGRESS.matcher(line);
            if (m.find() && Long.parseLong(m.group(1)) >= killAt) {
              child.destroyForcibly();
              killed = true;
              break;
            }
          }
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(timedOut).as("the run did not reach the kill point within 180 s; output:\n%s", String.join("\n", lines)).isFalse();
        assertThat(killed).as("killed mid-way; output:\n%s", String.join("\n", lines)).isTrue();

        long encrypted = checkEveryRowIsOldOrNew(f);
        assertThat(encrypted).as("rows encrypted after the kill at %s", killAt).isGreaterThan(encryptedBefore).isLessThan(ROWS);
        encryptedBefore = encrypted;
        assertThat(lockHeld(f)).as("the dead JVM left Liquibase's lock held").isTrue();
        // the documented step (liquibase release-locks), once no other Liquibase runs
        f.liquibase().releaseLocks();
        assertThat(lockHeld(f)).isFalse();
      }

      Process last = start(f);
      AtomicBoolean lastTimedOut = watchdog(last);
      String output = new String(last.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(lastTimedOut).as(output).isFalse();
      assertThat(last.exitValue()).as(output).isZero();
      assertThat(output).containsPattern("(?i)" + f.table + "\\.email: " + ROWS + " rows — " + (ROWS - encryptedBefore)
          + " encrypted, " + encryptedBefore + " already encrypted, 0 null");
      assertThat(checkEveryRowIsOldOrNew(f)).isEqualTo(ROWS);
      try (Connection c = f.connect(); ResultSet rs = c.createStatement().executeQuery(
          "SELECT COUNT(*) FROM " + f.changelogTable() + " WHERE ID = 'enc'")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
  }

  /** Kills the process after 180 s (a hung run must fail the test, not hang the build); tells whether it did. */
  private static AtomicBoolean watchdog(Process process) {
    AtomicBoolean fired = new AtomicBoolean();
    CompletableFuture.delayedExecutor(180, TimeUnit.SECONDS).execute(() -> {
      if (process.isAlive()) {
        fired.set(true);
        process.destroyForcibly();
      }
    });
    return fired;
  }

  private static String original(long id) {
    return "customer-" + id + "@example.com-" + "x".repeat((int) (id % 7));
  }

  private Process start(Fixture f) throws Exception {
    return Fork.java(List.of("-Xmx128m", "-Dfieldcrypt.liquibase.progressIntervalSeconds=0"),
        "io.github.fieldcrypt.liquibase.testing.CrashChild",
        List.of(f.url, f.db.user(), f.db.password().isEmpty() ? "" : f.db.password(), f.dir.toString(), "crash.xml",
            f.changelogTable()),
        Map.of("FIELDCRYPT_KEYS", TestKeys.keysSetting(1, 2))).start();
  }

  /** Checks each row is its original plaintext or decrypts (once) to it; returns how many are encrypted. */
  private static long checkEveryRowIsOldOrNew(Fixture f) throws Exception {
    FieldEncryptor encryptor = Fixture.encryptor(1, 2);
    EncryptionContext ctx = f.context("email");
    long encrypted = 0;
    long seen = 0;
    try (Connection c = f.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, email FROM " + f.table + " ORDER BY id")) {
      while (rs.next()) {
        long id = rs.getLong(1);
        String value = rs.getString(2);
        assertThat(id).isEqualTo(++seen);
        if (value.equals(original(id))) {
          continue;
        }
        assertThat(CiphertextFormat.hasV1Shape(CiphertextFormat.fromText(value))).as("row %s", id).isTrue();
        assertThat(encryptor.decryptText(value, ctx)).as("row %s decrypts once to its original", id).isEqualTo(original(id));
        encrypted++;
      }
    }
    assertThat(seen).as("no row lost").isEqualTo(ROWS);
    return encrypted;
  }

  private static boolean lockHeld(Fixture f) throws Exception {
    try (Connection c = f.connect(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT LOCKED FROM " + f.changelogTable() + "_LOCK WHERE ID = 1")) {
      return rs.next() && rs.getBoolean(1);
    }
  }
}
