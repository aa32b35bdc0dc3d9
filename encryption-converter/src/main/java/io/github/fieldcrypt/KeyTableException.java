package io.github.fieldcrypt;

/**
 * The table of tenant data keys ({@code fieldcrypt.data-key-table}) could not be read or written:
 * the database refused a statement or the connection failed.
 *
 * <p><b>Security:</b> the JDBC driver's exception is not attached, because database messages can
 * quote a failing row (PostgreSQL prints the whole row of a constraint violation, wrapped key
 * included). The message names the table, the operation, the tenant and the SQLState; the
 * SQLState is also available from {@link #getSqlState()} to tell a retryable failure (a
 * serialization failure {@code 40001}, a deadlock {@code 40P01}) from another.
 */
public class KeyTableException extends FieldcryptException {
  private static final long serialVersionUID = 1L;

  private final String sqlState;
  private final int vendorCode;

  public KeyTableException(String message, String sqlState, int vendorCode) {
    super(message);
    this.sqlState = sqlState;
    this.vendorCode = vendorCode;
  }

  /** The SQLState the driver reported, or {@code null}. */
  public String getSqlState() {
    return sqlState;
  }

  /** The vendor's error code the driver reported. */
  public int getVendorCode() {
    return vendorCode;
  }
}
