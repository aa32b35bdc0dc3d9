package io.github.fieldcrypt.keys;

import static io.github.fieldcrypt.keys.KeyProviders.PASSPHRASE;
import static io.github.fieldcrypt.keys.KeyProviders.PASSPHRASE_ITERATIONS;
import static io.github.fieldcrypt.keys.KeyProviders.PASSPHRASE_KEY_ID;
import static io.github.fieldcrypt.keys.KeyProviders.PASSPHRASE_SALT;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.spi.KeyProvider;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * One key derived from a passphrase with PBKDF2-HMAC-SHA256 (at least 600,000 iterations, the
 * OWASP 2023 figure) and a stored random salt; derived once at start, never per value.
 *
 * <p>For development and small installations: the key is only as strong as the passphrase.
 * Settings: {@code fieldcrypt.passphrase}, {@code fieldcrypt.passphrase.salt} (base64, ≥ 16
 * bytes, kept with the configuration: a new salt is a new key), and optionally
 * {@code fieldcrypt.passphrase.key-id} (default 1) and {@code fieldcrypt.passphrase.iterations}.
 */
final class PassphraseKeyProvider implements KeyProvider {
  static final int MIN_ITERATIONS = 600_000;
  static final int MIN_PASSPHRASE = 12;
  static final int MIN_SALT = 16;

  @Override
  public String name() {
    return "passphrase";
  }

  /** Checks every setting without deriving the key (PBKDF2 is slow on purpose, and proves nothing more). */
  @Override
  public void check(FieldcryptSettings settings) {
    checked(settings);
  }

  @Override
  public KeyRing load(FieldcryptSettings settings) {
    Checked checked = checked(settings);
    String passphrase = checked.passphrase;
    byte[] salt = checked.salt;
    int iterations = checked.iterations;
    int id = checked.id;
    char[] chars = passphrase.toCharArray();
    PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, DataKey.LENGTH * 8);
    byte[] key = null;
    try {
      key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      return KeyRing.builder().add(id, key).build();
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException(PASSPHRASE, "PBKDF2WithHmacSHA256 is not available in this JDK");
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
      if (key != null) {
        Arrays.fill(key, (byte) 0);
      }
    }
  }

  /** The settings, each checked. */
  private record Checked(String passphrase, byte[] salt, int iterations, int id) {
    @Override
    public String toString() {
      return "PassphraseKeyProvider.Checked[iterations=" + iterations + ", id=" + id + "]";
    }
  }

  private Checked checked(FieldcryptSettings settings) {
    String passphrase = ProviderSettings.require(settings, PASSPHRASE, name());
    if (passphrase.length() < MIN_PASSPHRASE) {
      throw new ConfigurationException(PASSPHRASE, PASSPHRASE + " is too short: use at least " + MIN_PASSPHRASE + " characters");
    }
    byte[] salt = salt(settings.get(PASSPHRASE_SALT));
    int iterations = integer(settings, PASSPHRASE_ITERATIONS, MIN_ITERATIONS);
    if (iterations < MIN_ITERATIONS) {
      throw new ConfigurationException(PASSPHRASE_ITERATIONS, PASSPHRASE_ITERATIONS + " must be at least " + MIN_ITERATIONS);
    }
    int id = integer(settings, PASSPHRASE_KEY_ID, 1);
    if (id < 0) {
      throw new ConfigurationException(PASSPHRASE_KEY_ID, PASSPHRASE_KEY_ID + " must be 0 or more");
    }
    return new Checked(passphrase, salt, iterations, id);
  }

  private static byte[] salt(String text) {
    if (text == null) {
      throw new ConfigurationException(PASSPHRASE_SALT, "The passphrase key provider needs " + PASSPHRASE_SALT
          + ": a random salt of at least " + MIN_SALT + " bytes in base64, made once and kept (keygen --provider passphrase prints one)");
    }
    byte[] salt;
    try {
      salt = Base64.getDecoder().decode(text.trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(PASSPHRASE_SALT, PASSPHRASE_SALT + " is not valid base64");
    }
    if (salt.length < MIN_SALT) {
      throw new ConfigurationException(PASSPHRASE_SALT, PASSPHRASE_SALT + " is " + salt.length + " bytes; use at least " + MIN_SALT);
    }
    return salt;
  }

  private static int integer(FieldcryptSettings settings, String setting, int defaultValue) {
    String text = settings.get(setting);
    if (text == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new ConfigurationException(setting, "Invalid " + setting + ": expected an integer");
    }
  }
}
