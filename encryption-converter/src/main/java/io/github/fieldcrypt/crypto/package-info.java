/**
 * The ciphertext format (v1) and the ciphers behind it: AES-256-GCM with random nonces.
 * No JPA, no key management: keys arrive as {@link javax.crypto.SecretKey}s.
 */
package io.github.fieldcrypt.crypto;
