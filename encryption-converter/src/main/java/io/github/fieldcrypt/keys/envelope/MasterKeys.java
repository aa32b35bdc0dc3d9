package io.github.fieldcrypt.keys.envelope;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.keys.KeyProviders;
import io.github.fieldcrypt.keys.KeyRing;
import io.github.fieldcrypt.keys.Pkcs11Token;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The master keys of tenant mode, each with an id: every one unwraps the data keys that name it
 * in {@code master_key_id}; the active one wraps new data keys.
 *
 * <p>Two kinds: keys of a {@link KeyRing} (from any key provider; AES-256-GCM in the JVM), or
 * master keys that live in a PKCS#11 token and never leave it (AES-256-GCM inside the token). In
 * both, a wrapped data key is {@code nonce (12) || ciphertext (32) || tag (16)} with the
 * associated data {@code "fieldcrypt-data-key-v1|tenant=<tenant>|id=<key id>"}, so a wrapped key
 * copied to another tenant or key id does not unwrap.
 *
 * <p><b>Warning:</b> use master keys only as master keys. A key that also encrypted field values
 * (in key ring mode) should not become a master key; make new ones.
 */
public final class MasterKeys implements AutoCloseable {
  private final TreeMap<Integer, MasterKey> keys;
  private final MasterKey active;
  private final String setting;
  private final AutoCloseable resource;

  private MasterKeys(TreeMap<Integer, MasterKey> keys, int activeId, String setting, AutoCloseable resource) {
    if (keys.isEmpty()) {
      throw new ConfigurationException(setting, "No master keys: " + setting + " provides none");
    }
    this.keys = keys;
    this.active = keys.get(activeId);
    this.setting = setting;
    this.resource = resource;
    if (active == null) {
      throw new ConfigurationException(FieldcryptSettings.ACTIVE_KEY, "The active master key id " + activeId
          + " is not among the master key ids " + keys.keySet() + " (" + setting + ")");
    }
  }

  /** The keys of a key ring as master keys; the ring's active key wraps new data keys. */
  public static MasterKeys of(KeyRing ring) {
    return of(ring, FieldcryptSettings.KEYS);
  }

  /**
   * The keys of a key ring as master keys.
   *
   * @param setting the setting the ring came from, named in error messages
   */
  public static MasterKeys of(KeyRing ring, String setting) {
    TreeMap<Integer, MasterKey> keys = new TreeMap<>();
    for (int id : ring.ids()) {
      keys.put(id, new RingMasterKey(ring.find(id)));
    }
    return new MasterKeys(keys, ring.active().id(), setting, null);
  }

  /**
   * Master keys inside a PKCS#11 token, by id → alias. The token stays open while the master keys
   * are used; {@link #close()} does not close it (its opener does).
   *
   * @throws ConfigurationException when an alias is not in the token or the active id is not given
   */
  public static MasterKeys inToken(Pkcs11Token token, Map<Integer, String> aliases, int activeId) {
    return inToken(token, aliases, activeId, KeyProviders.PKCS11_MASTER_KEYS, null);
  }

  private static MasterKeys inToken(Pkcs11Token token, Map<Integer, String> aliases, int activeId, String setting,
      AutoCloseable resource) {
    TreeMap<Integer, MasterKey> keys = new TreeMap<>();
    for (Map.Entry<Integer, String> entry : new TreeMap<>(aliases).entrySet()) {
      if (!token.hasMasterKey(entry.getValue())) {
        throw new ConfigurationException(setting, "The PKCS#11 token has no master key '" + entry.getValue() + "' (id " + entry.getKey()
            + " in " + setting + "); create it with keygen --provider pkcs11");
      }
      keys.put(entry.getKey(), new Pkcs11MasterKey(entry.getKey(), token, entry.getValue()));
    }
    return new MasterKeys(keys, activeId, setting, resource);
  }

  /** For tests: master keys of any implementation. */
  static MasterKeys of(List<MasterKey> list, int activeId, String setting) {
    TreeMap<Integer, MasterKey> keys = new TreeMap<>();
    list.forEach(k -> keys.put(k.id(), k));
    return new MasterKeys(keys, activeId, setting, null);
  }

