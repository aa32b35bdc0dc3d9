package io.github.fieldcrypt.sample;

import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Shows a table's rows as stored (raw) and, for encrypted values, what they decrypt to. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Prints the rows of a table: each encrypted value raw, then decrypted with the configured keys.")
final class InspectCommand implements Callable<Integer> {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  @Spec CommandSpec spec;
  @Mixin DatabaseOptions db;

  @Parameters(index = "0", description = "The table, e.g. customers.")
  String table;

  @Option(names = "--limit", defaultValue = "10", description = "At most this many rows (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (!IDENTIFIER.matcher(table).matches()) {
      spec.commandLine().getErr().println("Invalid table name: use a plain identifier such as customers");
      return 2;
    }
    SampleKeys keys = SampleKeys.load(db.folder(), out);
    FieldEncryptor encryptor = FieldEncryptor.fromSettings(FieldcryptSettings.from(keys.settings()));
    try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("select * from " + table)) {
      ResultSetMetaData meta = rs.getMetaData();
      int shown = 0;
      while (rs.next() && shown++ < limit) {
        out.println("row " + shown + ":");
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          String column = meta.getColumnLabel(i).toLowerCase(Locale.ROOT);
          String raw = rs.getString(i);
          byte[] bytes = raw == null ? null : CiphertextFormat.fromText(raw);
          if (bytes != null && CiphertextFormat.hasV1Shape(bytes)) {
            out.printf("   %-12s raw: %s… (key id %d)%n", column, raw.substring(0, Math.min(28, raw.length())), CiphertextFormat.keyId(bytes));
            out.printf("   %-12s decrypted: %s%n", "", decrypt(encryptor, raw, table, column));
          } else {
            out.printf("   %-12s %s%n", column, raw);
          }
        }
      }
    }
    return 0;
  }

  private static String decrypt(FieldEncryptor encryptor, String raw, String table, String column) {
    try {
      return encryptor.decryptText(raw, EncryptionContext.forColumn(table, column));
    } catch (FieldcryptException e) {
      return "(" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
    }
  }
}
