package io.github.fieldcrypt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.fieldcrypt.crypto.AesGcm;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.keys.envelope.AfterCompletion;
import io.github.fieldcrypt.keys.envelope.TenantKeyStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Field encryption in tenant mode: each value under its tenant's data key from a
 * {@link TenantKeyStore}, bound to {@code "<table>.<column>|tenant=<id>"} so a value moved to
 * another tenant's row does not decrypt. The same v1 format as {@link FieldEncryptor}; the key id
 * in the header is the tenant's data key id. Used by the Hibernate integration (tenant from the
 * session) and by the Liquibase changes (tenant from a column of the row).
 *
 * <p>Thread-safe. Contexts per column and tenant are cached, so the associated data is not
 * rebuilt per value; unwrapped keys are cached by the store.
 */
public final class TenantFieldEncryptor {
  private final TenantKeyStore store;
  private final boolean allowPlaintextReads;
  private final Map<String, Cache<String, EncryptionContext>> contexts = new ConcurrentHashMap<>();

  /**
   * @param allowPlaintextReads whether a stored value that is not a v1 ciphertext is returned as
   *     it is (while a column is being migrated)
   */
  public TenantFieldEncryptor(TenantKeyStore store, boolean allowPlaintextReads) {
    this.store = Objects.requireNonNull(store, "store");
    this.allowPlaintextReads = allowPlaintextReads;
  }

  public TenantKeyStore store() {
    return store;
  }

  /** The context of this column for this tenant, cached. */
  public EncryptionContext context(EncryptionContext column, String tenant) {
    Cache<String, EncryptionContext> perTenant = contexts.get(column.value());
    if (perTenant == null) {
      perTenant = contexts.computeIfAbsent(column.value(), c -> Caffeine.newBuilder().maximumSize(20_000).build());
    }
    EncryptionContext context = perTenant.getIfPresent(tenant);
    if (context == null || !Objects.equals(context.entity(), column.entity())) {
      context = column.forTenant(tenant);
      perTenant.put(tenant, context);
    }
    return context;
  }

  /**
   * Encrypts under the tenant's active data key. With a transaction ({@code tx} not null), a
   * tenant's first key is created in it and {@code afterCompletion} must report its outcome (see
   * {@link TenantKeyStore#activeKey(String, Connection, AfterCompletion)}); without, in a
   * transaction of the store's own.
   */
  public byte[] encrypt(byte[] plaintext, EncryptionContext column, String tenant, boolean deterministic, Connection tx,
      AfterCompletion afterCompletion) {
    DataKey key = activeKey(tenant, tx, afterCompletion);
    return FieldEncryptor.encryptWithKey(plaintext, context(column, tenant), key, deterministic);
  }

  /** {@link #encrypt} of a string (UTF-8), as base64url text. */
  public String encryptToText(String plaintext, EncryptionContext column, String tenant, boolean deterministic, Connection tx,
      AfterCompletion afterCompletion) {
    if (!deterministic) {
      DataKey key = activeKey(tenant, tx, afterCompletion);
      return AesGcm.encryptText(key.gcmKey(), plaintext,
          context(column, tenant).associatedData(CiphertextFormat.ALG_AES_256_GCM, key.id()));
    }
    return CiphertextFormat.toText(encrypt(plaintext.getBytes(StandardCharsets.UTF_8), column, tenant, true, tx, afterCompletion));
  }

  /**
   * Decrypts a binary value of this tenant.
   *
   * @param connection the caller's connection (a key it created in its open transaction is
   *     visible to it), or {@code null}
   * @throws DecryptionException when it is not v1 (unless plaintext reads are allowed) or does not authenticate
   * @throws KeyDestroyedException when the tenant's key was destroyed
   * @throws UnknownKeyException when the tenant has no key with the value's id
   */
  public byte[] decrypt(byte[] stored, EncryptionContext column, String tenant, Connection connection) {
    return decrypt(stored, column, tenant, connection, false);
  }

  private byte[] decrypt(byte[] stored, EncryptionContext column, String tenant, Connection connection, boolean owned) {
    if (!CiphertextFormat.hasV1Shape(stored)) {
      return plaintext(stored, column);
    }
    int keyId = CiphertextFormat.keyId(stored);
    DataKey key = find(tenant, keyId, connection);
    return FieldEncryptor.decryptWithKey(stored, context(column, tenant), key, owned);
  }

  /** {@link #decrypt} of a text value, to the string it was made from. */
  public String decryptText(String stored, EncryptionContext column, String tenant, Connection connection) {
    if (!CiphertextFormat.mayBeV1Text(stored)) {
      return plaintext(stored, column);
    }
    // The common case first, as FieldEncryptor.decryptText: a short value of alg 0x01 opened in
    // per-thread buffers; anything else, every failure included, takes the general path below.
    int shortKeyId = CiphertextFormat.gcmTextKeyId(stored);
    if (shortKeyId >= 0) {
      DataKey key;
      try {
        key = find(tenant, shortKeyId, connection);
      } catch (FieldcryptException reportedBelow) {
        key = null;
      }
      if (key != null) {
        String plaintext = AesGcm.decryptShortText(key.gcmKey(), stored,
            context(column, tenant).associatedData(CiphertextFormat.ALG_AES_256_GCM, key.id()));
        if (plaintext != null) {
          return plaintext;
        }
      }
    }
    byte[] bytes = CiphertextFormat.fromText(stored);
    if (!CiphertextFormat.hasV1Shape(bytes)) {
      return plaintext(stored, column);
    }
    // decoded here: the cipher may work in the array
    return new String(decrypt(bytes, column, tenant, connection, true), StandardCharsets.UTF_8);
  }

  /** The tenant's active key: created in {@code tx} when given (see {@link #encrypt}), else in a transaction of the store's own. */
  private DataKey activeKey(String tenant, Connection tx, AfterCompletion afterCompletion) {
    return tx == null ? store.activeKey(tenant) : store.activeKey(tenant, tx, afterCompletion);
  }

  /** The tenant's key of this id, read on the caller's connection when given. */
  private DataKey find(String tenant, int keyId, Connection connection) {
    return connection == null ? store.find(tenant, keyId) : store.find(tenant, keyId, connection);
  }

  private <T> T plaintext(T stored, EncryptionContext column) {
    if (allowPlaintextReads) {
      return stored;
    }
    throw new DecryptionException(DecryptionException.Reason.NOT_CIPHERTEXT, "Cannot decrypt " + column.describe()
        + ": the stored value is not a fieldcrypt v1 ciphertext (plaintext not yet migrated, or a damaged value); run"
        + " encryptColumn, or set " + FieldcryptSettings.ALLOW_PLAINTEXT_READS + "=true while migrating", column.value(), null);
  }

  @Override
  public String toString() {
    return "TenantFieldEncryptor[" + store + ", allowPlaintextReads=" + allowPlaintextReads + "]";
  }
}
