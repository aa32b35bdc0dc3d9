package io.github.fieldcrypt.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.IvParameterSpec;

/**
 * Reads and writes Fernet tokens (the format of Python's {@code cryptography.fernet}), for data a
 * Python service wrote: not fieldcrypt's own format, which is v1 (FORMAT.md).
 *
 * <pre>
 * token = base64url-with-padding( 0x80 | timestamp (8, big-endian, seconds) | IV (16)
 *                                 | AES-128-CBC ciphertext, PKCS#7 padded | HMAC-SHA256 (32) )
 * the HMAC covers every byte before it; key = signing key (16) || encryption key (16)
 * </pre>
 *
 * <p>A set of keys: the first encrypts, every one decrypts (like Python's {@code MultiFernet}).
 * Reading a token checks, in this order: the text is URL-safe base64 with its padding, in the
 * canonical form Python writes; the version byte is 0x80; the lengths are possible; the HMAC
 * verifies under one of the keys (compared in constant time, before anything is decrypted);
 * with a time-to-live, the timestamp is neither older than it nor more than
 * {@link #MAX_CLOCK_SKEW} ahead of the clock (without one, as Python's {@code decrypt(token)},
 * the timestamp is not checked); then AES-128-CBC decryption and the padding.
 *
 * <p><b>Security:</b> Fernet authenticates a token, but binds it to nothing: a token copied into
 * another column or row reads there too (fieldcrypt's v1 values are bound to their column).
 * Errors ({@link FernetException}) and {@link #toString()} name key fingerprints and positions,
 * never a token, a plaintext or key material.
 *
 * <p>Immutable and thread-safe; one {@link Mac} and one {@link Cipher} per thread.
 */
public final class Fernet {
  /** The version byte of every Fernet token. */
  public static final byte VERSION = (byte) 0x80;
  /** How far ahead of the clock a token's timestamp may be when a time-to-live is checked (Python's value). */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(60);
  /** Every token of a timestamp before the year 4000 starts with these characters: 0x80, then zero bits. */
  public static final String TEXT_PREFIX = "gAAAAA";

  private static final int TIMESTAMP_OFFSET = 1;
  private static final int IV_OFFSET = 9;
  private static final int IV_LENGTH = 16;
  private static final int CIPHERTEXT_OFFSET = IV_OFFSET + IV_LENGTH;
  private static final int BLOCK = 16;
  private static final int HMAC_LENGTH = 32;
  /** Bytes of a token around its ciphertext. */
  private static final int FRAME = CIPHERTEXT_OFFSET + HMAC_LENGTH;
  /** The shortest token: one block of ciphertext (the padding of an empty plaintext). */
  public static final int MIN_TOKEN_BYTES = FRAME + BLOCK;
  /** The shortest token as text: 100 characters. */
  public static final int MIN_TOKEN_CHARS = (MIN_TOKEN_BYTES + 2) / 3 * 4;

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(Fernet::newMac);
  private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(Fernet::newCipher);
  private static final SecureRandom IV_SOURCE = new SecureRandom();

  private final List<FernetKey> keys;
  private final Duration ttl;
  private final Clock clock;

  private Fernet(List<FernetKey> keys, Duration ttl, Clock clock) {
    this.keys = List.copyOf(keys);
    this.ttl = ttl;
    this.clock = clock;
  }

  /** A builder: at least one key; no time-to-live and the system clock unless set. */
  public static Builder builder() {
    return new Builder();
  }

  /** These keys, the first one writing; no time-to-live. */
  public static Fernet of(FernetKey first, FernetKey... more) {
    Builder builder = builder().add(first);
    for (FernetKey key : more) {
      builder.add(key);
    }
    return builder.build();
  }

  /** The keys, the one that encrypts first. */
  public List<FernetKey> keys() {
    return keys;
  }

  /** The time-to-live tokens are read with, if any. */
  public Optional<Duration> ttl() {
    return Optional.ofNullable(ttl);
  }

  /**
   * Whether a text could be a Fernet token, without decoding it: it starts with
   * {@value #TEXT_PREFIX} (the version byte, then the 28 zero high bits of any timestamp before
   * the year 4000), is at least
   * {@link #MIN_TOKEN_CHARS} characters long and a multiple of 4 (base64 with padding). Says
   * nothing about authenticity.
   */
  public static boolean mayBeFernet(String text) {
    return text != null && text.length() >= MIN_TOKEN_CHARS && (text.length() & 3) == 0 && text.startsWith(TEXT_PREFIX);
  }

  /** Length in characters of the token for a plaintext of this many bytes. */
  public static long tokenLength(long plaintextBytes) {
    long bytes = FRAME + (plaintextBytes / BLOCK + 1) * BLOCK;
    return (bytes + 2) / 3 * 4;
  }

  /** The longest plaintext, in bytes, whose token fits in a column of this many characters; -1 if none does. */
  public static long maxPlaintextBytes(long columnChars) {
    long blocks = (columnChars / 4 * 3 - FRAME) / BLOCK;
    return blocks < 1 ? -1 : blocks * BLOCK - 1;
  }

