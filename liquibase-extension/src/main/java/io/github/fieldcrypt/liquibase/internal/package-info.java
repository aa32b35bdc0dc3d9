/**
 * The migration engine and its Liquibase plumbing (statement, SQL generator, shared
 * validation). Not an API: use the change types in {@code io.github.fieldcrypt.liquibase}.
 */
package io.github.fieldcrypt.liquibase.internal;
