package io.github.fieldcrypt;

import io.github.fieldcrypt.crypto.AesGcm;
import io.github.fieldcrypt.crypto.AesGcmSiv;
import io.github.fieldcrypt.crypto.AssociatedData;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.crypto.Fernet;
import io.github.fieldcrypt.crypto.FernetException;
import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.keys.KeyProviders;
import io.github.fieldcrypt.keys.KeyRing;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import javax.crypto.AEADBadTagException;

/**
 * Encrypts and decrypts single field values in the v1 format: the one engine behind the
 * Hibernate converters and the Liquibase changes, so both write and accept the same bytes for
 * the same context.
 *
 * <p>Encryption uses the key ring's active key, AES-256-GCM and a fresh random nonce: two
 * encryptions of one value differ. Decryption reads the key id from the value's header, so
 * values written under an older key still decrypt after rotation.
 *
 * <p><b>Security guarantees:</b> a value decrypts only under the context it was written with
 * (its table and column); any change to it, and any other key, is detected and raises
 * {@link DecryptionException}. Length is not hidden: a value is 34 bytes longer than its
 * plaintext. <b>Warning:</b> with {@linkplain #allowsPlaintextReads() plaintext reads} on, a
 * value that is not a v1 ciphertext at all is returned as it is (for the time old rows are
 * being migrated); a value that is v1 but fails to authenticate is still an error.
 *
 * <p>With {@linkplain #withFernetReads Fernet reads} on ({@code fieldcrypt.read-fernet}), a text
 * value shaped like a Fernet token (Python's {@code cryptography.fernet}) is read with the Fernet
 * keys, for the time a column moves from Fernet to v1; one that fails its HMAC, its padding or
 * its time-to-live is an error, never plaintext. v1 values are read exactly as without it.
 *
 * <p>Thread-safe; create one per key ring and share it.
 */
public final class FieldEncryptor {
  private final KeyRing keyRing;
  private final boolean allowPlaintextReads;
  private final DataKey deterministicKey;
  // The ring's lookup as one object, not a method reference (and no id list) made per value.
  private final KeyLookup ringLookup;
  /** The Fernet keys transition reads use, or {@code null} when Fernet tokens are not read. */
  private final Fernet fernet;

  private FieldEncryptor(KeyRing keyRing, boolean allowPlaintextReads, DataKey deterministicKey) {
    this(keyRing, allowPlaintextReads, deterministicKey, null);
  }

  private FieldEncryptor(KeyRing keyRing, boolean allowPlaintextReads, DataKey deterministicKey, Fernet fernet) {
    this.keyRing = Objects.requireNonNull(keyRing, "keyRing");
    this.allowPlaintextReads = allowPlaintextReads;
    this.deterministicKey = deterministicKey;
    this.fernet = fernet;
    this.ringLookup = keyRing::find;
  }

  /** An encryptor over this key ring; reads of non-ciphertext values fail. */
  public static FieldEncryptor create(KeyRing keyRing) {
    return new FieldEncryptor(keyRing, false, null);
  }

  /**
   * An encryptor configured from {@code fieldcrypt.*} settings (see {@link FieldcryptSettings}):
   * keys from the provider named by {@code fieldcrypt.key-provider} ({@code fieldcrypt.keys} by
   * default, see {@link io.github.fieldcrypt.keys.KeyProviders}); Fernet tokens read with
   * {@code fieldcrypt.fernet-keys} when {@code fieldcrypt.read-fernet} is true.
   *
   * @throws ConfigurationException naming the setting to fix
   */
  public static FieldEncryptor fromSettings(FieldcryptSettings settings) {
    KeyRing ring = KeyProviders.load(settings);
    return new FieldEncryptor(ring, settings.allowPlaintextReads(), deterministicKey(ring, settings.deterministicKeyId()),
        settings.fernetForReads());
  }

