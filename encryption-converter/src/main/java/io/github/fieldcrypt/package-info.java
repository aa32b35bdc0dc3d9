/**
 * What application code touches: {@link io.github.fieldcrypt.Encrypted @Encrypted}, the
 * {@link io.github.fieldcrypt.FieldEncryptor} that the Hibernate converters and the Liquibase
 * changes share, {@link io.github.fieldcrypt.FieldcryptSettings the settings}, and the exceptions,
 * all under {@link io.github.fieldcrypt.FieldcryptException}.
 */
package io.github.fieldcrypt;
