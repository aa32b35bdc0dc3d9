package io.github.fieldcrypt.sample;

import io.github.fieldcrypt.KeyInUseException;
import io.github.fieldcrypt.keys.KeyUsage;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Retires a key: refused while any encrypted column of the sample still has rows under it. */
@Command(name = "retire", mixinStandardHelpOptions = true,
    description = "Removes a key from the demo key file, only if no row of the encrypted columns uses it any more.")
final class RetireCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--key", required = true, description = "The key id to retire.")
  int keyId;

  @Mixin DatabaseOptions db;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    SampleKeys keys = SampleKeys.load(db.folder(), out);
    if (keyId == keys.activeId()) {
      spec.commandLine().getErr().println("Key id " + keyId + " is the active key; rotate first (rotate), then retire it");
      return 1;
    }
    try (Connection connection = db.connect()) {
      List<KeyUsage.Report> reports = KeyUsage.requireUnused(connection, keyId, DemoCommand.encryptedColumns());
      reports.forEach(r -> out.println("   " + r));
    } catch (KeyInUseException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 1;
    }
    if (keys.fromEnvironment()) {
      out.println("No row uses key id " + keyId + ": remove it from " + keys.source() + ".");
      return 0;
    }
    List<String> kept = new ArrayList<>();
    for (String entry : keys.keys().split(",")) {
      if (Integer.parseInt(entry.substring(0, entry.indexOf(':')).trim()) != keyId) {
        kept.add(entry.trim());
      }
    }
    Files.writeString(keys.file(), String.join(",", kept) + "\n", StandardCharsets.UTF_8);
    out.println("No row uses key id " + keyId + ": removed it from " + keys.file().toAbsolutePath()
        + " (keep a backup of it until your database backups no longer need it).");
    return 0;
  }
}