  /** The same key ring with plaintext reads allowed or not. */
  public FieldEncryptor withPlaintextReads(boolean allow) {
    return allow == allowPlaintextReads ? this : new FieldEncryptor(keyRing, allow, deterministicKey, fernet);
  }

  /**
   * The same encryptor reading text values shaped like Fernet tokens with these keys (and their
   * time-to-live), or not reading them when {@code null}.
   */
  public FieldEncryptor withFernetReads(Fernet fernet) {
    return fernet == this.fernet ? this : new FieldEncryptor(keyRing, allowPlaintextReads, deterministicKey, fernet);
  }

  /** Whether text values shaped like Fernet tokens are read as such. */
  public boolean readsFernet() {
    return fernet != null;
  }

  /**
   * The same key ring with deterministic columns pinned to this key id, or to the active key
   * when {@code null} (see {@link FieldcryptSettings#DETERMINISTIC_KEY}).
   *
   * @throws ConfigurationException when the ring has no such key
   */
  public FieldEncryptor withDeterministicKey(Integer keyId) {
    return new FieldEncryptor(keyRing, allowPlaintextReads, deterministicKey(keyRing, keyId), fernet);
  }

  private static DataKey deterministicKey(KeyRing ring, Integer keyId) {
    if (keyId == null) {
      return null;
    }
    DataKey key = ring.find(keyId);
    if (key == null) {
      throw new ConfigurationException(FieldcryptSettings.DETERMINISTIC_KEY, "Invalid " + FieldcryptSettings.DETERMINISTIC_KEY
          + ": key id " + keyId + " is not in the key ring " + ring.ids());
    }
    return key;
  }

  /**
   * The key deterministic columns write and look up with: {@code fieldcrypt.deterministic-key}
   * when set, else the active key.
   */
  public DataKey deterministicKey() {
    return deterministicKey == null ? keyRing.active() : deterministicKey;
  }

  public KeyRing keyRing() {
    return keyRing;
  }

  /** Whether values that are not v1 ciphertexts are returned as they are on decryption. */
  public boolean allowsPlaintextReads() {
    return allowPlaintextReads;
  }

  /** Encrypts bytes under the active key: the binary v1 value. */
  public byte[] encrypt(byte[] plaintext, EncryptionContext context) {
    Objects.requireNonNull(plaintext, "plaintext");
    DataKey key = keyRing.active();
    return AesGcm.encrypt(key.gcmKey(), plaintext, context.associatedData(CiphertextFormat.ALG_AES_256_GCM, key.id()));
  }

  /** Encrypts a string (as UTF-8) under the active key: the v1 value as base64url text. */
  public String encryptToText(String plaintext, EncryptionContext context) {
    Objects.requireNonNull(plaintext, "plaintext");
    DataKey key = keyRing.active();
    return AesGcm.encryptText(key.gcmKey(), plaintext, context.associatedData(CiphertextFormat.ALG_AES_256_GCM, key.id()));
  }

  /**
   * Encrypts bytes deterministically (alg 0x02, AES-256-GCM-SIV with a synthetic nonce) under
   * the {@linkplain #deterministicKey() deterministic key}: the same plaintext and context
   * always give the same value, so a column can be searched by equality.
   *
   * <p><b>Warning:</b> equal values are visible as equal in the database; use it only for
   * columns that must be looked up.
   */
  public byte[] encryptDeterministic(byte[] plaintext, EncryptionContext context) {
    Objects.requireNonNull(plaintext, "plaintext");
    DataKey key = deterministicKey();
    return AesGcmSiv.encrypt(key.deterministicKeys(), plaintext,
        context.associatedData(CiphertextFormat.ALG_AES_256_GCM_SIV, key.id()));
  }

  /** {@link #encryptDeterministic(byte[], EncryptionContext)} of a string (UTF-8), as base64url text. */
  public String encryptToTextDeterministic(String plaintext, EncryptionContext context) {
    Objects.requireNonNull(plaintext, "plaintext");
    return CiphertextFormat.toText(encryptDeterministic(plaintext.getBytes(StandardCharsets.UTF_8), context));
  }

