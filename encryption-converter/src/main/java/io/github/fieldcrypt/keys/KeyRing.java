package io.github.fieldcrypt.keys;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The keys fieldcrypt may use, each with an id; exactly one is active and encrypts, every key
 * decrypts the values written under its id.
 *
 * <p>Rotation is adding a key and making it active: new writes use it at once, existing values
 * still decrypt with the key their header names. Immutable and thread-safe.
 */
public final class KeyRing {
  private final Map<Integer, DataKey> keys;
  private final DataKey active;
  // Lookup on the hot path without boxing: ids are usually small and dense.
  private final DataKey[] byId;

  private KeyRing(Map<Integer, DataKey> keys, DataKey active) {
    this.keys = Collections.unmodifiableMap(keys);
    this.active = active;
    int max = keys.isEmpty() ? -1 : ((TreeMap<Integer, DataKey>) keys).lastKey();
    if (max < 1024) {
      byId = new DataKey[max + 1];
      keys.values().forEach(k -> byId[k.id()] = k);
    } else {
      byId = null;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The key new values are encrypted with. */
  public DataKey active() {
    return active;
  }

  /** The key with this id, or {@code null} when the ring has none. */
  public DataKey find(int id) {
    if (byId != null) {
      return id >= 0 && id < byId.length ? byId[id] : null;
    }
    return keys.get(id);
  }

  /** The ids in ascending order. */
  public List<Integer> ids() {
    return new ArrayList<>(keys.keySet());
  }

  public int size() {
    return keys.size();
  }

  @Override
  public String toString() {
    return "KeyRing[ids=" + keys.keySet() + ", active=" + active.id() + "]";
  }

  /** Builds a {@link KeyRing}; {@link #build()} validates. */
  public static final class Builder {
    private final TreeMap<Integer, DataKey> keys = new TreeMap<>();
    private Integer activeId;

    private Builder() {}

    /** Adds a key. @throws IllegalArgumentException on a duplicate id */
    public Builder add(DataKey key) {
      if (keys.putIfAbsent(key.id(), key) != null) {
        throw new IllegalArgumentException("Duplicate key id " + key.id());
      }
      return this;
    }

    /** Adds a key from raw bytes (copied). */
    public Builder add(int id, byte[] keyBytes) {
      return add(DataKey.of(id, keyBytes));
    }

    /** Makes this id the active key; without it the highest id is active. */
    public Builder active(int id) {
      this.activeId = id;
      return this;
    }

    /** @throws IllegalStateException when the ring is empty or the active id is not in it */
    public KeyRing build() {
      if (keys.isEmpty()) {
        throw new IllegalStateException("A key ring needs at least one key");
      }
      DataKey active = activeId == null ? keys.lastEntry().getValue() : keys.get(activeId);
      if (active == null) {
        throw new IllegalStateException("Active key id " + activeId + " is not in the key ring " + keys.keySet());
      }
      return new KeyRing(new TreeMap<>(keys), active);
    }
  }
}
