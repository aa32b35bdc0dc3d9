package io.github.fieldcrypt;

import io.github.fieldcrypt.crypto.Fernet;
import io.github.fieldcrypt.crypto.FernetKey;
import io.github.fieldcrypt.keys.KeyRing;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@code fieldcrypt.*} settings and where they are read from.
 *
 * <p>Each setting is looked up, in order, in the properties given (Hibernate/JPA properties, or
 * Liquibase changelog parameters), then the Java system properties, then the environment
 * variable of the same name in upper case with {@code _} for {@code .} and {@code -}
 * ({@code fieldcrypt.active-key} → {@code FIELDCRYPT_ACTIVE_KEY}). The first source that has it
 * wins, and error messages say which one that was.
 *
 * <p><b>Security:</b> {@link #toString()} and every message name settings and key ids, never key
 * material.
 */
public final class FieldcryptSettings {
  /**
   * The keys: {@code id:base64key,id:base64key}, each key 32 random bytes in standard or URL-safe
   * base64, ids from 0 to 2147483647. Required.
   */
  public static final String KEYS = "fieldcrypt.keys";
  /** The id of the key that encrypts new values. Default: the highest id in {@link #KEYS}. */
  public static final String ACTIVE_KEY = "fieldcrypt.active-key";
  /**
   * {@code true} while old rows are being migrated: a stored value that is not a v1 ciphertext
   * is read as plaintext. A value that is v1 and fails to authenticate is still an error.
   * Default {@code false}.
   */
  public static final String ALLOW_PLAINTEXT_READS = "fieldcrypt.allow-plaintext-reads";
  /**
   * The Fernet keys of data written by Python's {@code cryptography.fernet}: comma-separated,
   * each as Python prints it (URL-safe base64 of 32 bytes, 44 characters with the {@code =}).
   * The first one writes (the tokens a rollback gives back), every one reads. Needed by
   * {@link #READ_FERNET} and by the Liquibase {@code sourceFormat="fernet"}; no default.
   */
  public static final String FERNET_KEYS = "fieldcrypt.fernet-keys";
  /**
   * {@code true} while a column still holds Fernet tokens: a stored value shaped like a Fernet
   * token is read with {@link #FERNET_KEYS}; one that fails its HMAC is an error, never
   * plaintext. Default {@code false}: a Fernet token is then like any value that is not v1.
   */
  public static final String READ_FERNET = "fieldcrypt.read-fernet";
  /**
   * How old a Fernet token may be, as an ISO-8601 duration of whole seconds ({@code PT1H},
   * {@code P30D}); with it, tokens stamped more than 60 s in the future are refused too, as
   * Python's {@code decrypt(token, ttl)} does. Default: none, no time is checked.
   */
  public static final String FERNET_TTL = "fieldcrypt.fernet-ttl";
  /**
   * The id of the key that deterministic columns ({@code @Encrypted(deterministic = true)})
   * write and look up with. Default: the active key. Pin it to keep equality lookups finding
   * every row while the active key rotates, until {@code reencryptColumn} has moved the
   * deterministic columns (README, "Rotating keys of deterministic columns").
   */
  public static final String DETERMINISTIC_KEY = "fieldcrypt.deterministic-key";

  // Tenant keys (envelope mode): see io.github.fieldcrypt.keys.envelope.TenantKeyStore.
  /**
   * {@code true}: each tenant has its own data keys, wrapped by the master key that the key
   * provider loads (in this mode the provider's key ring is the master key ring) and kept in
   * {@link #DATA_KEY_TABLE}. Default {@code false}.
   */
  public static final String TENANT_MODE = "fieldcrypt.tenant-mode";
  /** The table of wrapped tenant data keys, {@code [schema.]table}. Default {@code fieldcrypt_data_keys}. */
  public static final String DATA_KEY_TABLE = "fieldcrypt.data-key-table";
  /**
   * How long an unwrapped tenant data key stays in memory after it was read (ISO-8601, e.g.
   * {@code PT5M}); also how long another JVM may keep using a key after it was destroyed.
   * {@code PT0S} disables the cache. Default {@code PT5M}.
   */
  public static final String KEY_CACHE_TTL = "fieldcrypt.key-cache-ttl";
  /** How many unwrapped tenant data keys stay in memory at most. {@code 0} disables the cache. Default 10000. */
  public static final String KEY_CACHE_SIZE = "fieldcrypt.key-cache-size";
  /**
   * Scheduled rotation of tenant data keys (ISO-8601, e.g. {@code P30D}): an active key older
   * than this is replaced by a new one at the next write that needs it. Default: never.
   */
  public static final String ROTATE_AFTER = "fieldcrypt.rotate-after";

  private final Map<String, ?> properties;
  private final Function<String, String> systemProperties;
  private final Function<String, String> environment;

  private FieldcryptSettings(Map<String, ?> properties, Function<String, String> systemProperties,
      Function<String, String> environment) {
    this.properties = properties == null ? Map.of() : properties;
    this.systemProperties = systemProperties;
    this.environment = environment;
  }

  /** Settings from these properties, then system properties, then the environment. */
  public static FieldcryptSettings from(Map<String, ?> properties) {
    return new FieldcryptSettings(properties, System::getProperty, System::getenv);
  }

  /** Settings from explicit sources (tests, or an application that manages its own). */
  public static FieldcryptSettings from(Map<String, ?> properties, Function<String, String> systemProperties,
      Function<String, String> environment) {
    return new FieldcryptSettings(properties, systemProperties, environment);
  }

  /** The environment variable a setting is read from: {@code fieldcrypt.active-key} → {@code FIELDCRYPT_ACTIVE_KEY}. */
  public static String environmentVariable(String setting) {
    return setting.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** A setting's value and the source it came from. */
  record Value(String setting, String text, String source) {
    String where() {
      return setting + " (" + source + ")";
    }
  }

  Value lookup(String setting) {
    Object fromProperties = properties.get(setting);
    if (fromProperties != null && !fromProperties.toString().isBlank()) {
      return new Value(setting, fromProperties.toString(), "configuration property " + setting);
    }
    String fromSystem = systemProperties.apply(setting);
    if (fromSystem != null && !fromSystem.isBlank()) {
      return new Value(setting, fromSystem, "system property " + setting);
    }
    String variable = environmentVariable(setting);
    String fromEnvironment = environment.apply(variable);
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return new Value(setting, fromEnvironment, "environment variable " + variable);
    }
    return null;
  }

  /**
   * The raw text of a setting from the first source that has it, or {@code null}. For settings
   * of other modules; key material should be read through {@link #keyRing()}.
   */
  public String get(String setting) {
    Value value = lookup(setting);
    return value == null ? null : value.text();
  }

  /** {@link #ALLOW_PLAINTEXT_READS}, strictly {@code true} or {@code false}. */
  public boolean allowPlaintextReads() {
    return booleanSetting(ALLOW_PLAINTEXT_READS, false);
  }

  /** The settings about Fernet tokens, for modules that collect the settings they pass on. */
  public static List<String> fernetSettingNames() {
    return List.of(FERNET_KEYS, READ_FERNET, FERNET_TTL);
  }

  /** {@link #READ_FERNET}, strictly {@code true} or {@code false}. */
  public boolean readFernet() {
    return booleanSetting(READ_FERNET, false);
  }

  /**
   * The Fernet key set of {@link #FERNET_KEYS} with {@link #FERNET_TTL}, or empty when no Fernet
   * keys are set.
   *
   * @throws ConfigurationException when a key is not URL-safe base64 of 32 bytes, a key is
   *     repeated, or the time-to-live is not a positive ISO-8601 duration of whole seconds; the
   *     message names the setting, its source and the entry, never a key
   */
  public Optional<Fernet> fernet() {
    Value keys = lookup(FERNET_KEYS);
    if (keys == null) {
      return Optional.empty();
    }
    Fernet.Builder builder = Fernet.builder();
    String[] entries = keys.text().split(",", -1);
    List<String> fingerprints = new java.util.ArrayList<>();
    for (int i = 0; i < entries.length; i++) {
      String position = "entry " + (i + 1) + " of " + keys.where();
      FernetKey key;
      try {
        key = FernetKey.parse(entries[i]);
      } catch (IllegalArgumentException e) {
        // FernetKey's messages give lengths and shapes, never the text
        throw new ConfigurationException(FERNET_KEYS, "Invalid " + position + ": " + e.getMessage());
      }
      int same = fingerprints.indexOf(key.fingerprint());
      if (same >= 0) {
        throw new ConfigurationException(FERNET_KEYS, "Invalid " + position + ": the same key as entry " + (same + 1));
      }
      fingerprints.add(key.fingerprint());
      builder.add(key);
    }
    Value ttl = lookup(FERNET_TTL);
    if (ttl != null) {
      builder.ttl(parseTtl(ttl));
    }
    return Optional.of(builder.build());
  }

  /**
   * The Fernet key set transition reads use: {@code null} unless {@link #READ_FERNET} is
   * {@code true}.
   *
   * @throws ConfigurationException when reads are on and {@link #FERNET_KEYS} is missing or bad
   */
  public Fernet fernetForReads() {
    if (!readFernet()) {
      return null;
    }
    return fernet().orElseThrow(() -> new ConfigurationException(FERNET_KEYS, lookup(READ_FERNET).where()
        + " is true, but no Fernet keys are configured: set " + FERNET_KEYS + " (or the environment variable "
        + environmentVariable(FERNET_KEYS) + ") to the Python service's Fernet keys, comma-separated"));
  }

  private static Duration parseTtl(Value value) {
    Duration ttl;
    try {
      ttl = Duration.parse(value.text().trim());
    } catch (DateTimeParseException e) {
      ttl = null;
    }
    if (ttl == null || ttl.isNegative() || ttl.isZero() || ttl.getNano() != 0) {
      throw new ConfigurationException(FERNET_TTL, "Invalid value for " + value.where()
          + ": expected a positive ISO-8601 duration of whole seconds, such as PT1H or P30D");
    }
    return ttl;
  }

  /**
   * {@link #DETERMINISTIC_KEY} as a key id, or {@code null} when unset (the active key then).
   * Whether the ring has that id is checked by {@link FieldEncryptor#fromSettings}.
   */
  public Integer deterministicKeyId() {
    Value value = lookup(DETERMINISTIC_KEY);
    return value == null ? null : parseId(value.text().trim(), DETERMINISTIC_KEY, value.where());
  }

  /** A boolean setting: {@code true} or {@code false} (any case), anything else is an error. */
  public boolean booleanSetting(String setting, boolean defaultValue) {
    Value value = lookup(setting);
    if (value == null) {
      return defaultValue;
    }
    String text = value.text().trim();
    if (text.equalsIgnoreCase("true")) {
      return true;
    }
    if (text.equalsIgnoreCase("false")) {
      return false;
    }
    throw new ConfigurationException(setting, "Invalid value for " + value.where() + ": expected true or false");
  }

  /**
   * Parses {@link #KEYS} and {@link #ACTIVE_KEY} into a key ring.
   *
   * @throws ConfigurationException when the keys are missing, not base64, not 32 bytes, have a
   *     duplicate or malformed id, or the active id is not among them
   */
  public KeyRing keyRing() {
    Value keys = lookup(KEYS);
    if (keys == null) {
      throw new ConfigurationException(KEYS, "No encryption keys configured: set " + KEYS
          + " (or the environment variable " + environmentVariable(KEYS) + ") to id:base64key,"
          + " e.g. 1:<32 random bytes in base64>");
    }
    KeyRing.Builder ring = KeyRing.builder();
    Set<Integer> seen = new HashSet<>();
    String[] entries = keys.text().split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      String position = "entry " + (i + 1) + " of " + keys.where();
      int colon = entry.indexOf(':');
      if (colon <= 0) {
        throw new ConfigurationException(KEYS, "Invalid " + position + ": expected id:base64key");
      }
      int id = parseId(entry.substring(0, colon).trim(), KEYS, position);
      if (!seen.add(id)) {
        throw new ConfigurationException(KEYS, "Duplicate key id " + id + " in " + keys.where() + ": each id must appear once");
      }
      byte[] key = decodeKey(entry.substring(colon + 1).trim());
      if (key == null) {
        throw new ConfigurationException(KEYS, "Invalid " + position + " (key id " + id + "): the key is not valid base64");
      }
      try {
        if (key.length != 32) {
          throw new ConfigurationException(KEYS, "Invalid " + position + " (key id " + id + "): the key is "
              + key.length + " bytes, AES-256 needs exactly 32 (e.g. openssl rand -base64 32)");
        }
        ring.add(id, key);
      } finally {
        java.util.Arrays.fill(key, (byte) 0);
      }
    }
    Value active = lookup(ACTIVE_KEY);
    if (active != null) {
      int activeId = parseId(active.text().trim(), ACTIVE_KEY, active.where());
      if (!seen.contains(activeId)) {
        throw new ConfigurationException(ACTIVE_KEY, "Invalid " + active.where() + ": key id " + activeId
            + " is not among the ids in " + keys.where() + " " + new java.util.TreeSet<>(seen));
      }
      ring.active(activeId);
    }
    return ring.build();
  }

  private static int parseId(String text, String setting, String position) {
    try {
      int id = Integer.parseInt(text);
      if (id >= 0) {
        return id;
      }
    } catch (NumberFormatException ignored) {
      // reported below without echoing the text, which might be key material pasted in the wrong place
    }
    throw new ConfigurationException(setting, "Invalid key id in " + position + ": expected an integer from 0 to " + Integer.MAX_VALUE);
  }

  private static byte[] decodeKey(String text) {
    if (text.isEmpty()) {
      return null;
    }
    try {
      return text.indexOf('-') >= 0 || text.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(text)
          : Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** {@link #TENANT_MODE}, strictly {@code true} or {@code false}. */
  public boolean tenantMode() {
    return booleanSetting(TENANT_MODE, false);
  }

  /**
   * {@link #DATA_KEY_TABLE}: a table name, optionally schema-qualified, of letters, digits and
   * {@code _}.
   *
   * @throws ConfigurationException for any other text (it is put into SQL statements)
   */
  public String dataKeyTable() {
    Value value = lookup(DATA_KEY_TABLE);
    if (value == null) {
      return "fieldcrypt_data_keys";
    }
    String text = value.text().trim();
    if (!text.matches("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?")) {
      throw new ConfigurationException(DATA_KEY_TABLE, "Invalid " + value.where()
          + ": expected a table name of letters, digits and _, optionally schema-qualified (schema.table)");
    }
    return text;
  }

  /** {@link #KEY_CACHE_TTL}: zero or more, default 5 minutes. */
  public java.time.Duration keyCacheTtl() {
    java.time.Duration ttl = durationSetting(KEY_CACHE_TTL);
    return ttl == null ? java.time.Duration.ofMinutes(5) : ttl;
  }

  /** {@link #KEY_CACHE_SIZE}: zero or more, default 10000. */
  public long keyCacheSize() {
    Value value = lookup(KEY_CACHE_SIZE);
    if (value == null) {
      return 10_000;
    }
    try {
      long size = Long.parseLong(value.text().trim());
      if (size >= 0) {
        return size;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigurationException(KEY_CACHE_SIZE, "Invalid " + value.where() + ": expected a number of keys, 0 or more");
  }

  /** {@link #ROTATE_AFTER}: a positive duration, or {@code null} (never) when unset. */
  public java.time.Duration rotateAfter() {
    java.time.Duration after = durationSetting(ROTATE_AFTER);
    if (after != null && after.isZero()) {
      throw new ConfigurationException(ROTATE_AFTER, "Invalid " + lookup(ROTATE_AFTER).where()
          + ": must be longer than zero (leave it unset to never rotate on a schedule)");
    }
    return after;
  }

  /** An ISO-8601 duration setting ({@code PT5M}, {@code P30D}), zero or more, or {@code null} when unset. */
  private java.time.Duration durationSetting(String setting) {
    Value value = lookup(setting);
    if (value == null) {
      return null;
    }
    try {
      java.time.Duration duration = java.time.Duration.parse(value.text().trim());
      if (!duration.isNegative()) {
        return duration;
      }
    } catch (java.time.format.DateTimeParseException ignored) {
      // reported below
    }
    throw new ConfigurationException(setting, "Invalid " + value.where() + ": expected an ISO-8601 duration of zero or more,"
        + " such as PT5M (5 minutes) or P30D (30 days)");
  }

  @Override
  public String toString() {
    return "FieldcryptSettings[" + KEYS + (lookup(KEYS) == null ? " unset" : " set") + "]";
  }
}
