package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The text form of v1 values ({@link CiphertextFormat#toText}, {@link CiphertextFormat#fromText})
 * is exactly the JDK's base64url: the same text for every value length (the direct path up to
 * 1 KiB and past it), and the same bytes, or the same refusal, for every text the JDK's decoder
 * is given: every length, trailing bits that are not zero, padding, and characters outside the
 * alphabet (also ones whose low byte is in it).
 */
class TextCodingTest {
  private static final Base64.Encoder JDK_ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder JDK_DECODER = Base64.getUrlDecoder();
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  private static byte[] jdkDecode(String text) {
    try {
      return JDK_DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Test
  void encodes_as_the_jdk_for_every_length() {
    SplittableRandom random = new SplittableRandom(7);
    for (int length = 0; length <= 1100; length++) {
      for (int round = 0; round < 3; round++) {
        byte[] value = new byte[length];
        random.nextBytes(value);
        String text = CiphertextFormat.toText(value);
        assertThat(text).as("length %d", length).isEqualTo(JDK_ENCODER.encodeToString(value));
        assertThat(CiphertextFormat.fromText(text)).as("length %d", length).isEqualTo(value);
      }
    }
  }

  @Test
  void decodes_every_text_as_the_jdk_does() {
    SplittableRandom random = new SplittableRandom(11);
    String[] strangers = {"=", "+", "/", " ", "\n", "\u00e9", "\u0141", "\u0100", "\u012d", "\uff21", "\u0000"};
    int checked = 0;
    for (int length = 0; length <= 200; length++) {
      for (int round = 0; round < 20; round++) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
          sb.append(ALPHABET.charAt(random.nextInt(64)));
        }
        String text = sb.toString();
        assertThat(CiphertextFormat.fromText(text)).as("%s", text).isEqualTo(jdkDecode(text));
        if (length > 0) {
          StringBuilder altered = new StringBuilder(text);
          altered.setCharAt(random.nextInt(length), strangers[random.nextInt(strangers.length)].charAt(0));
          assertThat(CiphertextFormat.fromText(altered.toString())).as("%s", altered).isEqualTo(jdkDecode(altered.toString()));
        }
        for (String padding : new String[] {"=", "=="}) {
          String padded = text + padding;
          assertThat(CiphertextFormat.fromText(padded)).as("%s", padded).isEqualTo(jdkDecode(padded));
        }
        checked++;
      }
    }
    assertThat(checked).isEqualTo(201 * 20);
  }

  @Test
  void a_character_whose_low_byte_is_a_digit_is_not_read_as_that_digit() {
    // U+0141 has low byte 0x41 ('A'): a decoder reading bytes of the String would accept it
    String text = CiphertextFormat.toText(new byte[30]);
    String altered = "\u0141" + text.substring(1);
    assertThat(CiphertextFormat.fromText(altered)).isNull();
  }
}
