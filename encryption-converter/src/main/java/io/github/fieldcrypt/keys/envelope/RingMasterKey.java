package io.github.fieldcrypt.keys.envelope;

import io.github.fieldcrypt.keys.DataKey;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/** A master key from a {@link io.github.fieldcrypt.keys.KeyRing}: AES-256-GCM in the JVM (SunJCE). */
final class RingMasterKey implements MasterKey {
  static final int NONCE = 12;
  static final int TAG = 16;
  static final int WRAPPED_LENGTH = NONCE + DataKey.LENGTH + TAG;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DataKey key;

  RingMasterKey(DataKey key) {
    this.key = key;
  }

  @Override
  public int id() {
    return key.id();
  }

  @Override
  public byte[] wrap(DataKey dataKey, byte[] associatedData) throws GeneralSecurityException {
    byte[] wrapped = new byte[WRAPPED_LENGTH];
    RANDOM.nextBytes(wrapped);
    byte[] plain = dataKey.secretKey().getEncoded();
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key.secretKey(), new GCMParameterSpec(TAG * 8, wrapped, 0, NONCE));
      cipher.updateAAD(associatedData);
      cipher.doFinal(plain, 0, plain.length, wrapped, NONCE);
      return wrapped;
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  @Override
  public DataKey unwrap(int keyId, byte[] wrapped, byte[] associatedData) throws GeneralSecurityException {
    if (wrapped.length != WRAPPED_LENGTH) {
      throw new AEADBadTagException("wrapped key of the wrong length");
    }
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, key.secretKey(), new GCMParameterSpec(TAG * 8, wrapped, 0, NONCE));
    cipher.updateAAD(associatedData);
    byte[] plain = cipher.doFinal(wrapped, NONCE, wrapped.length - NONCE);
    try {
      return DataKey.of(keyId, plain);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "RingMasterKey[id=" + key.id() + ", fingerprint=" + key.fingerprint() + "]";
  }
}
