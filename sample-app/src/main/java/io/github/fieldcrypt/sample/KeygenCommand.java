package io.github.fieldcrypt.sample;

import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.keys.KeyProviders;
import io.github.fieldcrypt.keys.Keygen;
import io.github.fieldcrypt.keys.Pkcs11Token;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Makes a new key in the form the chosen key provider takes. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
    description = {"Makes a new random AES-256 key in the form the key provider takes:",
        "  settings   prints FIELDCRYPT_KEYS=<id>:<base64>",
        "  pkcs12     adds an AES entry to --keystore (password from FIELDCRYPT_KEYSTORE_PASSWORD)",
        "  pkcs11     wraps a new data key with the HSM's master key (made in the token if missing;",
        "             --pkcs11-config <SunPKCS11 config>, PIN from FIELDCRYPT_PKCS11_PIN)",
        "  passphrase prints a new random salt for FIELDCRYPT_PASSPHRASE_SALT"})
final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--provider", defaultValue = "settings", description = "settings, pkcs12, pkcs11 or passphrase (default: ${DEFAULT-VALUE}).")
  String provider;

  @Option(names = "--id", defaultValue = "1", description = "Key id (default: ${DEFAULT-VALUE}).")
  int id;

  @Option(names = "--keystore", description = "pkcs12: the key store file (created when missing).")
  Path keystore;

  @Option(names = "--alias", description = "pkcs12: the entry's alias (default: fieldcrypt-<id>).")
  String alias;

  @Option(names = "--pkcs11-config", description = "pkcs11: the SunPKCS11 configuration file of the token.")
  Path pkcs11Config;

  @Option(names = "--master-key", defaultValue = "fieldcrypt-master", description = "pkcs11: the master key's alias (default: ${DEFAULT-VALUE}).")
  String masterKey;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (id < 0) {
      err.println("--id must be 0 or more");
      return 2;
    }
    switch (provider) {
      case "settings" -> {
        out.println(env(FieldcryptSettings.KEYS) + "=" + Keygen.settingsEntry(id));
        out.println("# Keep it in your secret store; add it to the existing keys to rotate (1:old,2:new).");
        out.println("# Lose it and the data encrypted with it is gone.");
      }
      case "pkcs12" -> {
        String password = System.getenv(env(KeyProviders.KEYSTORE_PASSWORD));
        if (keystore == null || password == null || password.isEmpty()) {
          err.println("pkcs12 needs --keystore <file> and the store password in " + env(KeyProviders.KEYSTORE_PASSWORD));
          return 2;
        }
        String entry = alias != null ? alias : "fieldcrypt-" + id;
        Keygen.addToPkcs12(keystore, password.toCharArray(), entry);
        out.println("# Added AES-256 entry '" + entry + "' to " + keystore.toAbsolutePath() + ". Settings:");
        out.println(KeyProviders.KEY_PROVIDER + "=pkcs12");
        out.println(KeyProviders.KEYSTORE_PATH + "=" + keystore.toAbsolutePath());
        out.println(KeyProviders.KEYSTORE_KEYS + "=" + id + ":" + entry + "   # append to the ids already there");
      }
      case "pkcs11" -> {
        String pin = System.getenv(env(KeyProviders.PKCS11_PIN));
        if (pkcs11Config == null || pin == null || pin.isEmpty()) {
          err.println("pkcs11 needs --pkcs11-config <file> and the token PIN in " + env(KeyProviders.PKCS11_PIN));
          return 2;
        }
        try (Pkcs11Token token = Pkcs11Token.open(pkcs11Config, pin.toCharArray())) {
          if (token.createMasterKey(masterKey)) {
            out.println("# Created master key '" + masterKey + "' inside the token; it never leaves it.");
          }
          out.println(KeyProviders.KEY_PROVIDER + "=pkcs11");
          out.println(KeyProviders.PKCS11_CONFIG + "=" + pkcs11Config.toAbsolutePath());
          out.println(KeyProviders.PKCS11_MASTER_KEY + "=" + masterKey);
          out.println(KeyProviders.PKCS11_WRAPPED_KEYS + "=" + id + ":" + token.wrapNewDataKey(masterKey, id)
              + "   # append to the ids already there");
        }
      }
      case "passphrase" -> {
        out.println(KeyProviders.KEY_PROVIDER + "=passphrase");
        out.println(env(KeyProviders.PASSPHRASE_SALT) + "=" + Keygen.passphraseSalt());
        out.println("# Keep the salt with your configuration: a new salt is a new key. Set "
            + env(KeyProviders.PASSPHRASE) + " (12 characters or more) from your secret store.");
      }
      default -> {
        err.println("Unknown --provider '" + provider + "': use settings, pkcs12, pkcs11 or passphrase");
        return 2;
      }
    }
    return 0;
  }

  private static String env(String setting) {
    return FieldcryptSettings.environmentVariable(setting);
  }
}
