package io.github.fieldcrypt;

/**
 * A query asks the database for something it cannot do on ciphertext: {@code like}, a range,
 * a SQL function or {@code order by} on an encrypted column, or equality on a randomized one.
 * Run without the check it would return no rows (or rows in a meaningless order), silently.
 * The message names the attribute and column; set {@code fieldcrypt.query-check=warn} to log
 * instead of failing, {@code off} to disable the check.
 */
public class UnsupportedQueryException extends FieldcryptException {
  private static final long serialVersionUID = 1L;

  public UnsupportedQueryException(String message) {
    super(message);
  }
}
