package io.github.fieldcrypt.keys;

import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.spi.KeyProvider;

/**
 * Keys given directly in {@code fieldcrypt.keys} ({@code id:base64key,...}), from the
 * configuration, a system property or the {@code FIELDCRYPT_KEYS} environment variable.
 *
 * <p><b>Warning:</b> the simplest provider and the weakest place for a key: anything that can
 * read the process environment or the configuration can read the key.
 */
final class SettingsKeyProvider implements KeyProvider {
  @Override
  public String name() {
    return "settings";
  }

  @Override
  public KeyRing load(FieldcryptSettings settings) {
    return settings.keyRing();
  }
}
