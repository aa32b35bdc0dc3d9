package io.github.fieldcrypt.sample;

import io.github.fieldcrypt.FieldcryptException;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The fieldcrypt sample: a multi-tenant service that keeps its tenants' third-party API keys and
 * its customers' personal data encrypted with {@code @Encrypted}, on an embedded H2 file database.
 *
 * <pre>
 * java -jar sample-app/target/sample-app.jar demo     # the whole story, printed step by step
 * java -jar sample-app/target/sample-app.jar keygen   # a new key for FIELDCRYPT_KEYS
 * java -jar sample-app/target/sample-app.jar seed --rows 100000 &amp;&amp; java -jar ... update
 * </pre>
 */
@Command(name = "fieldcrypt-sample", mixinStandardHelpOptions = true, version = "fieldcrypt sample 0.1.0",
    description = "Shows fieldcrypt's field-level encryption on an embedded H2 database.",
    subcommands = {DemoCommand.class, MigrationCommands.Update.class, MigrationCommands.Rollback.class,
        MigrationCommands.Rotate.class, InspectCommand.class, KeyUsageCommand.class, RetireCommand.class, SeedCommand.class, KeygenCommand.class,
        CommandLine.HelpCommand.class})
public final class SampleApp implements Runnable {
  @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces on errors.")
  boolean verbose;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, for main and for tests that run commands in-process. */
  static CommandLine commandLine() {
    quietLibraries();
    CommandLine cli = new CommandLine(new SampleApp());
    cli.setExecutionExceptionHandler(SampleApp::oneLineError);
    cli.setExecutionStrategy(parseResult -> {
      // Liquibase logs a failing changeset with its stack trace at SEVERE: only with --verbose.
      LIQUIBASE.setLevel(verbose(parseResult) ? Level.WARNING : Level.OFF);
      return new CommandLine.RunLast().execute(parseResult);
    });
    return cli;
  }

  /**
   * Errors as one line that says what to do, and a non-zero exit code; the stack trace only with
   * {@code --verbose}. The message of a fieldcrypt exception is safe to show: it names settings,
   * columns and key ids, never data or keys.
   */
  private static int oneLineError(Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    err.println(describe(e));
    if (verbose(parseResult)) {
      e.printStackTrace(err);
    } else {
      err.println("(--verbose shows the stack trace)");
    }
    err.flush();
    return 1;
  }

  private static boolean verbose(CommandLine.ParseResult parseResult) {
    return parseResult.originalArgs().contains("--verbose");
  }

  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof FieldcryptException) {
        return "fieldcrypt: " + t.getMessage();
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return "database: " + sql.getMessage().lines().findFirst().orElse("") + " (SQL state " + sql.getSQLState()
            + "); check --jdbc-url, --user, --password and that the table exists (run demo or update first)";
      }
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message = String.valueOf(root.getMessage());
    // Liquibase reports a failed validation of a fieldcrypt change on one of many lines.
    for (String line : message.split("\\R")) {
      if (line.contains("fieldcrypt")) {
        return "fieldcrypt: " + line.strip();
      }
    }
    return "error: " + root.getClass().getSimpleName() + ": " + message.lines().findFirst().orElse("");
  }

  // Held here: java.util.logging keeps loggers weakly, and a collected logger forgets its level.
  private static final Logger[] QUIET = {Logger.getLogger("org.hibernate"), Logger.getLogger("io.github.fieldcrypt")};
  private static final Logger POOL_NOTICE = Logger.getLogger("org.hibernate.orm.connections.pooling");
  private static final Logger LIQUIBASE = Logger.getLogger("liquibase");

  /**
   * Hibernate's and Liquibase's start-up notices are noise in a demo (the demo prints what
   * Liquibase reports through its UI); warnings and errors still show.
   */
  private static void quietLibraries() {
    for (Logger logger : QUIET) {
      logger.setLevel(Level.WARNING);
    }
    POOL_NOTICE.setLevel(Level.SEVERE);
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
