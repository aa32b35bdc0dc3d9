/**
 * The Hibernate integration, internal: the binder that turns {@code @Encrypted} into a
 * converter per attribute, the converters, the mutability plan that keeps plaintext out of the
 * second-level cache, the service that holds a SessionFactory's encryptor, and the integrator
 * that binds each converter to its physical column at start. Registered through
 * {@code META-INF/services}; applications do not call these classes.
 */
package io.github.fieldcrypt.hibernate;
