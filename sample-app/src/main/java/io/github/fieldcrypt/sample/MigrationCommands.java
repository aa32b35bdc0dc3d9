package io.github.fieldcrypt.sample;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The Liquibase commands of the sample: {@code update}, {@code rollback}, {@code rotate}. */
final class MigrationCommands {
  private MigrationCommands() {}

  /** Applies db/changelog.xml: the legacy schema (if missing), then encryptColumn on its secrets. */
  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Runs Liquibase update with db/changelog.xml: creates the legacy schema if missing and encrypts its secrets.")
  static final class Update implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DatabaseOptions db;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      db.migrations(SampleKeys.load(db.folder(), out), out).update("db/changelog.xml");
      return 0;
    }
  }

  /** Rolls back the last changesets of db/changelog.xml: one decrypts the secrets again. */
  @Command(name = "rollback", mixinStandardHelpOptions = true,
      description = "Runs Liquibase rollbackCount on db/changelog.xml (1 = decrypt the secrets again).")
  static final class Rollback implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DatabaseOptions db;

    @Option(names = "--count", required = true, description = "How many changesets to roll back.")
    int count;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      db.migrations(SampleKeys.load(db.folder(), out), out).rollbackCount("db/changelog.xml", count);
      return 0;
    }
  }

  /** Adds a key to the demo key file (it becomes active) and re-encrypts every secret under it. */
  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Adds a new active key to the demo key file and runs reencryptColumn (db/003-reencrypt.xml).")
  static final class Rotate implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DatabaseOptions db;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      SampleKeys keys = SampleKeys.load(db.folder(), out);
      if (keys.fromEnvironment()) {
        spec.commandLine().getErr().println("The keys come from " + keys.source() + ": add a key with a higher id there, then run"
            + " reencryptColumn (db/003-reencrypt.xml); this command only rotates the demo key file.");
        return 2;
      }
      SampleKeys rotated = keys.rotate();
      out.println("Key " + rotated.activeId() + " added and active; re-encrypting:");
      db.migrations(rotated, out).update("db/003-reencrypt.xml");
      return 0;
    }
  }
}
