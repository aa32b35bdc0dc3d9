package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.keys.KeyRing;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/**
 * Format stability: values made once and committed (src/test/resources/golden/v1-golden.txt,
 * never regenerated) must be read by every later build, through a real SessionFactory, for every
 * supported type and both column kinds.
 */
class GoldenFileIT {
  private static final HexFormat HEX = HexFormat.of();

  record Golden(long row, String column, boolean binary, String expected, String stored) {}

  private static byte[] goldenKey() {
    byte[] key = new byte[32];
    for (int i = 0; i < 32; i++) {
      key[i] = (byte) (0x20 + i);
    }
    return key;
  }

  static List<Golden> golden() throws Exception {
    List<Golden> lines = new ArrayList<>();
    try (InputStream in = GoldenFileIT.class.getResourceAsStream("/golden/v1-golden.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\\|", -1);
        lines.add(new Golden(Long.parseLong(f[0]), f[1], f[2].equals("binary"), f[3], f[4]));
      }
    }
    return lines;
  }

  /** How the test reads each column of AllTypes back as its canonical string. */
  private static final Map<String, Function<AllTypes, String>> CANONICAL = Map.ofEntries(
      Map.entry("text_value", r -> r.text),
      Map.entry("int_value", r -> String.valueOf(r.integer)),
      Map.entry("long_value", r -> String.valueOf(r.longValue)),
      Map.entry("decimal_value", r -> r.decimal.toString()),
      Map.entry("bool_value", r -> String.valueOf(r.bool)),
      Map.entry("date_value", r -> r.date.toString()),
      Map.entry("date_time_value", r -> r.dateTime.toString()),
      Map.entry("instant_value", r -> r.instant.toString()),
      Map.entry("uuid_value", r -> r.uuid.toString()),
      Map.entry("status", r -> r.status.name()),
      Map.entry("bytes_value", r -> HEX.formatHex(r.bytes)));

  @Test
  void every_golden_value_decrypts_with_the_encryptor() throws Exception {
    List<Golden> golden = golden();
    assertThat(golden).hasSize(17);
    assertThat(golden.stream().map(Golden::column).distinct()).containsExactlyInAnyOrderElementsOf(CANONICAL.keySet());
    FieldEncryptor encryptor = FieldEncryptor.create(KeyRing.builder().add(9, goldenKey()).build());
    for (Golden g : golden) {
      EncryptionContext context = EncryptionContext.forColumn("all_types", g.column());
      if (g.binary()) {
        assertThat(HEX.formatHex(encryptor.decrypt(HEX.parseHex(g.stored()), context))).isEqualTo(g.expected());
      } else {
        assertThat(encryptor.decryptText(g.stored(), context)).as(g.column()).isEqualTo(g.expected());
      }
    }
  }

  @OnEachDatabase
  void every_golden_value_reads_through_hibernate(TestDatabase db) throws Exception {
    String url = db.url();
    Map<String, Object> settings = Map.of("fieldcrypt.keys", "9:" + Base64.getEncoder().encodeToString(goldenKey()));
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings, AllTypes.class)) {
      sf.inTransaction(s -> {
        s.persist(new AllTypes(1L));
        s.persist(new AllTypes(2L));
      });
      List<Golden> golden = golden();
      for (Golden g : golden) {
        Raw.write(db, url, "all_types", g.column(), g.row(), g.binary() ? HEX.parseHex(g.stored()) : g.stored());
      }
      for (Golden g : golden) {
        AllTypes row = sf.fromTransaction(s -> s.find(AllTypes.class, g.row()));
        assertThat(CANONICAL.get(g.column()).apply(row)).as("row %d %s", g.row(), g.column()).isEqualTo(g.expected());
      }
    }
  }
}
