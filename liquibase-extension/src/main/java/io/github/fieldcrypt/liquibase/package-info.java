/**
 * Liquibase changes that migrate the rows a database already holds: {@code encryptColumn},
 * {@code decryptColumn} and {@code reencryptColumn} as first-class changes (XML namespace
 * {@value io.github.fieldcrypt.liquibase.AbstractColumnCryptChange#NAMESPACE}, YAML, JSON) and as
 * {@code customChange} classes, plus {@link io.github.fieldcrypt.liquibase.ColumnSizing} for the
 * DDL that sizes encrypted columns.
 *
 * <p>They write the very values {@code @Encrypted} writes for the same table and column, with
 * the same keys ({@code fieldcrypt.keys}, {@code fieldcrypt.active-key}).
 */
package io.github.fieldcrypt.liquibase;
