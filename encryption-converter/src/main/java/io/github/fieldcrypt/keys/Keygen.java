package io.github.fieldcrypt.keys;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes new keys in the form each provider takes: a {@code fieldcrypt.keys} entry, an AES
 * entry in a PKCS#12 key store, or a salt for the passphrase provider.
 */
public final class Keygen {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Keygen() {}

  /** A {@code fieldcrypt.keys} entry: {@code id:<32 random bytes in base64>}. */
  public static String settingsEntry(int id) {
    requireId(id);
    byte[] key = new byte[DataKey.LENGTH];
    RANDOM.nextBytes(key);
    try {
      return id + ":" + Base64.getEncoder().encodeToString(key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** A random 16-byte salt in base64, for {@code fieldcrypt.passphrase.salt}. */
  public static String passphraseSalt() {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return Base64.getEncoder().encodeToString(salt);
  }

  /**
   * Adds a random 256-bit AES entry under {@code alias} to a PKCS#12 key store, creating the
   * file (owner-readable only, where the file system allows) when it does not exist. The store is
   * rewritten through a temporary file, so an interrupted call leaves the old store intact.
   *
   * @throws IllegalArgumentException when the alias exists already (a key is never replaced)
   */
  public static void addToPkcs12(Path file, char[] storePassword, String alias) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    if (Files.exists(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        store.load(in, storePassword);
      }
    } else {
      store.load(null, storePassword);
    }
    if (store.containsAlias(alias)) {
      throw new IllegalArgumentException("The key store already has an entry '" + alias + "'; keys are never replaced");
    }
    byte[] key = new byte[DataKey.LENGTH];
    RANDOM.nextBytes(key);
    try {
      store.setEntry(alias, new KeyStore.SecretKeyEntry(new SecretKeySpec(key, "AES")),
          new KeyStore.PasswordProtection(storePassword));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temporary = Files.createTempFile(parent, ".fieldcrypt-keystore", ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(temporary)) {
        store.store(out, storePassword);
      }
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private static void requireId(int id) {
    if (id < 0) {
      throw new IllegalArgumentException("Key ids are 0 to " + Integer.MAX_VALUE);
    }
  }
}
