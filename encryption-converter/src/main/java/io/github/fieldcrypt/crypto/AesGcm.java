package io.github.fieldcrypt.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM over the v1 layout: randomized mode (alg 0x01).
 *
 * <p>One {@link Cipher} per thread, re-initialised per value (no {@code Cipher.getInstance} on
 * the hot path). SunJCE is preferred when present because it uses the CPU's AES and CLMUL
 * instructions; another provider placed first by the application would be much slower.
 */
public final class AesGcm {
  private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(AesGcm::newCipher);
  private static final int TAG_BITS = CiphertextFormat.TAG_LENGTH * 8;

  private AesGcm() {}

  /**
   * Encrypts under a fresh random nonce.
   *
   * @param keyId the id written into the header
   * @param context the UTF-8 context bytes appended to the header as associated data
   * @return the complete v1 value
   */
  public static byte[] encrypt(int keyId, SecretKey key, byte[] plaintext, byte[] context) {
    return encrypt(key, plaintext, AssociatedData.of(CiphertextFormat.ALG_AES_256_GCM, keyId, context));
  }

  /**
   * Encrypts under a fresh random nonce, with associated data prepared once per key and context
   * (the cipher gets it in one piece: header and context as two AAD updates cost about 15% more
   * at 32 bytes on SunJCE, which buffers and copies AAD per update).
   *
   * @param associatedData for alg 0x01 and the key id to write into the header
   * @return the complete v1 value
   */
  public static byte[] encrypt(SecretKey key, byte[] plaintext, AssociatedData associatedData) {
    return encrypt(CIPHER.get(), key, plaintext, associatedData, null);
  }

  /**
   * {@link #encrypt(SecretKey, byte[], AssociatedData)} with a cipher from the key's own pool, so
   * that a change of key between values costs no new key schedule.
   */
  public static byte[] encrypt(GcmKey key, byte[] plaintext, AssociatedData associatedData) {
    FoldedAad folded = FoldedAad.covers(plaintext.length) ? key.folded(associatedData) : null;
    ShortGcm.Powers powers = shortPath(key, folded, plaintext.length);
    if (powers != null) {
      byte[] out = new byte[plaintext.length + CiphertextFormat.OVERHEAD];
      sealShort(key, LocalBuffers.local().gcm, powers, folded, associatedData, plaintext, plaintext.length, out);
      return out;
    }
    GcmKey.Worker worker = key.take();
    byte[] out = encrypt(worker.gcm(), key.secretKey(), plaintext, associatedData, folded);
    key.give(worker);
    return out;
  }

  /**
   * Encrypts a string (as UTF-8) to the v1 text value. A short ASCII string (the common case:
   * keys, tokens, e-mail addresses) is encoded, sealed and turned into text in per-thread
   * buffers, so that the returned String is the only array made.
   */
  public static String encryptText(GcmKey key, String plaintext, AssociatedData associatedData) {
    LocalBuffers text = LocalBuffers.local();
    int length = text.ascii(plaintext);
    if (length >= 0) {
      FoldedAad folded = key.folded(associatedData);
      ShortGcm.Powers powers = shortPath(key, folded, length);
      if (powers != null) {
        byte[] sealed = text.sealed(length + CiphertextFormat.OVERHEAD);
        sealShort(key, text.gcm, powers, folded, associatedData, text.plain, length, sealed);
        return CiphertextFormat.toText(sealed, text.chars);
      }
    }
    return CiphertextFormat.toText(encrypt(key, plaintext.getBytes(StandardCharsets.UTF_8), associatedData));
  }

