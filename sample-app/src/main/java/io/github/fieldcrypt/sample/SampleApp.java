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

  /** Hibernate's start-up notices are noise in a demo; errors still show. */
  private static void quietLibraries() {
    Logger.getLogger("org.hibernate").setLevel(Level.SEVERE);
    Logger.getLogger("io.github.fieldcrypt").setLevel(Level.WARNING);
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
