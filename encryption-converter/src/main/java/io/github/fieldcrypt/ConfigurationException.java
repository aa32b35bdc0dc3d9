package io.github.fieldcrypt;

/**
 * fieldcrypt is configured wrongly: a key setting is missing or malformed, an annotated attribute
 * has a type or column fieldcrypt cannot encrypt. Thrown while the SessionFactory (or the
 * Liquibase run) starts, never later; the message names the setting or attribute to fix.
 */
public class ConfigurationException extends FieldcryptException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  public ConfigurationException(String setting, String message) {
    super(message, null, null, null);
    this.setting = setting;
  }

  /** The setting to fix (for example {@code fieldcrypt.keys}), or {@code null} for a mapping error. */
  public String getSetting() {
    return setting;
  }
}
