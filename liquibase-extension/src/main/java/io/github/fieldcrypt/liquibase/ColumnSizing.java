package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.crypto.CiphertextFormat;

/**
 * Column widths for encrypted values, for writing the DDL that widens a column before
 * {@code encryptColumn} runs (or a new column for {@code @Encrypted} data).
 *
 * <p>A text column holds the base64url form of the v1 value (ASCII, so characters and bytes are
 * the same); a binary column holds the raw value. Every v1 value adds 34 bytes to its plaintext.
 */
public final class ColumnSizing {
  /** The most bytes one character takes in UTF-8 (a code point outside the BMP). */
  public static final int MAX_UTF8_BYTES_PER_CHARACTER = 4;

  private ColumnSizing() {}

  /**
   * The width (in characters) a text column needs to hold the ciphertext of any string of up to
   * this many characters, whatever they are: {@code VARCHAR(textColumnLength(n))}. For example 100
   * characters need {@code VARCHAR(579)}.
   */
  public static long textColumnLength(long plaintextCharacters) {
    return textColumnLengthForBytes(Math.multiplyExact(requireNonNegative(plaintextCharacters), MAX_UTF8_BYTES_PER_CHARACTER));
  }

  /**
   * The width a text column needs for strings of up to this many UTF-8 bytes (for ASCII data,
   * the number of characters): 40 ASCII characters need {@code VARCHAR(99)}.
   */
  public static long textColumnLengthForBytes(long plaintextBytes) {
    return CiphertextFormat.textLength(requireNonNegative(plaintextBytes));
  }

  /** The length a binary column ({@code VARBINARY}, {@code bytea}, {@code BLOB}) needs for this many plaintext bytes. */
  public static long binaryColumnLength(long plaintextBytes) {
    return CiphertextFormat.binaryLength(requireNonNegative(plaintextBytes));
  }

  /** The longest plaintext, in UTF-8 bytes, whose ciphertext fits a text column of this width; -1 when none does. */
  public static long maxPlaintextBytesForText(long columnCharacters) {
    return CiphertextFormat.maxPlaintextBytesForText(columnCharacters);
  }

  /** The longest plaintext, in bytes, whose ciphertext fits a binary column of this length; -1 when none does. */
  public static long maxPlaintextBytesForBinary(long columnBytes) {
    return CiphertextFormat.maxPlaintextBytesForBinary(columnBytes);
  }

  private static long requireNonNegative(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("a length cannot be negative: " + n);
    }
    return n;
  }
}
