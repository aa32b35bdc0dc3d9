package io.github.fieldcrypt.keys;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.spi.KeyProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Picks the {@link KeyProvider} named by {@code fieldcrypt.key-provider} and loads the key ring,
 * then applies {@code fieldcrypt.active-key}.
 */
public final class KeyProviders {
  /** Which provider loads the keys: {@code settings} (default), {@code pkcs12}, {@code pkcs11}, {@code passphrase}, or a custom name. */
  public static final String KEY_PROVIDER = "fieldcrypt.key-provider";
  /** pkcs12: the key store file. */
  public static final String KEYSTORE_PATH = "fieldcrypt.keystore.path";
  /** pkcs12: the key store's password. */
  public static final String KEYSTORE_PASSWORD = "fieldcrypt.keystore.password";
  /** pkcs12: which entries are which key ids, {@code id:alias,id:alias}. */
  public static final String KEYSTORE_KEYS = "fieldcrypt.keystore.keys";
  /** pkcs12: the entries' password, when it differs from the store's. */
  public static final String KEYSTORE_KEY_PASSWORD = "fieldcrypt.keystore.key-password";
  /** pkcs11: the SunPKCS11 configuration file (name, library, slot) of the token. */
  public static final String PKCS11_CONFIG = "fieldcrypt.pkcs11.config";
  /** pkcs11: the token's user PIN. */
  public static final String PKCS11_PIN = "fieldcrypt.pkcs11.pin";
  /** pkcs11: the alias of the master key inside the token (default {@code fieldcrypt-master}). */
  public static final String PKCS11_MASTER_KEY = "fieldcrypt.pkcs11.master-key";
  /** pkcs11: the data keys, wrapped by the master key: {@code id:base64,id:base64} ({@code keygen --provider pkcs11} makes them). */
  public static final String PKCS11_WRAPPED_KEYS = "fieldcrypt.pkcs11.wrapped-keys";
  /**
   * pkcs11 in tenant mode: the master keys inside the token, {@code id:alias,id:alias} (default
   * {@code 1:} and {@link #PKCS11_MASTER_KEY}); the highest id, or {@code fieldcrypt.active-key},
   * wraps new tenant data keys.
   */
  public static final String PKCS11_MASTER_KEYS = "fieldcrypt.pkcs11.master-keys";
  /** passphrase: the passphrase (at least 12 characters). */
  public static final String PASSPHRASE = "fieldcrypt.passphrase";
  /** passphrase: the stored random salt, base64, at least 16 bytes ({@code keygen --provider passphrase} makes one). */
  public static final String PASSPHRASE_SALT = "fieldcrypt.passphrase.salt";
  /** passphrase: the id of the derived key (default 1). */
  public static final String PASSPHRASE_KEY_ID = "fieldcrypt.passphrase.key-id";
  /** passphrase: PBKDF2-HMAC-SHA256 iterations (default and minimum 600000). */
  public static final String PASSPHRASE_ITERATIONS = "fieldcrypt.passphrase.iterations";

  private KeyProviders() {}

  /**
   * Every setting that decides which keys are loaded: {@code fieldcrypt.keys},
   * {@code fieldcrypt.active-key}, {@code fieldcrypt.key-provider} and the built-in providers'
   * settings. For integrations (such as the Liquibase changes) that must copy them from their
   * own parameters.
   */
  public static List<String> settingNames() {
    return List.of(FieldcryptSettings.KEYS, FieldcryptSettings.ACTIVE_KEY, FieldcryptSettings.DETERMINISTIC_KEY, KEY_PROVIDER,
        KEYSTORE_PATH, KEYSTORE_PASSWORD, KEYSTORE_KEYS, KEYSTORE_KEY_PASSWORD,
        PKCS11_CONFIG, PKCS11_PIN, PKCS11_MASTER_KEY, PKCS11_WRAPPED_KEYS, PKCS11_MASTER_KEYS,
        PASSPHRASE, PASSPHRASE_SALT, PASSPHRASE_KEY_ID, PASSPHRASE_ITERATIONS);
  }

