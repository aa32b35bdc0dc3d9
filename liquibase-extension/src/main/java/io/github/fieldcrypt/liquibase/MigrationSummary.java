package io.github.fieldcrypt.liquibase;

import java.util.Locale;

/**
 * What one column migration did: how many rows it saw and what became of each.
 *
 * @param column {@code "<table>.<column>"} as the database names them
 * @param operation the change that ran ({@code encryptColumn}, {@code decryptColumn}, {@code reencryptColumn})
 * @param rows rows seen
 * @param written rows this run rewrote (encrypted, decrypted or re-encrypted)
 * @param alreadyDone rows already in the target state, left alone
 * @param nulls rows whose value is SQL NULL, left alone
 * @param retried rows whose compare-and-set lost to a concurrent write and were read again
 * @param nanos how long the migration took, pre-flight included
 * @param fernet whether the values that are not v1 were Fernet tokens ({@code sourceFormat} or
 *     {@code targetFormat="fernet"}) rather than plaintext
 */
public record MigrationSummary(String column, String operation, long rows, long written, long alreadyDone,
    long nulls, long retried, long nanos, boolean fernet) {

  /** A summary of a migration between plaintext and v1. */
  public MigrationSummary(String column, String operation, long rows, long written, long alreadyDone, long nulls,
      long retried, long nanos) {
    this(column, operation, rows, written, alreadyDone, nulls, retried, nanos, false);
  }

  /**
   * The closing line, e.g. {@code "users.email: 1000000 rows — 999000 encrypted, 1000 already
   * encrypted, 0 null, 3 retried after concurrent writes"}.
   */
  public String describe() {
    String done;
    String already;
    switch (operation) {
      case "decryptColumn" -> {
        done = fernet ? "decrypted to Fernet tokens" : "decrypted";
        already = fernet ? "already Fernet tokens" : "already plaintext";
      }
      case "reencryptColumn" -> {
        done = "re-encrypted";
        already = "already under the active key";
      }
      default -> {
        done = fernet ? "encrypted from Fernet tokens" : "encrypted";
        already = "already encrypted";
      }
    }
    return String.format(Locale.ROOT, "%s: %d rows — %d %s, %d %s, %d null, %d retried after concurrent writes (%.1f s)",
        column, rows, written, done, alreadyDone, already, nulls, retried, nanos / 1e9);
  }
}