  /**
   * Decrypts a v1 text value of alg 0x01 that is short and well formed, in per-thread buffers
   * (what it makes: the text's bytes for the JDK's decoder, and the returned String): {@code null}
   * when the value is not one of those (long, not base64url, another algorithm or header) or does
   * not authenticate, for the general path to decide and report.
   */
  public static String decryptShortText(GcmKey key, String value, AssociatedData associatedData) {
    LocalBuffers text = LocalBuffers.local();
    byte[] bytes = text.value;
    int length = CiphertextFormat.decodeInto(value, bytes);
    int bodyLength = length - CiphertextFormat.OVERHEAD;
    if (bodyLength < 0 || !associatedData.headerMatches(bytes) || associatedData.algorithm() != CiphertextFormat.ALG_AES_256_GCM) {
      return null;
    }
    FoldedAad folded = key.folded(associatedData);
    ShortGcm.Powers powers = shortPath(key, folded, bodyLength);
    if (powers == null) {
      return null;
    }
    GcmKey.Worker worker = key.take();
    try {
      ShortGcm.openInto(worker.ecb(key.secretKey()), text.gcm, powers, folded, bytes, CiphertextFormat.NONCE_OFFSET,
          bytes, CiphertextFormat.BODY_OFFSET, bodyLength, text.plain);
    } catch (AEADBadTagException notAuthentic) {
      return null;
    } finally {
      key.give(worker);
    }
    return new String(text.plain, 0, bodyLength, StandardCharsets.UTF_8);
  }

  /** The header, a fresh nonce and plaintext[0..length) sealed by {@link ShortGcm}, into out from 0. */
  private static void sealShort(GcmKey key, ShortGcm.Scratch scratch, ShortGcm.Powers powers, FoldedAad folded,
      AssociatedData associatedData, byte[] plaintext, int length, byte[] out) {
    requireGcm(associatedData);
    System.arraycopy(associatedData.bytes(), 0, out, 0, CiphertextFormat.HEADER_LENGTH);
    NonceSource.next(out, CiphertextFormat.NONCE_OFFSET);
    GcmKey.Worker worker = key.take();
    ShortGcm.seal(worker.ecb(key.secretKey()), scratch, powers, folded, out, CiphertextFormat.NONCE_OFFSET,
        plaintext, 0, length, out, CiphertextFormat.BODY_OFFSET);
    key.give(worker);
  }

  /**
   * The key's hash powers when a value of this many bytes takes {@link ShortGcm} (short enough,
   * associated data folded, key not released), else {@code null}.
   */
  private static ShortGcm.Powers shortPath(GcmKey key, FoldedAad folded, int bodyLength) {
    return folded != null && ShortGcm.covers(bodyLength) ? key.powers() : null;
  }

  private static void requireGcm(AssociatedData associatedData) {
    if (associatedData.algorithm() != CiphertextFormat.ALG_AES_256_GCM) {
      throw new IllegalArgumentException("associated data is for alg " + associatedData.algorithm() + ", not AES-256-GCM");
    }
  }

  /** @param folded the associated data's tag corrections under this key, or {@code null} to give the cipher the associated data */
  private static byte[] encrypt(Cipher cipher, SecretKey key, byte[] plaintext, AssociatedData associatedData, FoldedAad folded) {
    requireGcm(associatedData);
    byte[] aad = associatedData.bytes();
    byte[] out = new byte[plaintext.length + CiphertextFormat.OVERHEAD];
    System.arraycopy(aad, 0, out, 0, CiphertextFormat.HEADER_LENGTH);
    NonceSource.next(out, CiphertextFormat.NONCE_OFFSET);
    seal(cipher, key, out, CiphertextFormat.NONCE_OFFSET, aad, plaintext, out, CiphertextFormat.BODY_OFFSET, folded);
    return out;
  }

