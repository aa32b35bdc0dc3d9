package io.github.fieldcrypt.keys;

import static io.github.fieldcrypt.keys.KeyProviders.PKCS11_CONFIG;
import static io.github.fieldcrypt.keys.KeyProviders.PKCS11_MASTER_KEY;
import static io.github.fieldcrypt.keys.KeyProviders.PKCS11_PIN;
import static io.github.fieldcrypt.keys.KeyProviders.PKCS11_WRAPPED_KEYS;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.spi.KeyProvider;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Data keys wrapped by a master key that lives in a PKCS#11 token (an HSM; SoftHSM2 in tests)
 * and never leaves it: they are unwrapped inside the token once, at start.
 *
 * <p>Settings: {@code fieldcrypt.pkcs11.config} (a SunPKCS11 configuration file:
 * {@code name}, {@code library}, {@code slotListIndex}), {@code fieldcrypt.pkcs11.pin},
 * {@code fieldcrypt.pkcs11.master-key} (alias, default {@code fieldcrypt-master}) and
 * {@code fieldcrypt.pkcs11.wrapped-keys} ({@code id:base64,...}, made by
 * {@code keygen --provider pkcs11}).
 */
final class Pkcs11KeyProvider implements KeyProvider {
  static final String DEFAULT_MASTER = "fieldcrypt-master";

  @Override
  public String name() {
    return "pkcs11";
  }

  @Override
  public KeyRing load(FieldcryptSettings settings) {
    String config = ProviderSettings.require(settings, PKCS11_CONFIG, name());
    String pin = ProviderSettings.require(settings, PKCS11_PIN, name());
    String wrappedKeys = ProviderSettings.require(settings, PKCS11_WRAPPED_KEYS, name());
    String master = settings.get(PKCS11_MASTER_KEY) != null ? settings.get(PKCS11_MASTER_KEY).trim() : DEFAULT_MASTER;
    try (Pkcs11Token token = Pkcs11Token.open(Path.of(config), pin.toCharArray())) {
      KeyRing.Builder ring = KeyRing.builder();
      Set<Integer> ids = new HashSet<>();
      for (String entry : wrappedKeys.split(",")) {
        int colon = entry.indexOf(':');
        if (colon <= 0) {
          throw new ConfigurationException(PKCS11_WRAPPED_KEYS, "Invalid entry in " + PKCS11_WRAPPED_KEYS + ": expected id:base64");
        }
        int id = ProviderSettings.keyId(entry.substring(0, colon), PKCS11_WRAPPED_KEYS);
        if (!ids.add(id)) {
          throw new ConfigurationException(PKCS11_WRAPPED_KEYS, "Duplicate key id " + id + " in " + PKCS11_WRAPPED_KEYS);
        }
        ring.add(token.unwrap(master, id, entry.substring(colon + 1)));
      }
      return ring.build();
    }
  }
}
