package io.github.fieldcrypt.sample;

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
 * </pre>
 */
@Command(name = "fieldcrypt-sample", mixinStandardHelpOptions = true, version = "fieldcrypt sample 0.1.0",
    description = "Shows fieldcrypt's field-level encryption on an embedded H2 database.",
    subcommands = {DemoCommand.class, KeygenCommand.class, KeyUsageCommand.class})
public final class SampleApp implements Runnable {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, for main and for tests that run commands in-process. */
  static CommandLine commandLine() {
    quietLibraries();
    return new CommandLine(new SampleApp());
  }

  // Held here: java.util.logging keeps loggers weakly, and a collected logger forgets its level.
  private static final Logger[] QUIET = {
    Logger.getLogger("org.hibernate"), Logger.getLogger("liquibase"), Logger.getLogger("io.github.fieldcrypt")
  };
  private static final Logger POOL_NOTICE = Logger.getLogger("org.hibernate.orm.connections.pooling");

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
