package io.github.fieldcrypt.keys;

import io.github.fieldcrypt.crypto.AesGcmSiv;
import io.github.fieldcrypt.crypto.GcmKey;
import io.github.fieldcrypt.crypto.KeyFingerprint;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * One 256-bit AES key with its id in a {@link KeyRing}.
 *
 * <p><b>Security:</b> {@link #toString()} prints the id and a short fingerprint (the first 8
 * bytes of SHA-256 over the key, enough to tell two keys apart and useless to recover one),
 * never key material. The raw bytes leave only through {@link #secretKey()}, for the cipher.
 */
public final class DataKey {
  /** Key length in bytes: AES-256. */
  public static final int LENGTH = 32;

  private final int id;
  private final SecretKey secretKey;
  // The key with its own pool of AES-GCM ciphers (no new key schedule per change of key).
  private final GcmKey gcmKey;
  private final String fingerprint;
  // Deterministic mode's derived keys, made on first use (most keys never need them).
  private volatile AesGcmSiv.Keys deterministicKeys;

  private DataKey(int id, SecretKey secretKey, String fingerprint) {
    this.id = id;
    this.secretKey = secretKey;
    this.gcmKey = new GcmKey(secretKey);
    this.fingerprint = fingerprint;
  }

  /**
   * Makes a key from 32 raw bytes. The array is copied; callers should wipe theirs.
   *
   * @throws IllegalArgumentException when the id is negative or the key is not 32 bytes
   *     (the message gives the length, not the bytes)
   */
  public static DataKey of(int id, byte[] keyBytes) {
    if (id < 0) {
      throw new IllegalArgumentException("Invalid key id " + id + "; key ids are 0 to " + Integer.MAX_VALUE);
    }
    if (keyBytes == null || keyBytes.length != LENGTH) {
      throw new IllegalArgumentException("Invalid key size " + (keyBytes == null ? 0 : keyBytes.length)
          + " bytes for key id " + id + "; only 32-byte (AES-256) keys are supported");
    }
    return new DataKey(id, new SecretKeySpec(keyBytes, "AES"), KeyFingerprint.of(keyBytes));
  }

  public int id() {
    return id;
  }

  /** The key for {@code javax.crypto.Cipher}. */
  public SecretKey secretKey() {
    return secretKey;
  }

  /** The key with AES-GCM ciphers set up for it, for {@code crypto.AesGcm}. */
  public GcmKey gcmKey() {
    return gcmKey;
  }

  /**
   * Drops what this object keeps besides the key itself: the ciphers set up for it (see
   * {@link GcmKey#release()}). Called when the key is destroyed (crypto-shredding); the object
   * still works afterwards, only slower.
   */
  public void releaseCiphers() {
    gcmKey.release();
  }

  /**
   * The keys deterministic mode (alg 0x02) uses, derived from this key with HKDF-SHA256 once
   * and kept: the data key itself never encrypts in that mode.
   */
  public AesGcmSiv.Keys deterministicKeys() {
    AesGcmSiv.Keys keys = deterministicKeys;
    if (keys == null) {
      byte[] raw = secretKey.getEncoded();
      try {
        keys = AesGcmSiv.Keys.derive(raw);
      } finally {
        Arrays.fill(raw, (byte) 0);
      }
      deterministicKeys = keys;
    }
    return keys;
  }

  /** Hex of the first 8 bytes of SHA-256(key): safe to log, identifies the key. */
  public String fingerprint() {
    return fingerprint;
  }

  @Override
  public String toString() {
    return "DataKey[id=" + id + ", fingerprint=" + fingerprint + "]";
  }
}
