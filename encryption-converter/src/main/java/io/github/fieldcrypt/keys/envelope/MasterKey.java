package io.github.fieldcrypt.keys.envelope;

import io.github.fieldcrypt.keys.DataKey;
import java.security.GeneralSecurityException;

/**
 * One master key: wraps and unwraps data keys, bound to associated data that names the tenant
 * and the data key id. Wrapped form: {@code nonce (12) || AES-256-GCM(data key) || tag (16)}.
 */
interface MasterKey {

  /** The id rows of the data key table name in {@code master_key_id}. */
  int id();

  /** Wraps the data key under this master key, bound to {@code associatedData}. */
  byte[] wrap(DataKey key, byte[] associatedData) throws GeneralSecurityException;

  /**
   * Unwraps a data key.
   *
   * @throws GeneralSecurityException when it was not wrapped by this master key with this
   *     associated data, or was altered
   */
  DataKey unwrap(int keyId, byte[] wrapped, byte[] associatedData) throws GeneralSecurityException;
}
