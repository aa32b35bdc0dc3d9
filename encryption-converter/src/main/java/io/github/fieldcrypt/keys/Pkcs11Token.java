package io.github.fieldcrypt.keys;

import io.github.fieldcrypt.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * A PKCS#11 token (an HSM) reached through the JDK's SunPKCS11 provider, holding a master key
 * that never leaves it. Data keys are wrapped and unwrapped by AES-256-GCM inside the token
 * (SunPKCS11 on JDK 17 offers no AES key-wrap mechanism), bound to their key id:
 *
 * <pre>
 * wrapped = nonce (12) || AES-GCM_master(data key) || tag (16),  AAD = "fieldcrypt-data-key-v1|id=" + id
 * </pre>
 *
 * <p>Only the unwrapped data keys enter the JVM's memory, as with any provider. PKCS#11 keeps
 * the login per process: once a process has logged in to a token, later logins are not checked
 * again by the token, so open it once at start.
 */
public final class Pkcs11Token implements AutoCloseable {
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;

  private final Provider provider;
  private final KeyStore keyStore;
  private final char[] pin;
  // Handles of master keys found in the token (not key bytes: they never leave it). Finding one
  // (KeyStore.getKey) costs most of an unwrap, so it is done once per alias.
  private final java.util.concurrent.ConcurrentHashMap<String, SecretKey> masters = new java.util.concurrent.ConcurrentHashMap<>();

  private Pkcs11Token(Provider provider, KeyStore keyStore, char[] pin) {
    this.provider = provider;
    this.keyStore = keyStore;
    this.pin = pin;
  }

