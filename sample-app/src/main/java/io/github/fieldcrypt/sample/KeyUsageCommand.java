package io.github.fieldcrypt.sample;

import io.github.fieldcrypt.keys.KeyUsage;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** How many rows of a column are under each key id: when can an old key be retired? */
@Command(name = "key-usage", mixinStandardHelpOptions = true,
    description = "Counts the rows of a column per key id (from the headers, nothing is decrypted).")
final class KeyUsageCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "Table, e.g. tenants.")
  String table;

  @Parameters(index = "1", description = "Column, e.g. api_key.")
  String column;

  @Mixin DatabaseOptions db;

  @Override
  public Integer call() {
    try (Connection connection = db.connect()) {
      KeyUsage.Report report = KeyUsage.of(connection, table, column);
      spec.commandLine().getOut().println(report);
      return 0;
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    } catch (SQLException e) {
      spec.commandLine().getErr().println("Cannot read " + table + "." + column + " (" + e.getSQLState()
          + "): check the names and that the database exists (run demo first)");
      return 1;
    }
  }
}
