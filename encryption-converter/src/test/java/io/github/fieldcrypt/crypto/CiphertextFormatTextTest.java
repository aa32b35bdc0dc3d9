package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Base64;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written base64url of the text path gives exactly what the JDK's gives. */
class CiphertextFormatTextTest {

  @Test
  void to_text_equals_the_jdk_encoder() {
    SplittableRandom random = new SplittableRandom(1);
    for (int length = 0; length < 300; length++) {
      byte[] value = new byte[length + 7];
      random.nextBytes(value);
      String expected = Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(value, length));
      assertThat(CiphertextFormat.toText(value, length)).as("length %d", length).isEqualTo(expected);
    }
  }

  @Test
  void decode_text_equals_the_jdk_decoder_where_it_answers() {
    SplittableRandom random = new SplittableRandom(2);
    for (int length = 0; length < 300; length++) {
      byte[] value = new byte[length];
      random.nextBytes(value);
      String text = Base64.getUrlEncoder().withoutPadding().encodeToString(value);
      byte[] out = new byte[CiphertextFormat.maxDecodedLength(text.length())];
      int n = CiphertextFormat.decodeText(text, out);
      assertThat(n).isEqualTo(length);
      assertThat(Arrays.copyOf(out, n)).isEqualTo(value);
    }
  }

  @Test
  void decode_text_declines_what_is_not_plain_unpadded_base64url() {
    for (String text : new String[] {"QQ==", "QUI=", "A", "AAAAA", "AB+C", "AB/C", "AB C", "ABé=", "AB\u0100C", "====", "AB=C"}) {
      byte[] out = new byte[CiphertextFormat.maxDecodedLength(text.length())];
      assertThat(CiphertextFormat.decodeText(text, out)).as(text).isEqualTo(-1);
    }
  }

  @Test
  void random_texts_agree_with_the_jdk_decoder() {
    SplittableRandom random = new SplittableRandom(3);
    String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ \u00e9";
    for (int round = 0; round < 20_000; round++) {
      int length = random.nextInt(12);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < length; i++) {
        // mostly valid characters, sometimes not
        sb.append(chars.charAt(random.nextInt(random.nextInt(10) == 0 ? chars.length() : 64)));
      }
      String text = sb.toString();
      byte[] out = new byte[CiphertextFormat.maxDecodedLength(text.length())];
      int n = CiphertextFormat.decodeText(text, out);
      byte[] jdk = CiphertextFormat.fromText(text);
      if (n >= 0) {
        assertThat(jdk).as(text).isNotNull();
        assertThat(Arrays.copyOf(out, n)).as(text).isEqualTo(jdk);
      }
      if (jdk != null && text.indexOf('=') < 0) {
        assertThat(n).as(text).isEqualTo(jdk.length);
      }
    }
  }
}
