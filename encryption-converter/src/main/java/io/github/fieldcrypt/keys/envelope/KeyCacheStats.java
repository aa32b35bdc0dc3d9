package io.github.fieldcrypt.keys.envelope;

/**
 * Counters of the unwrapped data key cache since the store was built. A hit costs neither a
 * database query nor a master key operation; a miss costs both.
 *
 * @param hits lookups answered from the cache
 * @param misses lookups that went to the data key table
 * @param evictions entries removed because they expired or the cache was full
 * @param size entries in the cache now (an estimate)
 */
public record KeyCacheStats(long hits, long misses, long evictions, long size) {}
