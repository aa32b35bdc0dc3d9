package io.github.fieldcrypt.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM-SIV over the v1 layout with a synthetic nonce: deterministic mode (alg 0x02).
 *
 * <pre>
 * nonce = first 12 bytes of HMAC-SHA256(nonce key, AAD || plaintext)
 * body  = AES-256-GCM-SIV(encryption key, nonce, AAD).seal(plaintext)   (ciphertext || 16-byte tag)
 * </pre>
 *
 * <p>Equal plaintexts under one key and one AAD (column, tenant) give equal values, which is
 * what makes equality queries work; a different column or key gives an unrelated value. The
 * two keys are derived from the data key with HKDF-SHA256 under distinct labels
 * ({@link Keys#derive}), so the data key itself is never used by this mode. Decryption checks
 * the tag and then that the nonce is the synthetic one for the plaintext it recovered, so a
 * value that decrypts is exactly the one this mode writes for that plaintext.
 *
 * <p>The JDK has no GCM-SIV: {@link GcmSiv} implements RFC 8452 over the JDK's AES (AES-NI),
 * checked against Wycheproof and against BouncyCastle's implementation; one per thread.
 */
public final class AesGcmSiv {
  /** HKDF label of the AES-256-GCM-SIV key (FORMAT.md). */
  static final String ENCRYPTION_KEY_LABEL = "fieldcrypt-v1 aes-256-gcm-siv encryption key";
  /** HKDF label of the HMAC-SHA256 key that makes synthetic nonces (FORMAT.md). */
  static final String NONCE_KEY_LABEL = "fieldcrypt-v1 aes-256-gcm-siv nonce key";

  /** SHA-256's block length: the HMAC key pads. */
  private static final int HMAC_BLOCK = 64;

  private static final ThreadLocal<GcmSiv> CIPHER = ThreadLocal.withInitial(GcmSiv::new);

  private AesGcmSiv() {}

  /**
   * Encrypts deterministically.
   *
   * @param associatedData for alg 0x02 and the key id to write into the header
   * @return the complete v1 value
   */
  public static byte[] encrypt(Keys keys, byte[] plaintext, AssociatedData associatedData) {
    if (associatedData.algorithm() != CiphertextFormat.ALG_AES_256_GCM_SIV) {
      throw new IllegalArgumentException("associated data is for alg " + associatedData.algorithm() + ", not AES-256-GCM-SIV");
    }
    byte[] aad = associatedData.bytes();
    byte[] out = new byte[plaintext.length + CiphertextFormat.OVERHEAD];
    System.arraycopy(aad, 0, out, 0, CiphertextFormat.HEADER_LENGTH);
    keys.syntheticNonce(aad, plaintext, out, CiphertextFormat.NONCE_OFFSET);
    GcmSiv cipher = CIPHER.get();
    cipher.keyGeneratingKey(keys.encryptionKey);
    cipher.seal(out, CiphertextFormat.NONCE_OFFSET, aad, plaintext, out, CiphertextFormat.BODY_OFFSET);
    return out;
  }

  /**
   * Decrypts and authenticates a v1 value of alg 0x02. The associated data is always the
   * value's own header and the context (rebuilt when the prepared one is for another header).
   *
   * @return the plaintext
   * @throws AEADBadTagException when the value does not authenticate under these keys and
   *     context, or its nonce is not the synthetic nonce of its plaintext
   */
  public static byte[] decrypt(Keys keys, byte[] value, AssociatedData associatedData) throws AEADBadTagException {
    byte[] aad = associatedData.bytes();
    if (!associatedData.headerMatches(value)) {
      aad = aad.clone();
      System.arraycopy(value, 0, aad, 0, CiphertextFormat.HEADER_LENGTH);
    }
    byte[] nonce = Arrays.copyOfRange(value, CiphertextFormat.NONCE_OFFSET, CiphertextFormat.BODY_OFFSET);
    byte[] plaintext = open(keys.encryptionKey, nonce, aad, value, CiphertextFormat.BODY_OFFSET,
        value.length - CiphertextFormat.BODY_OFFSET);
    if (!MessageDigest.isEqual(nonce, keys.syntheticNonce(aad, plaintext))) {
      Arrays.fill(plaintext, (byte) 0);
      throw new AEADBadTagException("nonce is not the synthetic nonce of the plaintext");
    }
    return plaintext;
  }

  private static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] in, int offset, int length)
      throws AEADBadTagException {
    GcmSiv cipher = CIPHER.get();
    cipher.keyGeneratingKey(key);
    return cipher.open(nonce, 0, aad, in, offset, length);
  }

  /**
   * Known-answer seam, package-private on purpose (no public API takes a caller's nonce): seals
   * with the same cipher as {@link #encrypt} under a raw key, a given 12-byte nonce and
   * associated data. Returns ciphertext || tag. For test vectors only.
   */
  static byte[] sealWithNonce(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    requireParameters(key, nonce);
    GcmSiv cipher = CIPHER.get();
    cipher.keyGeneratingKey(key.clone());
    byte[] out = new byte[plaintext.length + CiphertextFormat.TAG_LENGTH];
    cipher.seal(nonce, 0, aad, plaintext, out, 0);
    return out;
  }

  /** The inverse of {@link #sealWithNonce}: opens ciphertext || tag. For test vectors only. */
  static byte[] openWithNonce(byte[] key, byte[] nonce, byte[] aad, byte[] sealed) throws AEADBadTagException {
    requireParameters(key, nonce);
    return open(key.clone(), nonce, aad, sealed, 0, sealed.length);
  }

  private static void requireParameters(byte[] key, byte[] nonce) {
    if (key.length != 32) {
      throw new IllegalArgumentException("fieldcrypt uses 256-bit keys only, not " + key.length * 8 + "-bit ones");
    }
    if (nonce.length != CiphertextFormat.NONCE_LENGTH) {
      throw new IllegalArgumentException("fieldcrypt uses 96-bit nonces only, not " + nonce.length * 8 + "-bit ones");
    }
  }

  /**
   * HKDF-SHA256 (RFC 5869) with an empty salt, for one 32-byte output: the derivation of the
   * deterministic mode's keys from a data key.
   */
  static byte[] hkdfSha256(byte[] inputKey, String label) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
      byte[] prk = mac.doFinal(inputKey);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      Arrays.fill(prk, (byte) 0);
      mac.update(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      mac.update((byte) 1);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  /**
   * The two keys of deterministic mode, derived once from a data key. Holds key material:
   * never logged, {@link #toString()} says nothing about it.
   */
  public static final class Keys {
    // Never handed out; its identity tells GcmSiv that its key schedule can be reused.
    private final byte[] encryptionKey;
    // HMAC-SHA256 under the nonce key, precomputed (RFC 2104): SHA-256 after the block
    // (nonce key ⊕ ipad), and after (nonce key ⊕ opad). Each nonce starts from copies of these,
    // so the two key blocks are hashed once per key, not twice per value as javax.crypto.Mac does. Read-only
    // once built, so threads copy them concurrently.
    private final MessageDigest innerStart;
    private final MessageDigest outerStart;

    private Keys(byte[] encryptionKey, byte[] nonceKey) {
      this.encryptionKey = encryptionKey.clone();
      byte[] pad = new byte[HMAC_BLOCK];
      for (int i = 0; i < HMAC_BLOCK; i++) {
        pad[i] = (byte) ((i < nonceKey.length ? nonceKey[i] : 0) ^ 0x36);
      }
      this.innerStart = sha256();
      innerStart.update(pad);
      for (int i = 0; i < HMAC_BLOCK; i++) {
        pad[i] ^= 0x36 ^ 0x5C;
      }
      this.outerStart = sha256();
      outerStart.update(pad);
      Arrays.fill(pad, (byte) 0);
    }

    /**
     * Derives the keys from a 32-byte data key: {@code HKDF-SHA256(salt = empty, ikm = data key,
     * info = label)} for each of the two labels. The input array is not kept.
     */
    public static Keys derive(byte[] dataKey) {
      if (dataKey == null || dataKey.length != 32) {
        throw new IllegalArgumentException("deterministic mode needs a 32-byte data key");
      }
      byte[] encryption = hkdfSha256(dataKey, ENCRYPTION_KEY_LABEL);
      byte[] nonce = hkdfSha256(dataKey, NONCE_KEY_LABEL);
      Keys keys = new Keys(encryption, nonce);
      Arrays.fill(encryption, (byte) 0);
      Arrays.fill(nonce, (byte) 0);
      return keys;
    }

    /** Writes the first 12 bytes of HMAC-SHA256(nonce key, aad || plaintext) into {@code out} at {@code offset}. */
    void syntheticNonce(byte[] aad, byte[] plaintext, byte[] out, int offset) {
      MessageDigest inner = copy(innerStart);
      inner.update(aad);
      inner.update(plaintext);
      byte[] innerHash = inner.digest();
      MessageDigest outer = copy(outerStart);
      outer.update(innerHash);
      byte[] mac = outer.digest();
      System.arraycopy(mac, 0, out, offset, CiphertextFormat.NONCE_LENGTH);
    }

    /** The first 12 bytes of HMAC-SHA256(nonce key, aad || plaintext). */
    byte[] syntheticNonce(byte[] aad, byte[] plaintext) {
      byte[] nonce = new byte[CiphertextFormat.NONCE_LENGTH];
      syntheticNonce(aad, plaintext, nonce, 0);
      return nonce;
    }

    private static MessageDigest copy(MessageDigest start) {
      try {
        return (MessageDigest) start.clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("SHA-256 of this JDK cannot be copied", e);
      }
    }

    private static MessageDigest sha256() {
      try {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.clone();
        return digest;
      } catch (GeneralSecurityException | CloneNotSupportedException e) {
        throw new IllegalStateException("SHA-256 (cloneable) is missing from this JDK", e);
      }
    }

    @Override
    public String toString() {
      return "AesGcmSiv.Keys[derived]";
    }
  }
}
