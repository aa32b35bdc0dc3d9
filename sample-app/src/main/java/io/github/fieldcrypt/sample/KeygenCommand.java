package io.github.fieldcrypt.sample;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints a new random 256-bit key in the form {@code fieldcrypt.keys} takes. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
    description = "Prints a new random AES-256 key as FIELDCRYPT_KEYS=<id>:<base64>.")
final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--id", defaultValue = "1", description = "Key id (default: ${DEFAULT-VALUE}).")
  int id;

  @Override
  public Integer call() {
    if (id < 0) {
      spec.commandLine().getErr().println("--id must be 0 or more");
      return 2;
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    spec.commandLine().getOut().println("FIELDCRYPT_KEYS=" + id + ":" + Base64.getEncoder().encodeToString(key));
    spec.commandLine().getOut().println("# Keep it in your secret store; lose it and the data encrypted with it is gone.");
    java.util.Arrays.fill(key, (byte) 0);
    return 0;
  }
}
