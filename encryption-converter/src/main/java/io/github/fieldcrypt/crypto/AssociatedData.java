package io.github.fieldcrypt.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * The associated data of a v1 value, precomputed: the 6 header bytes ({@code 0xFC | alg | key
 * id}) followed by the UTF-8 context. One instance serves every value written or read under one
 * algorithm, key id and context, so the hot path hands the cipher a single ready array instead
 * of assembling it per value.
 *
 * <p>Immutable but for a shortcut to its tag corrections under the key last used with it (key
 * material, kept and wiped by that key's {@link GcmKey}, never printed).
 */
public final class AssociatedData {
  private final byte algorithm;
  private final int keyId;
  private final byte[] bytes;
  /** Of the bytes, computed when first asked for (most instances never go into a map); 0: not yet. */
  private int hash;
  /**
   * The tag corrections of these bytes under the key last used with them ({@link GcmKey#folded}
   * checks the key): a shortcut past the key's map. Zeroed with that key when it is released.
   */
  volatile FoldedAad folded;

  private AssociatedData(byte algorithm, int keyId, byte[] bytes) {
    this.algorithm = algorithm;
    this.keyId = keyId;
    this.bytes = bytes;
  }

  /** The associated data for values of this algorithm and key id under this UTF-8 context (copied). */
  public static AssociatedData of(byte algorithm, int keyId, byte[] context) {
    Objects.requireNonNull(context, "context");
    byte[] bytes = new byte[CiphertextFormat.HEADER_LENGTH + context.length];
    CiphertextFormat.writeHeader(bytes, algorithm, keyId);
    System.arraycopy(context, 0, bytes, CiphertextFormat.HEADER_LENGTH, context.length);
    return new AssociatedData(algorithm, keyId, bytes);
  }

  /** Whether this is the associated data of values with this algorithm and key id. */
  public boolean isFor(byte algorithm, int keyId) {
    return this.algorithm == algorithm && this.keyId == keyId;
  }

  public byte algorithm() {
    return algorithm;
  }

  public int keyId() {
    return keyId;
  }

  /** The header || context bytes; never modified, never handed out of this package. */
  byte[] bytes() {
    return bytes;
  }

  /** Whether the first 6 bytes of {@code value} are exactly this associated data's header. */
  boolean headerMatches(byte[] value) {
    if (value.length < CiphertextFormat.HEADER_LENGTH) {
      return false;
    }
    for (int i = 0; i < CiphertextFormat.HEADER_LENGTH; i++) {
      if (value[i] != bytes[i]) {
        return false;
      }
    }
    return true;
  }

  /** Equal when the bytes are: the same header and context. */
  @Override
  public boolean equals(Object o) {
    return o instanceof AssociatedData other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = Arrays.hashCode(bytes);
      hash = h;
    }
    return h;
  }

  @Override
  public String toString() {
    return "AssociatedData[alg=" + algorithm + ", keyId=" + keyId + ", " + (bytes.length - CiphertextFormat.HEADER_LENGTH)
        + " context bytes]";
  }
}
