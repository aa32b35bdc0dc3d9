package io.github.fieldcrypt.keys.envelope;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A caller's transaction on its own connection, as an application (or Hibernate) runs one: the
 * {@link AfterCompletion} it hands to the store collects the callbacks, {@link #commit()} and
 * {@link #rollback()} end the transaction and then run them with the outcome.
 */
final class Tx implements AfterCompletion, AutoCloseable {
  final Connection connection;
  private final List<Consumer<Boolean>> callbacks = new ArrayList<>();

  Tx(Connection connection) throws SQLException {
    this.connection = connection;
    connection.setAutoCommit(false);
  }

  static Tx begin(KeyTable table) throws SQLException {
    return new Tx(table.connect());
  }

  @Override
  public synchronized void register(Consumer<Boolean> onCompletion) {
    callbacks.add(onCompletion);
  }

  synchronized int registered() {
    return callbacks.size();
  }

  void commit() throws SQLException {
    connection.commit();
    ended(true);
  }

  void rollback() throws SQLException {
    connection.rollback();
    ended(false);
  }

  private void ended(boolean committed) {
    List<Consumer<Boolean>> run;
    synchronized (this) {
      run = new ArrayList<>(callbacks);
      callbacks.clear();
    }
    run.forEach(c -> c.accept(committed));
  }

  @Override
  public void close() throws SQLException {
    try {
      if (!connection.isClosed() && !connection.getAutoCommit()) {
        connection.rollback();
        ended(false);
      }
    } finally {
      connection.close();
    }
  }
}
