package io.github.fieldcrypt.keys;

import static io.github.fieldcrypt.keys.KeyProviders.KEYSTORE_KEYS;
import static io.github.fieldcrypt.keys.KeyProviders.KEYSTORE_KEY_PASSWORD;
import static io.github.fieldcrypt.keys.KeyProviders.KEYSTORE_PASSWORD;
import static io.github.fieldcrypt.keys.KeyProviders.KEYSTORE_PATH;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.spi.KeyProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import javax.crypto.SecretKey;

/**
 * Keys kept as AES secret-key entries of a PKCS#12 key store file.
 *
 * <pre>
 * keytool -genseckey -keyalg AES -keysize 256 -alias fieldcrypt-1 \
 *   -storetype PKCS12 -keystore fieldcrypt.p12 -storepass "$STOREPASS"
 * </pre>
 *
 * <p>Settings: {@code fieldcrypt.keystore.path}, {@code fieldcrypt.keystore.password},
 * {@code fieldcrypt.keystore.keys} ({@code id:alias,...}) and optionally
 * {@code fieldcrypt.keystore.key-password}. Logs a warning when the file can be read by users
 * other than its owner.
 */
final class Pkcs12KeyProvider implements KeyProvider {
  private static final System.Logger LOG = System.getLogger("io.github.fieldcrypt");

  @Override
  public String name() {
    return "pkcs12";
  }

  @Override
  public KeyRing load(FieldcryptSettings settings) {
    Path path = Path.of(ProviderSettings.require(settings, KEYSTORE_PATH, name()));
    String storePassword = ProviderSettings.require(settings, KEYSTORE_PASSWORD, name());
    String entries = ProviderSettings.require(settings, KEYSTORE_KEYS, name());
    String keyPassword = settings.get(KEYSTORE_KEY_PASSWORD);
    char[] storeChars = storePassword.toCharArray();
    char[] keyChars = (keyPassword != null ? keyPassword : storePassword).toCharArray();
    try {
      if (!Files.isReadable(path)) {
        throw new ConfigurationException(KEYSTORE_PATH, "The key store " + path.toAbsolutePath() + " (" + KEYSTORE_PATH
            + ") does not exist or cannot be read");
      }
      warnWhenOthersCanRead(path);
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(path)) {
        store.load(in, storeChars);
      } catch (IOException | GeneralSecurityException e) {
        throw new ConfigurationException(KEYSTORE_PASSWORD, "Cannot open the key store " + path.toAbsolutePath()
            + ": wrong " + KEYSTORE_PASSWORD + ", or not a PKCS#12 file");
      }
      KeyRing.Builder ring = KeyRing.builder();
      Set<Integer> ids = new HashSet<>();
      for (String entry : entries.split(",")) {
        int colon = entry.indexOf(':');
        if (colon <= 0 || colon == entry.trim().length() - 1) {
          throw new ConfigurationException(KEYSTORE_KEYS, "Invalid entry in " + KEYSTORE_KEYS + ": expected id:alias");
        }
        int id = ProviderSettings.keyId(entry.substring(0, colon), KEYSTORE_KEYS);
        String alias = entry.substring(colon + 1).trim();
        if (!ids.add(id)) {
          throw new ConfigurationException(KEYSTORE_KEYS, "Duplicate key id " + id + " in " + KEYSTORE_KEYS);
        }
        ring.add(id, read(store, alias, keyChars, id));
      }
      return ring.build();
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException(KEYSTORE_PATH, "PKCS#12 key stores are not available in this JDK: " + e.getClass().getSimpleName());
    } finally {
      Arrays.fill(storeChars, '\0');
      Arrays.fill(keyChars, '\0');
    }
  }

  private static byte[] read(KeyStore store, String alias, char[] password, int id) {
    Key key;
    try {
      key = store.getKey(alias, password);
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException(KEYSTORE_KEY_PASSWORD, "Cannot read entry '" + alias + "' (key id " + id
          + ") of the key store: wrong " + KEYSTORE_KEY_PASSWORD + " (it defaults to " + KEYSTORE_PASSWORD + ")");
    }
    if (key == null) {
      throw new ConfigurationException(KEYSTORE_KEYS, "The key store has no entry '" + alias + "' (key id " + id + " in " + KEYSTORE_KEYS + ")");
    }
    byte[] bytes = key instanceof SecretKey ? key.getEncoded() : null;
    if (bytes == null || !"AES".equalsIgnoreCase(key.getAlgorithm()) || bytes.length != DataKey.LENGTH) {
      int length = bytes == null ? 0 : bytes.length;
      if (bytes != null) {
        Arrays.fill(bytes, (byte) 0);
      }
      throw new ConfigurationException(KEYSTORE_KEYS, "Entry '" + alias + "' (key id " + id + ") is not a 256-bit AES secret key ("
          + key.getAlgorithm() + ", " + length * 8 + " bits); make it with keytool -genseckey -keyalg AES -keysize 256");
    }
    return bytes;
  }

  private static void warnWhenOthersCanRead(Path path) {
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    try {
      Set<PosixFilePermission> permissions = view.readAttributes().permissions();
      if (permissions.contains(PosixFilePermission.OTHERS_READ) || permissions.contains(PosixFilePermission.GROUP_READ)) {
        LOG.log(System.Logger.Level.WARNING, "fieldcrypt: the key store {0} can be read by users other than its owner;"
            + " restrict it (chmod 600)", path.toAbsolutePath());
      }
    } catch (IOException ignored) {
      // permissions unknown: nothing to warn about
    }
  }
}
