package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.fieldcrypt.testing.HandMadeFernet;
import io.github.fieldcrypt.testing.PythonFernet;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Fernet} against Python's {@code cryptography.fernet} (a subprocess, see
 * {@link PythonFernet}): Python's tokens read here, ours read there, byte-identical tokens for a
 * fixed time and IV, and every way a token can be wrong refused with the right reason by both.
 */
class FernetTest {
  private static final String KEY = TestKeys.fernetKey(21);
  private static final String KEY2 = TestKeys.fernetKey(22);
  private static final Fernet FERNET = Fernet.of(FernetKey.parse(KEY));
  private static final long T = 1_700_000_000L;
  private static final byte[] IV = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
  private static final List<String> PLAINTEXTS = List.of("", "a", "alice@example.com", "0123456789abcde", "0123456789abcdef",
      "0123456789abcdefg", "Zoë ☃ 中文 \uD83C\uDF0D ünïcødé", "x".repeat(1000));

  @Test
  void tokens_made_by_python_decrypt_to_their_plaintext() throws Exception {
    List<String> tokens = PythonFernet.encrypt(KEY, PLAINTEXTS);
    for (int i = 0; i < tokens.size(); i++) {
      String token = tokens.get(i);
      assertThat(Fernet.mayBeFernet(token)).as("token %s has the Fernet shape", i).isTrue();
      assertThat(token.length()).as("length of token %s", i).isEqualTo(Fernet.tokenLength(utf8(PLAINTEXTS.get(i)).length));
      assertThat(new String(FERNET.decrypt(token), StandardCharsets.UTF_8)).isEqualTo(PLAINTEXTS.get(i));
    }
    // a key Python generated itself, parsed as Python prints it
    String generated = PythonFernet.generateKey();
    byte[] bytes = "generated key".getBytes(StandardCharsets.UTF_8);
    assertThat(Fernet.of(FernetKey.parse(generated)).decrypt(PythonFernet.encrypt(generated, bytes))).isEqualTo(bytes);
  }

  @Test
  void decrypt_text_is_strict_utf_8() throws Exception {
    byte[] notUtf8 = {'a', (byte) 0xFF, (byte) 0xFE, 'b'};
    List<String> tokens = PythonFernet.encrypt(KEY, List.of("Zoë ☃"));
    assertThat(FERNET.decryptText(tokens.get(0))).isEqualTo("Zoë ☃");
    String binary = PythonFernet.encrypt(KEY, notUtf8);
    assertThat(FERNET.decrypt(binary)).isEqualTo(notUtf8);
    FernetException e = catchThrowableOfType(() -> FERNET.decryptText(binary), FernetException.class);
    assertThat(e.reason()).isEqualTo(FernetException.Reason.NOT_UTF8);
    assertThat(e.getMessage()).contains("(4 bytes) is not UTF-8 text");
    // the other reasons come first
    assertThat(catchThrowableOfType(() -> FERNET.decryptText(binary.replace('A', 'B')), FernetException.class).reason())
        .isIn(FernetException.Reason.NOT_AUTHENTIC, FernetException.Reason.MALFORMED);
  }

  @Test
  void tokens_for_a_fixed_time_and_iv_are_byte_identical_to_pythons() {
    List<String> python = PythonFernet.encryptAt(KEY, PLAINTEXTS.stream().map(FernetTest::utf8).toList(), T, IV);
    for (int i = 0; i < PLAINTEXTS.size(); i++) {
      assertThat(FERNET.encrypt(utf8(PLAINTEXTS.get(i)), T, IV)).as("plaintext %s", i).isEqualTo(python.get(i));
    }
  }