  /**
   * Decrypts a binary v1 value.
   *
   * @throws DecryptionException when the value is not v1 (unless plaintext reads are allowed)
   *     or does not authenticate under its key and this context
   * @throws UnknownKeyException when the value's key id is not in the key ring
   */
  public byte[] decrypt(byte[] value, EncryptionContext context) {
    Objects.requireNonNull(value, "value");
    if (!CiphertextFormat.hasV1Shape(value)) {
      if (allowPlaintextReads) {
        return value;
      }
      throw notCiphertext(context);
    }
    return authenticate(value, context, ringLookup, keyRing, false);
  }

  /**
   * Decrypts a text v1 value to the string it was made from.
   *
   * @throws DecryptionException when the value is not v1 (unless plaintext reads are allowed)
   *     or does not authenticate under its key and this context; with Fernet reads on, when a
   *     value shaped like a Fernet token does not read (see {@link DecryptionException.Reason})
   * @throws UnknownKeyException when the value's key id is not in the key ring
   */
  public String decryptText(String value, EncryptionContext context) {
    Objects.requireNonNull(value, "value");
    if (!CiphertextFormat.mayBeV1Text(value)) {
      if (fernet != null && Fernet.mayBeFernet(value)) {
        return readFernet(value, context);
      }
      if (allowPlaintextReads) {
        return value;
      }
      throw notCiphertext(context);
    }
    // The common case first: a short value of alg 0x01 under a key of the ring (the header is in
    // the first 8 characters), opened in per-thread buffers; anything else, including every
    // failure, takes the general path below, which reports it.
    int shortKeyId = CiphertextFormat.gcmTextKeyId(value);
    DataKey shortKey = shortKeyId < 0 ? null : ringLookup.find(shortKeyId);
    if (shortKey != null) {
      String plaintext = AesGcm.decryptShortText(shortKey.gcmKey(), value,
          context.associatedData(CiphertextFormat.ALG_AES_256_GCM, shortKey.id()));
      if (plaintext != null) {
        return plaintext;
      }
    }
    byte[] bytes = CiphertextFormat.fromText(value);
    if (!CiphertextFormat.hasV1Shape(bytes)) {
      if (allowPlaintextReads) {
        return value;
      }
      throw notCiphertext(context);
    }
    // The decoded array is ours: the cipher may work in it.
    return new String(authenticate(bytes, context, ringLookup, keyRing, true), StandardCharsets.UTF_8);
  }

  /**
   * Tells what a stored binary value is, without throwing: used by migrations to decide what to
   * do with each row. Decrypts once to check authenticity.
   */
  public Inspection inspect(byte[] value, EncryptionContext context) {
    if (!CiphertextFormat.hasV1Shape(value)) {
      return new Inspection(Inspection.State.PLAINTEXT, null);
    }
    int keyId = CiphertextFormat.keyId(value);
    boolean deterministic = CiphertextFormat.algorithm(value) == CiphertextFormat.ALG_AES_256_GCM_SIV;
    DataKey key = keyRing.find(keyId);
    if (key == null) {
      return new Inspection(Inspection.State.UNKNOWN_KEY, keyId, deterministic);
    }
    try {
      open(key, value, context, false);
      return new Inspection(Inspection.State.ENCRYPTED, keyId, deterministic);
    } catch (AEADBadTagException e) {
      return new Inspection(Inspection.State.NOT_AUTHENTIC, keyId, deterministic);
    }
  }

  /** {@link #inspect(byte[], EncryptionContext)} for a text value. */
  public Inspection inspectText(String value, EncryptionContext context) {
    if (!CiphertextFormat.mayBeV1Text(value)) {
      return new Inspection(Inspection.State.PLAINTEXT, null);
    }
    byte[] bytes = CiphertextFormat.fromText(value);
    return CiphertextFormat.hasV1Shape(bytes) ? inspect(bytes, context) : new Inspection(Inspection.State.PLAINTEXT, null);
  }

