package io.github.fieldcrypt.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.fieldcrypt.DecryptionException;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.UnknownKeyException;
import io.github.fieldcrypt.testing.Ciphertexts;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the Fernet token parser: any text given to {@link Fernet#decrypt} (with and without a
 * time-to-live) gives a plaintext or a {@link FernetException}, and nothing else; a token it
 * accepts is exactly the token its key makes of that plaintext, time and IV (no second text for
 * one token, no malleable part); and {@link FieldEncryptor#decryptText} with Fernet reads gives a
 * value or a typed {@link DecryptionException}, never a token that failed to verify as plaintext.
 *
 * <p>In a normal {@code mvn test} Jazzer runs the committed seeds
 * (src/test/resources/io/github/fieldcrypt/crypto/FernetParserFuzzTestInputs/: tokens Python's
 * {@code cryptography.fernet} made with the test keys 21 and 22 at time 1700000000 with IV
 * 00..0f, and damaged ones: tampered, truncated, unpadded, another alphabet, another key, another
 * version byte, a valid HMAC over bad padding, expired, from the future); with
 * {@code JAZZER_FUZZ=1} it fuzzes.
 */
class FernetParserFuzzTest {
  private static final long T = 1_700_000_000L;
  private static final FernetKey KEY1 = FernetKey.parse(TestKeys.fernetKey(21));
  private static final FernetKey KEY2 = FernetKey.parse(TestKeys.fernetKey(22));
  private static final Fernet PLAIN = Fernet.of(KEY1, KEY2);
  private static final Fernet TIMED = Fernet.builder().add(KEY1).add(KEY2).ttl(Duration.ofHours(1))
      .clock(Clock.fixed(Instant.ofEpochSecond(T), ZoneOffset.UTC)).build();
  private static final Fernet[] SINGLE = {Fernet.of(KEY1), Fernet.of(KEY2)};
  private static final FieldEncryptor STRICT = Ciphertexts.encryptor(1, 2).withFernetReads(PLAIN);
  private static final FieldEncryptor LENIENT = STRICT.withPlaintextReads(true);
  private static final EncryptionContext CONTEXT = EncryptionContext.forColumn("users", "email");

  private static final AtomicInteger TEXT_RUNS = new AtomicInteger();
  private static final AtomicInteger TEXT_ACCEPTED = new AtomicInteger();
  private static final AtomicInteger BYTES_RUNS = new AtomicInteger();
  private static final AtomicInteger BYTES_ACCEPTED = new AtomicInteger();

  @FuzzTest(maxDuration = "30s")
  void token_text(FuzzedDataProvider data) {
    TEXT_RUNS.incrementAndGet();
    if (check(data.consumeRemainingAsString())) {
      TEXT_ACCEPTED.incrementAndGet();
    }
  }

  /** The decoded bytes of a token, fuzzed directly: reaches the version, length and HMAC checks. */
  @FuzzTest(maxDuration = "30s")
  void token_bytes(byte[] bytes) {
    BYTES_RUNS.incrementAndGet();
    if (check(Base64.getUrlEncoder().encodeToString(bytes))) {
      BYTES_ACCEPTED.incrementAndGet();
    }
  }

  /** The seed corpus holds valid tokens: each target that ran accepted some, so the HMAC and decryption paths are reached. */
  @AfterAll
  static void valid_seeds_were_accepted() {
    if (TEXT_RUNS.get() > 0) {
      assertThat(TEXT_ACCEPTED.get()).as("token_text inputs accepted").isPositive();
    }
    if (BYTES_RUNS.get() > 0) {
      assertThat(BYTES_ACCEPTED.get()).as("token_bytes inputs accepted").isPositive();
    }
  }

  /** Checks one text; returns whether it is an accepted token. */
  private static boolean check(String token) {
    byte[] plaintext = attempt(PLAIN, token);
    byte[] timed = attempt(TIMED, token);
    if (timed != null) {
      assertThat(plaintext).as("a token read with a time-to-live reads without").isEqualTo(timed);
    }
    if (plaintext != null) {
      byte[] data = Base64.getUrlDecoder().decode(token);
      long timestamp = 0;
      for (int i = 1; i <= 8; i++) {
        timestamp = (timestamp << 8) | (data[i] & 0xFF);
      }
      byte[] iv = Arrays.copyOfRange(data, 9, 25);
      boolean remade = false;
      for (Fernet single : SINGLE) {
        remade |= single.encrypt(plaintext, timestamp, iv).equals(token);
      }
      assertThat(remade).as("an accepted token is the token its key makes of its plaintext, time and IV").isTrue();
    }
    String strict = attemptText(STRICT, token);
    String lenient = attemptText(LENIENT, token);
    if (Fernet.mayBeFernet(token)) {
      // read as a Fernet token, or an error: never handed out as it is
      String expected = plaintext == null ? null : new String(plaintext, StandardCharsets.UTF_8);
      assertThat(strict).isEqualTo(expected);
      assertThat(lenient).isEqualTo(expected);
    } else if (lenient != null && strict == null) {
      assertThat(lenient).as("not Fernet-shaped and not v1: plaintext reads give it back").isEqualTo(token);
    }
    return plaintext != null;
  }

  /** The plaintext, or null after a {@link FernetException}; anything else fails the fuzz test. */
  private static byte[] attempt(Fernet fernet, String token) {
    try {
      return fernet.decrypt(token);
    } catch (FernetException expected) {
      return null;
    }
  }

  /** The value, or null after fieldcrypt's typed exception; anything else fails the fuzz test. */
  private static String attemptText(FieldEncryptor encryptor, String value) {
    try {
      return encryptor.decryptText(value, CONTEXT);
    } catch (DecryptionException | UnknownKeyException expected) {
      return null;
    } catch (FieldcryptException other) {
      throw new AssertionError("unexpected fieldcrypt exception type " + other.getClass().getName(), other);
    }
  }
}
