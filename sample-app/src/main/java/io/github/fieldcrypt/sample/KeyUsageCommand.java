package io.github.fieldcrypt.sample;

import io.github.fieldcrypt.keys.KeyUsage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

  @Option(names = "--dir", defaultValue = "fieldcrypt-sample", description = "The demo folder (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--jdbc-url", description = "Another database (PostgreSQL, MariaDB).")
  String jdbcUrl;

  @Option(names = "--user", defaultValue = "sa", description = "Database user (default: ${DEFAULT-VALUE}).")
  String user;

  @Option(names = "--password", defaultValue = "", description = "Database password.")
  String password;

  @Override
  public Integer call() {
    String url = jdbcUrl != null ? jdbcUrl : "jdbc:h2:file:" + dir.toAbsolutePath().resolve("sample") + ";IFEXISTS=TRUE";
    try (Connection connection = DriverManager.getConnection(url, user, password)) {
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
