package io.github.fieldcrypt.liquibase.testing;

import io.github.fieldcrypt.liquibase.ColumnSizing;
import io.github.fieldcrypt.testing.TestDatabase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Sample column contents that cover the edge cases, and the databases to run on. */
public final class Samples {
  private Samples() {}

  /** The databases reachable now (all of them in CI). */
  public static Stream<TestDatabase> databases() {
    List<TestDatabase> available = TestDatabase.available();
    return available.stream();
  }

  /**
   * id → value for a text column of this width: NULL, empty, Unicode (with a character outside
   * the BMP), a plaintext that starts like a ciphertext, the longest value that fits once
   * encrypted, and ordinary e-mail addresses.
   */
  public static Map<Long, String> textRows(int columnWidth, int count) {
    Map<Long, String> rows = new LinkedHashMap<>();
    rows.put(1L, null);
    rows.put(2L, "");
    rows.put(3L, "Zoë ☃ 中文 \uD83C\uDF0D ünïcødé");
    rows.put(4L, "_Apple pie looks like a v1 prefix but is plaintext");
    rows.put(5L, "x".repeat((int) ColumnSizing.maxPlaintextBytesForText(columnWidth)));
    rows.put(6L, " leading and trailing spaces ");
    for (long id = 7; id <= count; id++) {
      rows.put(id, "user" + id + "@example.com");
    }
    return rows;
  }
}