  /**
   * Logs in to the token described by a SunPKCS11 configuration file.
   *
   * @throws ConfigurationException when the file, the library or the PIN is wrong
   */
  public static Pkcs11Token open(Path config, char[] pin) {
    if (!Files.isReadable(config)) {
      throw new ConfigurationException(KeyProviders.PKCS11_CONFIG, "The PKCS#11 configuration " + config.toAbsolutePath()
          + " (" + KeyProviders.PKCS11_CONFIG + ") does not exist or cannot be read");
    }
    Provider base = java.security.Security.getProvider("SunPKCS11");
    if (base == null) {
      throw new ConfigurationException(KeyProviders.PKCS11_CONFIG, "This JDK has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
    }
    Provider provider;
    try {
      provider = base.configure(config.toAbsolutePath().toString());
    } catch (RuntimeException e) {
      throw new ConfigurationException(KeyProviders.PKCS11_CONFIG, "Cannot load the PKCS#11 token of " + config.toAbsolutePath()
          + ": check its library and slot (" + e.getClass().getSimpleName() + ")");
    }
    try {
      KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
      keyStore.load(null, pin);
      return new Pkcs11Token(provider, keyStore, pin.clone());
    } catch (Exception e) {
      throw new ConfigurationException(KeyProviders.PKCS11_PIN, "Cannot log in to the PKCS#11 token of " + config.toAbsolutePath()
          + ": wrong " + KeyProviders.PKCS11_PIN + " or token not initialised");
    }
  }

  /** The master key with this alias, or {@code null}. Its bytes are not extractable. */
  SecretKey masterKey(String alias) {
    SecretKey cached = masters.get(alias);
    if (cached != null) {
      return cached;
    }
    try {
      Key key = keyStore.getKey(alias, pin);
      if (key instanceof SecretKey secret) {
        masters.put(alias, secret);
        return secret;
      }
      return null;
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  /**
   * Creates a 256-bit AES master key inside the token under this alias, unless one exists.
   *
   * @return whether a key was created
   */
  public boolean createMasterKey(String alias) throws GeneralSecurityException {
    if (masterKey(alias) != null) {
      return false;
    }
    KeyGenerator generator = KeyGenerator.getInstance("AES", provider);
    generator.init(256);
    SecretKey key = generator.generateKey();
    keyStore.setKeyEntry(alias, key, null, null);
    return true;
  }

  /** Wraps a fresh random data key for this id with the master key: the base64 text for {@code fieldcrypt.pkcs11.wrapped-keys}. */
  public String wrapNewDataKey(String masterAlias, int id) throws GeneralSecurityException {
    SecretKey master = requireMaster(masterAlias);
    byte[] dataKey = new byte[DataKey.LENGTH];
    byte[] nonce = new byte[NONCE];
    SecureRandom random = new SecureRandom();
    random.nextBytes(dataKey);
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
      cipher.init(Cipher.ENCRYPT_MODE, master, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad(id));
      byte[] sealed = cipher.doFinal(dataKey);
      byte[] wrapped = new byte[NONCE + sealed.length];
      System.arraycopy(nonce, 0, wrapped, 0, NONCE);
      System.arraycopy(sealed, 0, wrapped, NONCE, sealed.length);
      return Base64.getEncoder().encodeToString(wrapped);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /**
   * Unwraps a data key inside the token.
   *
   * @throws ConfigurationException when it was not wrapped by this master key for this id
   */
  DataKey unwrap(String masterAlias, int id, String wrappedBase64) {
    SecretKey master = requireMaster(masterAlias);
    byte[] wrapped;
    try {
      wrapped = Base64.getDecoder().decode(wrappedBase64.trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(KeyProviders.PKCS11_WRAPPED_KEYS, "The wrapped key for id " + id + " in "
          + KeyProviders.PKCS11_WRAPPED_KEYS + " is not valid base64");
    }
    if (wrapped.length != NONCE + DataKey.LENGTH + TAG_BITS / 8) {
      throw new ConfigurationException(KeyProviders.PKCS11_WRAPPED_KEYS, "The wrapped key for id " + id + " in "
          + KeyProviders.PKCS11_WRAPPED_KEYS + " has the wrong length");
    }
    byte[] dataKey = null;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
      cipher.init(Cipher.DECRYPT_MODE, master, new GCMParameterSpec(TAG_BITS, wrapped, 0, NONCE));
      cipher.updateAAD(aad(id));
      dataKey = cipher.doFinal(wrapped, NONCE, wrapped.length - NONCE);
      return DataKey.of(id, dataKey);
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException(KeyProviders.PKCS11_WRAPPED_KEYS, "The wrapped key for id " + id
          + " does not unwrap with the master key '" + masterAlias + "': it was wrapped by another master key or for another id");
    } finally {
      if (dataKey != null) {
        Arrays.fill(dataKey, (byte) 0);
      }
    }
  }

  /** Whether the token holds a master key under this alias. */
  public boolean hasMasterKey(String alias) {
    return masterKey(alias) != null;
  }

  /**
   * Wraps a data key inside the token with the master key under this alias, bound to
   * {@code associatedData}: {@code nonce (12) || AES-GCM(key) || tag (16)}.
   *
   * @throws ConfigurationException when the token has no such master key
   * @throws GeneralSecurityException when the token refuses the operation
   */
  public byte[] wrap(String masterAlias, DataKey key, byte[] associatedData) throws GeneralSecurityException {
    byte[] nonce = new byte[NONCE];
    new SecureRandom().nextBytes(nonce);
    byte[] plain = key.secretKey().getEncoded();
    try {
      byte[] sealed;
      try {
        sealed = wrapWith(requireMaster(masterAlias), nonce, plain, associatedData);
      } catch (GeneralSecurityException | java.security.ProviderException e) {
        // the cached handle may be stale (token reset, key replaced): find the key again, once
        masters.remove(masterAlias);
        sealed = wrapWith(requireMaster(masterAlias), nonce, plain, associatedData);
      }
      byte[] wrapped = new byte[NONCE + sealed.length];
      System.arraycopy(nonce, 0, wrapped, 0, NONCE);
      System.arraycopy(sealed, 0, wrapped, NONCE, sealed.length);
      return wrapped;
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  private byte[] wrapWith(SecretKey master, byte[] nonce, byte[] plain, byte[] associatedData) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
    cipher.init(Cipher.ENCRYPT_MODE, master, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(associatedData);
    return cipher.doFinal(plain);
  }

  /**
   * Unwraps, inside the token, a data key made by {@link #wrap(String, DataKey, byte[])}.
   *
   * @throws ConfigurationException when the token has no such master key
   * @throws GeneralSecurityException when the wrapped key was not made by this master key with
   *     this associated data, or was altered
   */
  public DataKey unwrap(String masterAlias, int id, byte[] wrapped, byte[] associatedData) throws GeneralSecurityException {
    if (wrapped.length != NONCE + DataKey.LENGTH + TAG_BITS / 8) {
      throw new javax.crypto.AEADBadTagException("wrapped key of the wrong length");
    }
    byte[] dataKey;
    try {
      dataKey = unwrapWith(requireMaster(masterAlias), wrapped, associatedData);
    } catch (javax.crypto.AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException | java.security.ProviderException e) {
      // the cached handle may be stale (token reset, key replaced): find the key again, once
      masters.remove(masterAlias);
      dataKey = unwrapWith(requireMaster(masterAlias), wrapped, associatedData);
    }
    try {
      return DataKey.of(id, dataKey);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  private byte[] unwrapWith(SecretKey master, byte[] wrapped, byte[] associatedData) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
    cipher.init(Cipher.DECRYPT_MODE, master, new GCMParameterSpec(TAG_BITS, wrapped, 0, NONCE));
    cipher.updateAAD(associatedData);
    return cipher.doFinal(wrapped, NONCE, wrapped.length - NONCE);
  }

  private SecretKey requireMaster(String alias) {
    SecretKey master = masterKey(alias);
    if (master == null) {
      throw new ConfigurationException(KeyProviders.PKCS11_MASTER_KEY, "The PKCS#11 token has no master key '" + alias
          + "' (" + KeyProviders.PKCS11_MASTER_KEY + "); create it with keygen --provider pkcs11");
    }
    return master;
  }

  private static byte[] aad(int id) {
    return ("fieldcrypt-data-key-v1|id=" + id).getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    Arrays.fill(pin, '\0');
    masters.clear();
  }

  @Override
  public String toString() {
    return "Pkcs11Token[" + provider.getName() + "]";
  }
}
