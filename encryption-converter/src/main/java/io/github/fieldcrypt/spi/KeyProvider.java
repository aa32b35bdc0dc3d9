package io.github.fieldcrypt.spi;

import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.keys.KeyRing;

/**
 * Where the keys come from. Chosen with {@code fieldcrypt.key-provider}: the built-in
 * {@code settings} (the default: {@code fieldcrypt.keys}), {@code pkcs12} (a key store file),
 * {@code pkcs11} (an HSM) and {@code passphrase}, or the {@link #name()} of an implementation registered through
 * {@code META-INF/services/io.github.fieldcrypt.spi.KeyProvider}, or its class name.
 *
 * <p>Called once while the SessionFactory (or a Liquibase run) starts, never per value.
 * Implementations must fail there, with a {@link io.github.fieldcrypt.ConfigurationException}
 * naming the setting to fix, and must never put key material in a message or log line.
 */
public interface KeyProvider {

  /** The name that selects this provider in {@code fieldcrypt.key-provider}. */
  String name();

  /**
   * Loads the key ring. {@code fieldcrypt.active-key}, when set, is applied by the caller.
   *
   * @throws io.github.fieldcrypt.ConfigurationException when the keys cannot be loaded
   */
  KeyRing load(FieldcryptSettings settings);

  /**
   * Checks the settings as early as possible (Liquibase's validation of a changelog, before its
   * changes run and {@link #load} again). The default loads the keys and drops them; a provider
   * whose loading is slow on purpose and proves nothing more than its settings (a passphrase:
   * any passphrase derives some key) checks only the settings.
   *
   * @throws io.github.fieldcrypt.ConfigurationException when the keys cannot be loaded
   */
  default void check(FieldcryptSettings settings) {
    load(settings);
  }
}
