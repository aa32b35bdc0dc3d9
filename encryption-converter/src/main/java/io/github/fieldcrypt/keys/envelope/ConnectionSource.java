package io.github.fieldcrypt.keys.envelope;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Where {@link TenantKeyStore} gets connections for the work it does in its own transactions
 * (start-up check, rotation, crypto-shredding, master key rotation, and the calls made without a
 * caller's connection). A {@link DataSource} is one; so is Hibernate's {@code ConnectionProvider}
 * ({@code ConnectionSource} with {@code getConnection} and {@code closeConnection}).
 */
public interface ConnectionSource {

  /** A connection the store may use for one transaction and then {@link #release(Connection)}. */
  Connection open() throws SQLException;

  /** Gives a connection back. Default: {@link Connection#close()}. */
  default void release(Connection connection) throws SQLException {
    connection.close();
  }

  /** The connections of a {@link DataSource}. */
  static ConnectionSource of(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    return dataSource::getConnection;
  }
}