  @Test
  void tokens_made_here_are_read_by_python() throws Exception {
    List<String> ours = new ArrayList<>();
    for (String plaintext : PLAINTEXTS) {
      ours.add(FERNET.encrypt(utf8(plaintext)));
    }
    List<byte[]> read = PythonFernet.decrypt(List.of(KEY), ours);
    for (int i = 0; i < PLAINTEXTS.size(); i++) {
      assertThat(read.get(i)).as("python reads token %s", i).isEqualTo(utf8(PLAINTEXTS.get(i)));
      assertThat(FERNET.decrypt(ours.get(i))).isEqualTo(utf8(PLAINTEXTS.get(i)));
    }
    // the timestamp is now, the IV random: two tokens of one plaintext differ
    String a = FERNET.encrypt(utf8("same"));
    String b = FERNET.encrypt(utf8("same"));
    assertThat(a).isNotEqualTo(b);
    long stamped = timestamp(a);
    assertThat(stamped).isBetween(Instant.now().getEpochSecond() - 5, Instant.now().getEpochSecond() + 5);
  }

  @Test
  void a_flipped_bit_anywhere_is_refused_here_and_by_python() {
    String token = PythonFernet.encryptAt(KEY, utf8("alice@example.com"), T, IV);
    byte[] data = decode(token);
    List<String> tampered = new ArrayList<>();
    for (int i = 0; i < data.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] copy = data.clone();
        copy[i] ^= (byte) (1 << bit);
        tampered.add(encode(copy));
      }
    }
    for (int i = 0; i < tampered.size(); i++) {
      int index = i / 8;
      String one = tampered.get(i);
      FernetException e = catchThrowableOfType(() -> FERNET.decrypt(one), FernetException.class);
      assertThat(e).as("bit %s of byte %s", i % 8, index).isNotNull();
      // byte 0 is the version; the timestamp, IV, ciphertext and HMAC are covered by the HMAC
      assertThat(e.reason()).as("byte %s", index)
          .isEqualTo(index == 0 ? FernetException.Reason.MALFORMED : FernetException.Reason.NOT_AUTHENTIC);
      assertThat(e.getMessage()).doesNotContain(one).doesNotContain(token.substring(10, 40));
    }
    assertThat(PythonFernet.decrypt(List.of(KEY), tampered)).as("python refuses every tampered token").containsOnlyNulls();
  }

  @Test
  void a_token_of_another_key_is_not_authentic() {
    String token = PythonFernet.encrypt(KEY2, utf8("secret of another service"));
    FernetException e = catchThrowableOfType(() -> FERNET.decrypt(token), FernetException.class);
    assertThat(e.reason()).isEqualTo(FernetException.Reason.NOT_AUTHENTIC);
    assertThat(e.keyIndex()).isEqualTo(-1);
    assertThat(e.getMessage()).isEqualTo("is a Fernet token whose HMAC verifies under none of the 1 Fernet key"
        + " (altered, or made with another key)");
  }

  @Test
  void key_rotation_reads_tokens_of_every_key_and_writes_with_the_first() throws Exception {
    Fernet rotated = Fernet.of(FernetKey.parse(KEY), FernetKey.parse(KEY2));
    String underSecond = PythonFernet.encrypt(KEY2, utf8("made before the rotation"));
    String underFirst = PythonFernet.encrypt(KEY, utf8("made after"));
    assertThat(rotated.decrypt(underSecond)).isEqualTo(utf8("made before the rotation"));
    assertThat(rotated.decrypt(underFirst)).isEqualTo(utf8("made after"));
    String written = rotated.encrypt(utf8("written here"));
    assertThat(PythonFernet.decrypt(List.of(KEY), List.of(written))).containsExactly(utf8("written here"));
    assertThat(PythonFernet.decrypt(List.of(KEY2), List.of(written))).containsOnlyNulls();
  }

  @Test
  void a_valid_hmac_over_invalid_padding_is_bad_padding_here_and_refused_by_python() throws Exception {
    List<byte[]> badBlocks = List.of(
        new byte[16], // last byte 0
        HandMadeFernet.blockEndingWith((byte) 0x11), // pad length 17
        HandMadeFernet.blockEndingWith((byte) 0x02, (byte) 0x03), // inconsistent pad bytes
        HandMadeFernet.blockEndingWith((byte) 0x10)); // pad length 16, but the other 15 bytes are not 0x10
    List<String> tokens = new ArrayList<>();
    for (byte[] plain : badBlocks) {
      tokens.add(HandMadeFernet.token(KEY, (byte) 0x80, T, IV, plain));
    }
    tokens.add(HandMadeFernet.badPadding(KEY, T));
    for (String token : tokens) {
      FernetException e = catchThrowableOfType(() -> FERNET.decrypt(token), FernetException.class);
      assertThat(e.reason()).isEqualTo(FernetException.Reason.BAD_PADDING);
      assertThat(e.keyIndex()).isZero();
      assertThat(e.getMessage()).contains("key 1 of 1 (fingerprint " + FERNET.keys().get(0).fingerprint() + ")")
          .contains("padding is invalid");
    }
    assertThat(PythonFernet.decrypt(List.of(KEY), tokens)).containsOnlyNulls();
    // the same construction with valid padding reads, so the refusal above is the padding's
    byte[] good = Arrays.copyOf(utf8("fifteen bytes!!"), 16);
    good[15] = 1;
    String valid = HandMadeFernet.token(KEY, (byte) 0x80, T, IV, good);
    assertThat(FERNET.decrypt(valid)).isEqualTo(utf8("fifteen bytes!!"));
    assertThat(PythonFernet.decrypt(List.of(KEY), List.of(valid))).containsExactly(utf8("fifteen bytes!!"));
  }

  @Test
  void a_version_byte_other_than_0x80_is_malformed_even_with_a_valid_hmac() throws Exception {
    byte[] padded = Arrays.copyOf(utf8("x"), 16);
    Arrays.fill(padded, 1, 16, (byte) 15);
    List<String> tokens = new ArrayList<>();
    for (int version : new int[] {0x00, 0x81, 0x7F, 0x91}) {
      String token = HandMadeFernet.token(KEY, (byte) version, T, IV, padded);
      tokens.add(token);
      FernetException e = catchThrowableOfType(() -> FERNET.decrypt(token), FernetException.class);
      assertThat(e.reason()).as("version %s", version).isEqualTo(FernetException.Reason.MALFORMED);
      assertThat(e.getMessage()).contains("version byte");
    }
    assertThat(PythonFernet.decrypt(List.of(KEY), tokens)).containsOnlyNulls();
    assertThat(FERNET.decrypt(HandMadeFernet.token(KEY, (byte) 0x80, T, IV, padded))).isEqualTo(utf8("x"));
  }

  @Test
  void truncated_extended_and_non_base64_tokens_are_malformed() {
    String token = PythonFernet.encryptAt(KEY, utf8("alice@example.com"), T, IV);
    List<String> malformed = new ArrayList<>();
    for (int cut = 1; cut < token.length(); cut++) {
      malformed.add(token.substring(0, token.length() - cut));
    }
    malformed.add(token + "AAAA");
    malformed.add(token.substring(0, 50) + "*" + token.substring(51));
    malformed.add(token.substring(0, 50) + "+" + token.substring(51)); // the standard alphabet
    malformed.add(token.replace("=", "")); // without padding
    malformed.add(token.replace("=", "") + "A"); // a data character where the padding goes
    malformed.add(" " + token.substring(1));
    malformed.add(token.substring(0, token.length() - 4) + "\n===");
    byte[] data = decode(token);
    malformed.add(encode(Arrays.copyOf(data, data.length - 16))); // a block short: HMAC over the wrong bytes
    malformed.add(encode(Arrays.copyOf(data, data.length + 16))); // a block too many
    malformed.add(encode(Arrays.copyOf(data, 57))); // no ciphertext at all
    malformed.add(encode(Arrays.copyOf(data, data.length - 1)));
    for (String bad : malformed) {
      FernetException e = catchThrowableOfType(() -> FERNET.decrypt(bad), FernetException.class);
      assertThat(e).as("%s characters", bad.length()).isNotNull();
      if (bad.length() % 4 == 0 && bad.length() >= Fernet.MIN_TOKEN_CHARS && bad.startsWith(Fernet.TEXT_PREFIX)
          && decodeOrNull(bad) != null && (decodeOrNull(bad).length - 57) % 16 == 0) {
        // well-formed, cut or extended by whole blocks: the HMAC is then over other bytes
        assertThat(e.reason()).isEqualTo(FernetException.Reason.NOT_AUTHENTIC);
      } else {
        assertThat(e.reason()).as("%s characters", bad.length()).isEqualTo(FernetException.Reason.MALFORMED);
      }
      assertThat(e.getMessage()).doesNotContain(token.substring(10, 30));
    }
  }

  @Test
  void base64_only_in_the_canonical_form_python_writes() {
    String token = PythonFernet.encryptAt(KEY, utf8("a"), T, IV); // 73 bytes: ends in "=="
    int data = token.length() - (token.endsWith("==") ? 3 : token.endsWith("=") ? 2 : 1);
    char last = token.charAt(data);
    // set a bit the decoder drops: the same bytes, a different text
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    String nonCanonical = token.substring(0, data) + alphabet.charAt(alphabet.indexOf(last) | 1) + token.substring(data + 1);
    assertThat(nonCanonical).isNotEqualTo(token);
    assertThat(Base64.getUrlDecoder().decode(nonCanonical)).isEqualTo(decode(token));
    FernetException e = catchThrowableOfType(() -> FERNET.decrypt(nonCanonical), FernetException.class);
    assertThat(e.reason()).isEqualTo(FernetException.Reason.MALFORMED);
    assertThat(e.getMessage()).contains("canonical");
  }

  @Test
  void time_to_live_with_a_fixed_clock_agrees_with_python() throws Exception {
    String token = PythonFernet.encryptAt(KEY, utf8("session"), T, IV);
    long ttl = 3600;
    List<Long> nows = List.of(T + ttl, T + ttl + 1, T, T - 60, T - 61, T + 10 * ttl);
    List<byte[]> pythonAnswers = PythonFernet.decryptAtTimes(List.of(KEY), ttl, nows, token);
    for (int i = 0; i < nows.size(); i++) {
      long now = nows.get(i);
      Fernet timed = Fernet.builder().add(FernetKey.parse(KEY)).ttl(Duration.ofSeconds(ttl))
          .clock(Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC)).build();
      byte[] python = pythonAnswers.get(i);
      FernetException e = catchThrowableOfType(() -> timed.decrypt(token), FernetException.class);
      if (now <= T + ttl && now >= T - 60) {
        assertThat(e).as("now = T%+d", now - T).isNull();
        assertThat(python).as("python at T%+d", now - T).isEqualTo(utf8("session"));
      } else {
        assertThat(e.reason()).as("now = T%+d", now - T)
            .isEqualTo(now > T ? FernetException.Reason.EXPIRED : FernetException.Reason.FUTURE_TIMESTAMP);
        assertThat(e.keyIndex()).isZero();
        assertThat(python).as("python at T%+d", now - T).isNull();
      }
    }
    // without a TTL the timestamp is not checked, as Python's decrypt(token) does not check it
    assertThat(FERNET.decrypt(token)).isEqualTo(utf8("session"));
    assertThat(FERNET.decrypt(FERNET.encrypt(utf8("far future"), Long.MAX_VALUE, IV))).isEqualTo(utf8("far future"));
    // a timestamp with the top bit set is the far future (unsigned, as Python reads it), not the past
    Fernet timed = Fernet.builder().add(FernetKey.parse(KEY)).ttl(Duration.ofHours(1))
        .clock(Clock.fixed(Instant.ofEpochSecond(T), ZoneOffset.UTC)).build();
    String topBit = timed.encrypt(utf8("x"), -1L, IV);
    assertThat(catchThrowableOfType(() -> timed.decrypt(topBit), FernetException.class).reason())
        .isEqualTo(FernetException.Reason.FUTURE_TIMESTAMP);
    // a tampered timestamp is an HMAC failure, never "expired"
    byte[] data = decode(token);
    data[8] ^= 1;
    assertThat(catchThrowableOfType(() -> timed.decrypt(encode(data)), FernetException.class).reason())
        .isEqualTo(FernetException.Reason.NOT_AUTHENTIC);
    // encrypt stamps the clock's time
    assertThat(timestamp(timed.encrypt(utf8("now")))).isEqualTo(T);
  }

  @Test
  void keys_parse_as_python_prints_them_and_errors_never_show_the_key() {
    FernetKey key = FernetKey.parse(KEY);
    assertThat(FernetKey.parse(KEY.replace("=", ""))).extracting(FernetKey::fingerprint).isEqualTo(key.fingerprint());
    assertThat(FernetKey.parse(" " + KEY + " ").fingerprint()).isEqualTo(key.fingerprint());
    assertThat(FernetKey.parse(KEY.replace('-', '+').replace('_', '/')).fingerprint()).isEqualTo(key.fingerprint());
    assertThat(key.toString()).isEqualTo("FernetKey[fingerprint=" + key.fingerprint() + "]").doesNotContain(KEY.substring(0, 10));
    assertThat(FERNET.toString()).isEqualTo("Fernet[keys=[" + key.fingerprint() + "]]");
    for (String bad : List.of("b'" + KEY + "'", KEY.substring(0, 40), KEY + "AAAA", KEY.substring(0, 30) + "!" + KEY.substring(31), "")) {
      assertThatThrownBy(() -> FernetKey.parse(bad)).isInstanceOf(IllegalArgumentException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY.substring(0, 12)).doesNotContain(KEY.substring(20, 32)));
    }
    assertThatThrownBy(() -> FernetKey.parse("b'" + KEY + "'")).hasMessageContaining("bytes literal");
    assertThatThrownBy(() -> FernetKey.parse(KEY.substring(0, 40))).hasMessageContaining("30 bytes");
    assertThatThrownBy(() -> Fernet.of(key, FernetKey.parse(KEY))).hasMessage("Fernet key 2 is the same as key 1");
    assertThatThrownBy(() -> Fernet.builder().add(key).ttl(Duration.ofMillis(1500)).build())
        .hasMessageContaining("whole number of seconds");
    assertThatThrownBy(() -> Fernet.builder().build()).hasMessageContaining("at least one key");
  }

  @Test
  void shape_check_and_lengths() {
    assertThat(Fernet.mayBeFernet(FERNET.encrypt(new byte[0]))).isTrue();
    assertThat(Fernet.mayBeFernet("gAAAAA")).isFalse();
    assertThat(Fernet.mayBeFernet("gAAAAA" + "A".repeat(93))).isFalse(); // 99 characters
    assertThat(Fernet.mayBeFernet("gAAAAA" + "A".repeat(94))).isTrue(); // shape only
    assertThat(Fernet.mayBeFernet("_AEAAAABAAECAwQFBgcICQoLJm6_eKClp2PsLOfn1McbAu6wDVhpN5gNicLw1CDBDnpx")).isFalse();
    assertThat(Fernet.mayBeFernet("alice@example.com")).isFalse();
    assertThat(Fernet.mayBeFernet(null)).isFalse();
    for (int n = 0; n <= 100; n++) {
      String token = FERNET.encrypt(new byte[n]);
      assertThat(token.length()).as("token of %s bytes", n).isEqualTo(Fernet.tokenLength(n));
      long max = Fernet.maxPlaintextBytes(token.length());
      assertThat(max).as("fits %s", n).isGreaterThanOrEqualTo(n);
      assertThat(Fernet.tokenLength(max)).isLessThanOrEqualTo(token.length());
      assertThat(Fernet.tokenLength(max + 1)).isGreaterThan(token.length());
    }
    assertThat(Fernet.maxPlaintextBytes(99)).isEqualTo(-1);
    assertThat(Fernet.maxPlaintextBytes(100)).isEqualTo(15);
  }

  // ---------------------------------------------------------------------------------------

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] decode(String token) {
    return Base64.getUrlDecoder().decode(token);
  }

  private static byte[] decodeOrNull(String token) {
    try {
      return Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String encode(byte[] data) {
    return Base64.getUrlEncoder().encodeToString(data);
  }

  private static long timestamp(String token) {
    byte[] data = decode(token);
    long t = 0;
    for (int i = 1; i <= 8; i++) {
      t = (t << 8) | (data[i] & 0xFF);
    }
    return t;
  }
}