  /**
   * Finds the key a stored value names: the key ring's, or (tenant mode) the tenant's data keys.
   * Returns {@code null} when there is no such key; may throw a typed exception of its own
   * (e.g. {@link KeyDestroyedException}).
   */
  @FunctionalInterface
  public interface KeyLookup {
    DataKey find(int keyId);
  }

  /**
   * Encrypts under a given key, not the ring's (tenant mode: the tenant's data key, with the
   * tenant in the context). The same v1 format, randomized or deterministic.
   */
  public static byte[] encryptWithKey(byte[] plaintext, EncryptionContext context, DataKey key, boolean deterministic) {
    Objects.requireNonNull(plaintext, "plaintext");
    if (deterministic) {
      return AesGcmSiv.encrypt(key.deterministicKeys(), plaintext, context.associatedData(CiphertextFormat.ALG_AES_256_GCM_SIV, key.id()));
    }
    return AesGcm.encrypt(key.gcmKey(), plaintext, context.associatedData(CiphertextFormat.ALG_AES_256_GCM, key.id()));
  }

  /**
   * Decrypts a binary value of the v1 shape with the key {@code keys} finds for its key id.
   *
   * @throws UnknownKeyException when there is no key with that id
   * @throws DecryptionException when the value does not authenticate
   */
  public static byte[] decryptWithKeys(byte[] value, EncryptionContext context, KeyLookup keys) {
    if (!CiphertextFormat.hasV1Shape(value)) {
      throw notCiphertext(context);
    }
    return authenticate(value, context, keys, null, false);
  }

  /**
   * @param ring the key ring the lookup searches, named in the error; {@code null}: a tenant's keys
   * @param owned whether the array is ours to change (decoded here), see {@link AesGcm#decryptOwned}
   */
  private static byte[] authenticate(byte[] value, EncryptionContext context, KeyLookup keys, KeyRing ring, boolean owned) {
    int keyId = CiphertextFormat.keyId(value);
    DataKey key = keys.find(keyId);
    if (key == null) {
      throw new UnknownKeyException("Cannot decrypt " + context.describe() + ": key id " + keyId
          + " is not in the key ring " + (ring == null ? "of this tenant" : ring.ids()) + "; add that key to fieldcrypt.keys (old keys must stay while rows use them)",
          context.value(), keyId);
    }
    return openOrFail(key, value, context, owned);
  }

  /**
   * Decrypts a binary value of the v1 shape with the key its header names, already found by the
   * caller (tenant mode: the tenant's data key for that id).
   *
   * @throws IllegalArgumentException when the key's id is not the value's
   * @throws DecryptionException when the value is not v1 or does not authenticate
   */
  public static byte[] decryptWithKey(byte[] value, EncryptionContext context, DataKey key) {
    return decryptWithKey(value, context, key, false);
  }

  /** {@link #decryptWithKey(byte[], EncryptionContext, DataKey)}; {@code owned}: the array is the caller's to drop (decoded from text), the cipher may work in it. */
  static byte[] decryptWithKey(byte[] value, EncryptionContext context, DataKey key, boolean owned) {
    if (!CiphertextFormat.hasV1Shape(value)) {
      throw notCiphertext(context);
    }
    if (CiphertextFormat.keyId(value) != key.id()) {
      throw new IllegalArgumentException("The value is under key id " + CiphertextFormat.keyId(value) + ", not " + key.id());
    }
    return openOrFail(key, value, context, owned);
  }

