/**
 * What integrators implement: {@link io.github.fieldcrypt.spi.KeyProvider}, a source of keys, and
 * {@link io.github.fieldcrypt.spi.KeyAuditListener}, a receiver of the audit events of tenant data
 * key management ({@link io.github.fieldcrypt.spi.KeyEvent}). These interfaces are contracts;
 * their implementations inside fieldcrypt live in {@code io.github.fieldcrypt.keys}.
 */
package io.github.fieldcrypt.spi;
