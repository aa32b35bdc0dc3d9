/**
 * What integrators implement: {@link io.github.fieldcrypt.spi.KeyProvider}, a source of keys.
 * These interfaces are contracts; their implementations inside fieldcrypt live in
 * {@code io.github.fieldcrypt.keys}.
 */
package io.github.fieldcrypt.spi;
