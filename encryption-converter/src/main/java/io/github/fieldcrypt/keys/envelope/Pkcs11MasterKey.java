package io.github.fieldcrypt.keys.envelope;

import io.github.fieldcrypt.keys.DataKey;
import io.github.fieldcrypt.keys.Pkcs11Token;
import java.security.GeneralSecurityException;

/** A master key inside a PKCS#11 token: data keys are wrapped and unwrapped by the token. */
final class Pkcs11MasterKey implements MasterKey {
  private final int id;
  private final Pkcs11Token token;
  private final String alias;

  Pkcs11MasterKey(int id, Pkcs11Token token, String alias) {
    this.id = id;
    this.token = token;
    this.alias = alias;
  }

  @Override
  public int id() {
    return id;
  }

  @Override
  public byte[] wrap(DataKey key, byte[] associatedData) throws GeneralSecurityException {
    return token.wrap(alias, key, associatedData);
  }

  @Override
  public DataKey unwrap(int keyId, byte[] wrapped, byte[] associatedData) throws GeneralSecurityException {
    return token.unwrap(alias, keyId, wrapped, associatedData);
  }

  @Override
  public String toString() {
    return "Pkcs11MasterKey[id=" + id + ", alias=" + alias + "]";
  }
}
