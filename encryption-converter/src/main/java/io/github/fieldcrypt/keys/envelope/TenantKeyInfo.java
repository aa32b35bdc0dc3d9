package io.github.fieldcrypt.keys.envelope;

import java.time.Instant;

/**
 * What the data key table says about one tenant data key, without key material.
 *
 * @param tenant the tenant
 * @param keyId the key's id within the tenant (the id in the headers of its values)
 * @param state active, retired or destroyed
 * @param masterKeyId the master key that wraps it; {@code null} when destroyed
 * @param fingerprint hex of the first 8 bytes of SHA-256 over the key (as {@code DataKey#fingerprint()})
 * @param createdAt when it was created (UTC, whole seconds)
 */
public record TenantKeyInfo(String tenant, int keyId, KeyState state, Integer masterKeyId, String fingerprint, Instant createdAt) {}