  /** AES-GCM: ciphertext || tag of plaintext into out at outOffset, the associated data folded or given to the cipher. */
  private static void seal(Cipher cipher, SecretKey key, byte[] nonce, int nonceOffset, byte[] aad, byte[] plaintext,
      byte[] out, int outOffset, FoldedAad folded) {
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce, nonceOffset, CiphertextFormat.NONCE_LENGTH));
      if (folded == null) {
        cipher.updateAAD(aad);
      }
      cipher.doFinal(plaintext, 0, plaintext.length, out, outOffset);
      if (folded != null) {
        folded.correct(out, outOffset + plaintext.length, plaintext.length);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed: " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * Decrypts and authenticates a v1 value of alg 0x01.
   *
   * @return the plaintext
   * @throws AEADBadTagException when the value does not authenticate under this key and context
   */
  public static byte[] decrypt(SecretKey key, byte[] value, byte[] context) throws AEADBadTagException {
    return decrypt(key, value, AssociatedData.of(value[1], CiphertextFormat.keyId(value), context));
  }

  /**
   * Decrypts and authenticates a v1 value of alg 0x01 with prepared associated data. The
   * associated data is always the value's own header and the context: when the prepared one
   * is for another header it is rebuilt from the value, so a wrong guess costs time, never
   * correctness.
   *
   * @return the plaintext
   * @throws AEADBadTagException when the value does not authenticate under this key and context
   */
  public static byte[] decrypt(SecretKey key, byte[] value, AssociatedData associatedData) throws AEADBadTagException {
    return decrypt(CIPHER.get(), key, value, associatedData);
  }

  /**
   * {@link #decrypt(SecretKey, byte[], AssociatedData)} with a cipher from the key's own pool, so
   * that a change of key between values costs no new key schedule.
   */
  public static byte[] decrypt(GcmKey key, byte[] value, AssociatedData associatedData) throws AEADBadTagException {
    return decrypt(key, value, associatedData, false);
  }

  /**
   * {@link #decrypt(GcmKey, byte[], AssociatedData)} of a value in an array the caller owns and
   * drops afterwards (e.g. just decoded from text): its tag bytes may be changed, which spares
   * a copy.
   */
  public static byte[] decryptOwned(GcmKey key, byte[] value, AssociatedData associatedData) throws AEADBadTagException {
    return decrypt(key, value, associatedData, true);
  }

  private static byte[] decrypt(GcmKey key, byte[] value, AssociatedData associatedData, boolean owned) throws AEADBadTagException {
    int bodyLength = value.length - CiphertextFormat.OVERHEAD;
    FoldedAad folded = bodyLength >= 0 && FoldedAad.covers(bodyLength) && associatedData.headerMatches(value)
        ? key.folded(associatedData) : null;
    ShortGcm.Powers powers = shortPath(key, folded, bodyLength);
    GcmKey.Worker worker = key.take();
    try {
      if (powers != null) {
        // the value is only read: no copy needed, owned or not
        return ShortGcm.open(worker.ecb(key.secretKey()), LocalBuffers.local().gcm, powers, folded, value, CiphertextFormat.NONCE_OFFSET,
            value, CiphertextFormat.BODY_OFFSET, bodyLength);
      }
      if (folded == null) {
        return decrypt(worker.gcm(), key.secretKey(), value, associatedData);
      }
      byte[] sealed = value;
      int offset = CiphertextFormat.BODY_OFFSET;
      if (!owned) {
        sealed = Arrays.copyOfRange(value, offset, value.length);
        offset = 0;
      }
      return open(worker.gcm(), key.secretKey(), value, CiphertextFormat.NONCE_OFFSET, null, sealed, offset, bodyLength, folded);
    } finally {
      key.give(worker);
    }
  }

  private static byte[] decrypt(Cipher cipher, SecretKey key, byte[] value, AssociatedData associatedData)
      throws AEADBadTagException {
    byte[] aad = associatedData.bytes();
    if (!associatedData.headerMatches(value)) {
      aad = aad.clone();
      System.arraycopy(value, 0, aad, 0, CiphertextFormat.HEADER_LENGTH);
    }
    return open(cipher, key, value, CiphertextFormat.NONCE_OFFSET, aad, value, CiphertextFormat.BODY_OFFSET,
        value.length - CiphertextFormat.OVERHEAD, null);
  }

  /**
   * AES-GCM: opens the ciphertext || tag at {@code offset} ({@code bodyLength} bytes of ciphertext).
   * With {@code folded}, the associated data is folded into the tag, which is changed in place.
   */
  private static byte[] open(Cipher cipher, SecretKey key, byte[] nonce, int nonceOffset, byte[] aad, byte[] sealed,
      int offset, int bodyLength, FoldedAad folded) throws AEADBadTagException {
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce, nonceOffset, CiphertextFormat.NONCE_LENGTH));
      if (folded == null) {
        cipher.updateAAD(aad);
      } else {
        folded.correct(sealed, offset + bodyLength, bodyLength);
      }
      return cipher.doFinal(sealed, offset, bodyLength + CiphertextFormat.TAG_LENGTH);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed: " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * Known-answer seam, package-private on purpose (no public API takes a caller's nonce): seals
   * with the same per-thread cipher, provider and tag length as {@link #encrypt}, under a given
   * 12-byte nonce and associated data. Returns ciphertext || tag. For test vectors only.
   */
  static byte[] sealWithNonce(SecretKey key, byte[] nonce, byte[] aad, byte[] plaintext) throws GeneralSecurityException {
    requireNonce(nonce);
    Cipher cipher = CIPHER.get();
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(aad);
    return cipher.doFinal(plaintext);
  }

  /**
   * {@link #sealWithNonce} through a key's pool with the associated data folded into the tag: the
   * paths values up to 1 KiB take ({@link ShortGcm} up to {@value ShortGcm#MAX_BYTES} bytes,
   * SunJCE's GCM beyond). For test vectors only.
   */
  static byte[] sealWithNonceFolded(GcmKey key, byte[] nonce, byte[] aad, byte[] plaintext) {
    requireNonce(nonce);
    FoldedAad folded = FoldedAad.covers(plaintext.length) ? key.fold(aad) : null;
    ShortGcm.Powers powers = shortPath(key, folded, plaintext.length);
    byte[] out = new byte[plaintext.length + CiphertextFormat.TAG_LENGTH];
    GcmKey.Worker worker = key.take();
    if (powers != null) {
      ShortGcm.seal(worker.ecb(key.secretKey()), LocalBuffers.local().gcm, powers, folded, nonce, 0, plaintext, 0, plaintext.length, out, 0);
    } else {
      seal(worker.gcm(), key.secretKey(), nonce, 0, aad, plaintext, out, 0, folded);
    }
    key.give(worker);
    return out;
  }

  /** The inverse of {@link #sealWithNonceFolded}. For test vectors only. */
  static byte[] openWithNonceFolded(GcmKey key, byte[] nonce, byte[] aad, byte[] sealed) throws AEADBadTagException {
    requireNonce(nonce);
    int bodyLength = sealed.length - CiphertextFormat.TAG_LENGTH;
    if (bodyLength < 0) {
      throw new AEADBadTagException("too short");
    }
    FoldedAad folded = FoldedAad.covers(bodyLength) ? key.fold(aad) : null;
    ShortGcm.Powers powers = shortPath(key, folded, bodyLength);
    GcmKey.Worker worker = key.take();
    try {
      if (powers != null) {
        return ShortGcm.open(worker.ecb(key.secretKey()), LocalBuffers.local().gcm, powers, folded, nonce, 0, sealed, 0, bodyLength);
      }
      return open(worker.gcm(), key.secretKey(), nonce, 0, aad, sealed.clone(), 0, bodyLength, folded);
    } finally {
      key.give(worker);
    }
  }

  /** The inverse of {@link #sealWithNonce}: opens ciphertext || tag. For test vectors only. */
  static byte[] openWithNonce(SecretKey key, byte[] nonce, byte[] aad, byte[] sealed) throws GeneralSecurityException {
    requireNonce(nonce);
    Cipher cipher = CIPHER.get();
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(aad);
    return cipher.doFinal(sealed);
  }

  private static void requireNonce(byte[] nonce) {
    if (nonce.length != CiphertextFormat.NONCE_LENGTH) {
      throw new IllegalArgumentException("fieldcrypt uses 96-bit nonces only, not " + nonce.length * 8 + "-bit ones");
    }
  }

  static Cipher newCipher() {
    return JdkAes.cipher("AES/GCM/NoPadding");
  }
}
