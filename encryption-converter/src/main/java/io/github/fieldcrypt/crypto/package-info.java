/**
 * The ciphertext format (v1) and the ciphers behind it: AES-256-GCM with random nonces; and
 * {@link io.github.fieldcrypt.crypto.Fernet}, to read (and, for rollbacks, write) the tokens of
 * Python's {@code cryptography.fernet} that a column may hold before it moves to v1.
 * No JPA, no key management: keys arrive as {@link javax.crypto.SecretKey}s or parsed key objects.
 */
package io.github.fieldcrypt.crypto;
