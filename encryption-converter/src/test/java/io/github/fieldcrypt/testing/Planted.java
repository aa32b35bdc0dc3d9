package io.github.fieldcrypt.testing;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Secrets planted in the suite: plaintexts that tests encrypt, tamper with and fail to read, and
 * the test keys. {@code LeakCheckTest} asserts none of them appears in any captured output.
 */
public final class Planted {
  private Planted() {}

  public static final String API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
  public static final String TITLE = "Merger plans: ACME buys Initech";
  public static final String BODY = "wire 40M to account 12-3456-789";
  public static final String LEGACY = "legacy-api-key-123456";

  /** Every planted plaintext. */
  public static List<String> plaintexts() {
    return List.of(API_KEY, TITLE, BODY, LEGACY);
  }

  /** Every form a test key could take in output: base64, base64url, hex, both cases, for ids 0..31. */
  public static List<String> keyForms() {
    List<String> forms = new ArrayList<>();
    for (int id = 0; id < 32; id++) {
      byte[] key = TestKeys.key(id);
      String hex = HexFormat.of().formatHex(key);
      forms.add(Base64.getEncoder().encodeToString(key).substring(0, 24));
      forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(key).substring(0, 24));
      forms.add(hex.substring(0, 32));
      forms.add(hex.substring(0, 32).toUpperCase());
      forms.add(hex.substring(32));
    }
    return forms;
  }
}
