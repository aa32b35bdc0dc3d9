/**
 * Keys: the {@link io.github.fieldcrypt.keys.KeyRing} with ids and one active key, and the
 * built-in {@link io.github.fieldcrypt.spi.KeyProvider}s ({@code settings}, {@code pkcs12},
 * {@code pkcs11}, {@code passphrase}) chosen by {@link io.github.fieldcrypt.keys.KeyProviders}.
 * Tenant data keys wrapped by a master key (envelope mode) are in
 * {@link io.github.fieldcrypt.keys.envelope}. No JPA here.
 */
package io.github.fieldcrypt.keys;
