package io.github.fieldcrypt.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** The short fingerprint fieldcrypt logs for a key: safe to show, useless to recover the key. */
public final class KeyFingerprint {
  private KeyFingerprint() {}

  /** Hex of the first 8 bytes of SHA-256(key). */
  public static String of(byte[] keyBytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(keyBytes);
      return HexFormat.of().formatHex(Arrays.copyOf(digest, 8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