  /**
   * Reads a token: the plaintext bytes.
   *
   * @throws FernetException when the token is malformed, verifies under none of the keys, has
   *     invalid padding, or is outside the time-to-live
   */
  public byte[] decrypt(String token) throws FernetException {
    Objects.requireNonNull(token, "token");
    byte[] data = decode(token);
    int macOffset = data.length - HMAC_LENGTH;
    int keyIndex = verify(data, macOffset);
    if (ttl != null) {
      checkTime(data, keyIndex);
    }
    Cipher cipher = CIPHER.get();
    try {
      cipher.init(Cipher.DECRYPT_MODE, keys.get(keyIndex).encryptionKey(), new IvParameterSpec(data, IV_OFFSET, IV_LENGTH));
      return cipher.doFinal(data, CIPHERTEXT_OFFSET, macOffset - CIPHERTEXT_OFFSET);
    } catch (BadPaddingException e) {
      throw new FernetException(FernetException.Reason.BAD_PADDING, "is a Fernet token that verifies under key " + describeKey(keyIndex)
          + " but its padding is invalid (made by a faulty writer, or the key's two halves do not belong together)", keyIndex);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CBC decryption failed: " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * Reads a token whose plaintext is text: the plaintext decoded as UTF-8, strictly (bytes that
   * are not UTF-8 are an error, never replaced: the text must give back the very same bytes).
   *
   * @throws FernetException as {@link #decrypt}, and with {@link FernetException.Reason#NOT_UTF8}
   *     when the plaintext is not UTF-8
   */
  public String decryptText(String token) throws FernetException {
    byte[] plaintext = decrypt(token);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(plaintext))
          .toString();
    } catch (CharacterCodingException e) {
      throw new FernetException(FernetException.Reason.NOT_UTF8, "is a Fernet token whose plaintext (" + plaintext.length
          + " bytes) is not UTF-8 text, which a String attribute and a v1 text value cannot hold unchanged", -1);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * Makes a token of this plaintext with the first key, the clock's current time and a random IV,
   * as Python's {@code Fernet.encrypt} does.
   */
  public String encrypt(byte[] plaintext) {
    byte[] iv = new byte[IV_LENGTH];
    IV_SOURCE.nextBytes(iv);
    return encrypt(plaintext, clock.instant().getEpochSecond(), iv);
  }

  /**
   * Known-answer seam, package-private on purpose (production tokens get a random IV): the token
   * of a plaintext at a given time and IV, like Python's {@code Fernet._encrypt_from_parts}.
   */
  String encrypt(byte[] plaintext, long timestamp, byte[] iv) {
    Objects.requireNonNull(plaintext, "plaintext");
    if (iv.length != IV_LENGTH) {
      throw new IllegalArgumentException("A Fernet IV is 16 bytes, not " + iv.length);
    }
    FernetKey key = keys.get(0);
    int ciphertextLength = (plaintext.length / BLOCK + 1) * BLOCK;
    byte[] data = new byte[FRAME + ciphertextLength];
    data[0] = VERSION;
    for (int i = 0; i < 8; i++) {
      data[TIMESTAMP_OFFSET + i] = (byte) (timestamp >>> (56 - 8 * i));
    }
    System.arraycopy(iv, 0, data, IV_OFFSET, IV_LENGTH);
    try {
      Cipher cipher = CIPHER.get();
      cipher.init(Cipher.ENCRYPT_MODE, key.encryptionKey(), new IvParameterSpec(iv));
      int written = cipher.doFinal(plaintext, 0, plaintext.length, data, CIPHERTEXT_OFFSET);
      if (written != ciphertextLength) {
        throw new IllegalStateException("AES-CBC wrote " + written + " bytes, expected " + ciphertextLength);
      }
      Mac mac = MAC.get();
      mac.init(key.signingKey());
      mac.update(data, 0, data.length - HMAC_LENGTH);
      mac.doFinal(data, data.length - HMAC_LENGTH);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Fernet encryption failed: " + e.getClass().getSimpleName(), e);
    }
    return ENCODER.encodeToString(data);
  }

  /** The token's bytes after the structural checks: canonical base64url, version, lengths. */
  private static byte[] decode(String token) throws FernetException {
    int length = token.length();
    if (length < MIN_TOKEN_CHARS || (length & 3) != 0) {
      throw malformed("is not a Fernet token: " + length + " characters, where a token has at least "
          + MIN_TOKEN_CHARS + " and a multiple of 4 (URL-safe base64 with padding)");
    }
    byte[] data;
    try {
      data = DECODER.decode(token);
    } catch (IllegalArgumentException e) {
      // not attached: the decoder's message quotes the offending character
      throw malformed("is not a Fernet token: not URL-safe base64 with padding");
    }
    // Only the canonical text Python writes (no stray bits in the last character): one token, one text.
    if (!ENCODER.encodeToString(data).equals(token)) {
      throw malformed("is not a Fernet token: its base64 is not in canonical form");
    }
    if (data[0] != VERSION) {
      throw malformed("is not a Fernet token: its version byte is not 0x80");
    }
    if (data.length < MIN_TOKEN_BYTES || (data.length - FRAME) % BLOCK != 0) {
      throw malformed("is not a Fernet token: " + data.length + " bytes is not 57 plus a whole number of 16-byte blocks");
    }
    return data;
  }

  /** The index of the key whose HMAC matches, checked in constant time per key, before any decryption. */
  private int verify(byte[] data, int macOffset) throws FernetException {
    byte[] tag = Arrays.copyOfRange(data, macOffset, data.length);
    Mac mac = MAC.get();
    for (int i = 0; i < keys.size(); i++) {
      try {
        mac.init(keys.get(i).signingKey());
      } catch (InvalidKeyException e) {
        throw new IllegalStateException("HMAC-SHA256 refused a Fernet key: " + e.getClass().getSimpleName(), e);
      }
      mac.update(data, 0, macOffset);
      if (MessageDigest.isEqual(mac.doFinal(), tag)) {
        return i;
      }
    }
    throw new FernetException(FernetException.Reason.NOT_AUTHENTIC, "is a Fernet token whose HMAC verifies under none of the "
        + keys.size() + " Fernet key" + (keys.size() == 1 ? "" : "s") + " (altered, or made with another key)", -1);
  }

  private void checkTime(byte[] data, int keyIndex) throws FernetException {
    long timestamp = 0;
    for (int i = 0; i < 8; i++) {
      timestamp = (timestamp << 8) | (data[TIMESTAMP_OFFSET + i] & 0xFF);
    }
    long now = clock.instant().getEpochSecond();
    // unsigned: a timestamp with the top bit set is far in the future
    if (timestamp < 0 || timestamp > saturatedAdd(now, MAX_CLOCK_SKEW.getSeconds())) {
      throw new FernetException(FernetException.Reason.FUTURE_TIMESTAMP, "is a Fernet token of key " + describeKey(keyIndex)
          + " stamped more than " + MAX_CLOCK_SKEW.getSeconds() + " s in the future", keyIndex);
    }
    if (saturatedAdd(timestamp, ttl.getSeconds()) < now) {
      throw new FernetException(FernetException.Reason.EXPIRED, "is a Fernet token of key " + describeKey(keyIndex)
          + " older than its time-to-live of " + ttl, keyIndex);
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  /** "1 of 2 (fingerprint 0123abcd...)": position and fingerprint only. */
  private String describeKey(int index) {
    return (index + 1) + " of " + keys.size() + " (fingerprint " + keys.get(index).fingerprint() + ")";
  }

  private static FernetException malformed(String message) {
    return new FernetException(FernetException.Reason.MALFORMED, message, -1);
  }

  private static Mac newMac() {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
    }
  }

  private static Cipher newCipher() {
    try {
      // PKCS5Padding on a 16-byte block cipher is PKCS#7, as Fernet specifies.
      return Cipher.getInstance("AES/CBC/PKCS5Padding");
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      throw new IllegalStateException("AES/CBC/PKCS5Padding is not available in this JDK", e);
    }
  }

  @Override
  public String toString() {
    return "Fernet[keys=" + keys.stream().map(FernetKey::fingerprint).collect(Collectors.joining(", ", "[", "]"))
        + (ttl == null ? "" : ", ttl=" + ttl) + "]";
  }

  /** Builds a {@link Fernet}; {@link #build()} validates. */
  public static final class Builder {
    private final List<FernetKey> keys = new ArrayList<>();
    private Duration ttl;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Adds a key; the first one added encrypts. */
    public Builder add(FernetKey key) {
      keys.add(Objects.requireNonNull(key, "key"));
      return this;
    }

    /**
     * Tokens older than this (or stamped more than {@link #MAX_CLOCK_SKEW} ahead) are refused;
     * {@code null} (the default) checks no time, as Python's {@code decrypt(token)} without a ttl.
     */
    public Builder ttl(Duration ttl) {
      this.ttl = ttl;
      return this;
    }

    /** The clock for timestamps and the time-to-live (a fixed one in tests). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @throws IllegalArgumentException without keys, with a duplicate key (named by position),
     *     or a time-to-live that is not a positive whole number of seconds
     */
    public Fernet build() {
      if (keys.isEmpty()) {
        throw new IllegalArgumentException("A Fernet key set needs at least one key");
      }
      for (int i = 0; i < keys.size(); i++) {
        for (int j = 0; j < i; j++) {
          if (keys.get(i).fingerprint().equals(keys.get(j).fingerprint())) {
            throw new IllegalArgumentException("Fernet key " + (i + 1) + " is the same as key " + (j + 1));
          }
        }
      }
      if (ttl != null && (ttl.isNegative() || ttl.isZero() || ttl.getNano() != 0)) {
        throw new IllegalArgumentException("A Fernet time-to-live is a positive whole number of seconds, not " + ttl);
      }
      return new Fernet(keys, ttl, clock);
    }
  }
}
