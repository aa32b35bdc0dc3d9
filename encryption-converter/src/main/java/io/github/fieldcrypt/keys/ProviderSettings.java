package io.github.fieldcrypt.keys;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.FieldcryptSettings;

/** Reading the settings of the built-in key providers, with messages that name the setting. */
final class ProviderSettings {
  private ProviderSettings() {}

  /** A setting the provider cannot do without. */
  static String require(FieldcryptSettings settings, String setting, String provider) {
    String value = settings.get(setting);
    if (value == null) {
      throw new ConfigurationException(setting, "The " + provider + " key provider needs " + setting + " (or the environment variable "
          + FieldcryptSettings.environmentVariable(setting) + ")");
    }
    return value;
  }

  /** A key id, 0 to 2147483647, from an {@code id:...} entry of a setting; the text is never echoed. */
  static int keyId(String text, String setting) {
    try {
      int id = Integer.parseInt(text.trim());
      if (id >= 0) {
        return id;
      }
    } catch (NumberFormatException ignored) {
      // reported below, without the text: it might be key material pasted in the wrong place
    }
    throw new ConfigurationException(setting, "Invalid key id in " + setting + ": expected an integer from 0 to " + Integer.MAX_VALUE);
  }
}