  /** The built-in providers. */
  static List<KeyProvider> builtIn() {
    return List.of(new SettingsKeyProvider(), new Pkcs12KeyProvider(), new Pkcs11KeyProvider(), new PassphraseKeyProvider());
  }

  /**
   * Loads the key ring the settings describe.
   *
   * @throws ConfigurationException naming the setting to fix
   */
  public static KeyRing load(FieldcryptSettings settings) {
    KeyProvider provider = find(settings);
    KeyRing ring = provider.load(settings);
    if (ring == null || ring.size() == 0) {
      throw new ConfigurationException(KEY_PROVIDER, "The key provider '" + provider.name() + "' returned no keys");
    }
    String active = settings.get(FieldcryptSettings.ACTIVE_KEY);
    if (active == null || provider instanceof SettingsKeyProvider) {
      return ring; // the settings provider applies fieldcrypt.active-key itself, with its own messages
    }
    int activeId;
    try {
      activeId = Integer.parseInt(active.trim());
    } catch (NumberFormatException e) {
      throw new ConfigurationException(FieldcryptSettings.ACTIVE_KEY, "Invalid " + FieldcryptSettings.ACTIVE_KEY + ": expected a key id");
    }
    if (ring.find(activeId) == null) {
      throw new ConfigurationException(FieldcryptSettings.ACTIVE_KEY, "Invalid " + FieldcryptSettings.ACTIVE_KEY + ": key id " + activeId
          + " is not among the ids " + ring.ids() + " of the key provider '" + provider.name() + "'");
    }
    KeyRing.Builder builder = KeyRing.builder();
    for (int id : ring.ids()) {
      builder.add(ring.find(id));
    }
    return builder.active(activeId).build();
  }

  /**
   * Checks the key settings as early as possible: a provider with a {@link KeyProvider#check} of
   * its own checks its settings (the passphrase provider, whose key derivation is slow on
   * purpose); any other is loaded as by {@link #load}, {@code fieldcrypt.active-key} included,
   * and the keys dropped.
   *
   * @throws ConfigurationException naming the setting to fix
   */
  public static void check(FieldcryptSettings settings) {
    KeyProvider provider = find(settings);
    if (ownCheck(provider)) {
      provider.check(settings);
    } else {
      load(settings);
    }
  }

  private static boolean ownCheck(KeyProvider provider) {
    try {
      return provider.getClass().getMethod("check", FieldcryptSettings.class).getDeclaringClass() != KeyProvider.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static KeyProvider find(FieldcryptSettings settings) {
    String name = settings.get(KEY_PROVIDER);
    if (name == null) {
      return new SettingsKeyProvider();
    }
    String wanted = name.trim();
    List<String> known = new ArrayList<>();
    for (KeyProvider provider : builtIn()) {
      known.add(provider.name());
      if (provider.name().equals(wanted.toLowerCase(Locale.ROOT))) {
        return provider;
      }
    }
    for (KeyProvider provider : ServiceLoader.load(KeyProvider.class, classLoader())) {
      known.add(provider.name());
      if (provider.name().equals(wanted) || provider.getClass().getName().equals(wanted)) {
        return provider;
      }
    }
    try {
      Class<?> type = Class.forName(wanted, true, classLoader());
      if (KeyProvider.class.isAssignableFrom(type)) {
        return (KeyProvider) type.getConstructor().newInstance();
      }
    } catch (ReflectiveOperationException | LinkageError notAClass) {
      // reported below
    }
    throw new ConfigurationException(KEY_PROVIDER, "Unknown " + KEY_PROVIDER + " '" + wanted + "': expected one of " + known
        + " or the class name of an io.github.fieldcrypt.spi.KeyProvider");
  }

  private static ClassLoader classLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : KeyProviders.class.getClassLoader();
  }
}
