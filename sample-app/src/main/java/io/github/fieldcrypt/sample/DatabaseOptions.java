package io.github.fieldcrypt.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import picocli.CommandLine.Option;

/** Where the sample's database is: an H2 file in {@code --dir} (default), or {@code --jdbc-url}. */
final class DatabaseOptions {
  @Option(names = "--dir", defaultValue = "fieldcrypt-sample",
      description = "Folder for the H2 database file and the demo key file (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--jdbc-url", description = "Use this database instead of the H2 file (PostgreSQL, MariaDB).")
  String jdbcUrl;

  @Option(names = "--user", defaultValue = "sa", description = "Database user (default: ${DEFAULT-VALUE}).")
  String user;

  @Option(names = "--password", defaultValue = "", description = "Database password.")
  String password;

  String url() {
    return jdbcUrl != null ? jdbcUrl : "jdbc:h2:file:" + dir.toAbsolutePath().resolve("sample") + ";AUTO_SERVER=FALSE";
  }

  boolean isH2File() {
    return jdbcUrl == null;
  }

  Path databaseFile() {
    return dir.toAbsolutePath().resolve("sample.mv.db");
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), user, password);
  }

  /** The demo folder, created when missing (it holds the H2 file and the demo key file). */
  Path folder() throws java.io.IOException {
    return Files.createDirectories(dir);
  }

  /** Liquibase on this database with these keys, printing to {@code out} (a progress bar on a terminal). */
  Migrations migrations(SampleKeys keys, java.io.PrintWriter out) {
    return new Migrations(url(), user, password, keys.settings(), new LiquibaseOutput(out, System.console() != null));
  }
}
