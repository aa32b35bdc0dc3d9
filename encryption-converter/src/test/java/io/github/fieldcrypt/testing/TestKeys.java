package io.github.fieldcrypt.testing;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Fixed keys for tests. Their bytes are planted markers: {@code LeakCheckTest} searches the whole
 * suite's log output and exception messages for them (raw, base64 and hex).
 */
public final class TestKeys {
  private TestKeys() {}

  /** 32 bytes that read as a marker in hex and base64 dumps. */
  public static byte[] key(int id) {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (0xA0 + id * 7 + i * 13);
    }
    return key;
  }

  public static String base64(int id) {
    return Base64.getEncoder().encodeToString(key(id));
  }

  /**
   * A Fernet key as Python prints it (URL-safe base64 with padding) of the marker bytes of this
   * id: tests use ids 21 and up for Fernet keys, so the leak check covers them as well.
   */
  public static String fernetKey(int id) {
    return Base64.getUrlEncoder().encodeToString(key(id));
  }

  /** {@code fieldcrypt.keys} for these ids. */
  public static String keysSetting(int... ids) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(id).append(':').append(base64(id));
    }
    return sb.toString();
  }

  /** Hibernate properties with these keys. */
  public static Map<String, Object> settings(int... ids) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("fieldcrypt.keys", keysSetting(ids));
    return settings;
  }
}