  /**
   * The master keys the settings describe: with {@code fieldcrypt.key-provider=pkcs11}, the keys
   * of the token named by {@code fieldcrypt.pkcs11.master-keys} ({@code id:alias,...}; default
   * {@code 1:} and {@code fieldcrypt.pkcs11.master-key}, itself {@code fieldcrypt-master} by
   * default); with any other provider, the key ring it loads. The active master key is
   * {@code fieldcrypt.active-key}, or the highest id.
   *
   * @throws ConfigurationException naming the setting to fix
   */
  public static MasterKeys fromSettings(FieldcryptSettings settings) {
    String provider = settings.get(KeyProviders.KEY_PROVIDER);
    String name = provider == null ? "settings" : provider.trim().toLowerCase(Locale.ROOT);
    if (name.equals("pkcs11")) {
      return pkcs11(settings);
    }
    KeyRing ring = KeyProviders.load(settings);
    String setting = switch (name) {
      case "settings" -> FieldcryptSettings.KEYS;
      case "pkcs12" -> KeyProviders.KEYSTORE_KEYS;
      case "passphrase" -> KeyProviders.PASSPHRASE;
      default -> KeyProviders.KEY_PROVIDER;
    };
    return of(ring, setting);
  }

  /**
   * Checks the master key settings as early as possible (Liquibase's validation): with
   * {@code pkcs11} the master keys are looked up in the token, else the provider's settings are
   * checked as {@link KeyProviders#check} does.
   *
   * @throws ConfigurationException naming the setting to fix
   */
  public static void check(FieldcryptSettings settings) {
    String provider = settings.get(KeyProviders.KEY_PROVIDER);
    if (provider != null && provider.trim().equalsIgnoreCase("pkcs11")) {
      pkcs11(settings).close();
    } else {
      KeyProviders.check(settings);
    }
  }

  private static MasterKeys pkcs11(FieldcryptSettings settings) {
    String config = require(settings, KeyProviders.PKCS11_CONFIG);
    String pin = require(settings, KeyProviders.PKCS11_PIN);
    String list = settings.get(KeyProviders.PKCS11_MASTER_KEYS);
    TreeMap<Integer, String> aliases = new TreeMap<>();
    String setting = KeyProviders.PKCS11_MASTER_KEYS;
    if (list == null) {
      String single = settings.get(KeyProviders.PKCS11_MASTER_KEY);
      aliases.put(1, single == null ? "fieldcrypt-master" : single.trim());
      setting = KeyProviders.PKCS11_MASTER_KEY;
    } else {
      for (String entry : list.split(",")) {
        int colon = entry.indexOf(':');
        String alias = colon < 0 ? "" : entry.substring(colon + 1).trim();
        if (colon <= 0 || alias.isEmpty()) {
          throw new ConfigurationException(setting, "Invalid entry in " + setting + ": expected id:alias");
        }
        int id = id(entry.substring(0, colon), setting);
        if (aliases.put(id, alias) != null) {
          throw new ConfigurationException(setting, "Duplicate master key id " + id + " in " + setting);
        }
      }
    }
    String activeText = settings.get(FieldcryptSettings.ACTIVE_KEY);
    int activeId = activeText == null ? aliases.lastKey() : id(activeText, FieldcryptSettings.ACTIVE_KEY);
    char[] pinChars = pin.toCharArray();
    Pkcs11Token token = Pkcs11Token.open(Path.of(config), pinChars);
    java.util.Arrays.fill(pinChars, '\0');
    try {
      return inToken(token, aliases, activeId, setting, token);
    } catch (RuntimeException e) {
      token.close();
      throw e;
    }
  }

  private static String require(FieldcryptSettings settings, String setting) {
    String value = settings.get(setting);
    if (value == null) {
      throw new ConfigurationException(setting, "The pkcs11 key provider needs " + setting + " (or the environment variable "
          + FieldcryptSettings.environmentVariable(setting) + ")");
    }
    return value;
  }

  private static int id(String text, String setting) {
    try {
      int id = Integer.parseInt(text.trim());
      if (id >= 0) {
        return id;
      }
    } catch (NumberFormatException ignored) {
      // reported below, without the text
    }
    throw new ConfigurationException(setting, "Invalid key id in " + setting + ": expected an integer from 0 to " + Integer.MAX_VALUE);
  }

  /** The id of the master key that wraps new data keys. */
  public int activeId() {
    return active.id();
  }

  /** Every master key id, ascending. */
  public List<Integer> ids() {
    return Collections.unmodifiableList(new ArrayList<>(keys.keySet()));
  }

  /** The setting these master keys come from (for messages). */
  public String setting() {
    return setting;
  }

  MasterKey active() {
    return active;
  }

  /** The master key with this id, or {@code null}. */
  MasterKey find(int id) {
    return keys.get(id);
  }

  /** Releases what the keys hold (the PKCS#11 token, when {@link #fromSettings} opened it). */
  @Override
  public void close() {
    if (resource != null) {
      try {
        resource.close();
      } catch (Exception e) {
        throw new IllegalStateException("Cannot close the master key source: " + e.getClass().getSimpleName());
      }
    }
  }

  @Override
  public String toString() {
    return "MasterKeys[ids=" + keys.keySet() + ", active=" + active.id() + ", from " + setting + "]";
  }
}
