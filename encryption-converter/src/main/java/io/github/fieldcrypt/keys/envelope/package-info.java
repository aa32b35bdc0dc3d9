/**
 * Tenant keys (envelope mode): {@link io.github.fieldcrypt.keys.envelope.TenantKeyStore} keeps
 * random 256-bit data keys per tenant in a table, wrapped by
 * {@link io.github.fieldcrypt.keys.envelope.MasterKeys} (a key ring from any key provider, or
 * master keys inside a PKCS#11 token), with a Caffeine cache of unwrapped keys, rotation,
 * crypto-shredding, master key rotation and audit events. JDBC only; no JPA here.
 *
 * <p>The table is created by the Liquibase changelog
 * {@code io/github/fieldcrypt/db/fieldcrypt-data-keys.changelog.xml} shipped in this jar.
 */
package io.github.fieldcrypt.keys.envelope;