  private static byte[] openOrFail(DataKey key, byte[] value, EncryptionContext context, boolean owned) {
    int keyId = key.id();
    try {
      return open(key, value, context, owned);
    } catch (AEADBadTagException e) {
      throw new DecryptionException(DecryptionException.Reason.AUTHENTICATION_FAILED,
          "Cannot decrypt " + context.describe() + " with key id " + keyId
              + ": authentication failed (the value was altered, belongs to another column or tenant, or was written with a different key under this id)",
          context.value(), keyId);
    }
  }

  /** Decrypts a value of the v1 shape with its key, by its algorithm byte. */
  private static byte[] open(DataKey key, byte[] value, EncryptionContext context, boolean owned) throws AEADBadTagException {
    byte algorithm = CiphertextFormat.algorithm(value);
    if (algorithm == CiphertextFormat.ALG_AES_256_GCM_SIV) {
      return AesGcmSiv.decrypt(key.deterministicKeys(), value, context.associatedData(algorithm, key.id()));
    }
    AssociatedData associatedData = context.associatedData(algorithm, key.id());
    return owned ? AesGcm.decryptOwned(key.gcmKey(), value, associatedData) : AesGcm.decrypt(key.gcmKey(), value, associatedData);
  }

  /** A Fernet token (transition reads): its plaintext, or a typed error naming the context, never the token. */
  private String readFernet(String token, EncryptionContext context) {
    try {
      return fernet.decryptText(token);
    } catch (FernetException e) {
      DecryptionException.Reason reason = switch (e.reason()) {
        case MALFORMED -> DecryptionException.Reason.MALFORMED_TOKEN;
        case NOT_AUTHENTIC -> DecryptionException.Reason.AUTHENTICATION_FAILED;
        case BAD_PADDING -> DecryptionException.Reason.BAD_PADDING;
        case EXPIRED, FUTURE_TIMESTAMP -> DecryptionException.Reason.EXPIRED;
        case NOT_UTF8 -> DecryptionException.Reason.NOT_UTF8;
      };
      throw new DecryptionException(reason, "Cannot decrypt " + context.describe() + ": the stored value " + e.getMessage()
          + " (read because " + FieldcryptSettings.READ_FERNET + "=true; keys from " + FieldcryptSettings.FERNET_KEYS + ")",
          context.value(), null);
    }
  }

  private static DecryptionException notCiphertext(EncryptionContext context) {
    return new DecryptionException(DecryptionException.Reason.NOT_CIPHERTEXT,
        "Cannot decrypt " + context.describe() + ": the stored value is not a fieldcrypt v1 ciphertext"
            + " (plaintext not yet migrated, or a damaged value); run encryptColumn, or set "
            + FieldcryptSettings.ALLOW_PLAINTEXT_READS + "=true while migrating",
        context.value(), null);
  }

  /**
   * What a stored value is, as far as this key ring and context can tell.
   *
   * @param keyId the key id in the value's header, {@code null} for plaintext
   * @param deterministic whether the value is of deterministic mode (alg 0x02)
   */
  public record Inspection(State state, Integer keyId, boolean deterministic) {
    /** An inspection of a randomized (alg 0x01) value, or of plaintext. */
    public Inspection(State state, Integer keyId) {
      this(state, keyId, false);
    }

    /** The states a stored value can be in. */
    public enum State {
      /** Not a v1 value: plaintext (or something damaged beyond recognition). */
      PLAINTEXT,
      /** A v1 value that authenticates under its key and this context. */
      ENCRYPTED,
      /** A v1 value whose key id is not in the key ring. */
      UNKNOWN_KEY,
      /** A v1 value that fails authentication: altered, another column's, or another key's. */
      NOT_AUTHENTIC
    }
  }

  @Override
  public String toString() {
    return "FieldEncryptor[" + keyRing + (deterministicKey == null ? "" : ", deterministicKey=" + deterministicKey.id())
        + ", allowPlaintextReads=" + allowPlaintextReads + (fernet == null ? "" : ", readFernet=" + fernet) + "]";
  }
}
