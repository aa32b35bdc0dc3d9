package io.github.fieldcrypt.keys.envelope;

import io.github.fieldcrypt.spi.KeyAuditListener;
import io.github.fieldcrypt.spi.KeyEvent;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends key events to the SLF4J logger {@code fieldcrypt.audit} and to the registered listeners. */
final class Audit {
  /** The SLF4J logger every key event is written to, at INFO. */
  static final String LOGGER = "fieldcrypt.audit";
  private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);
  private static final System.Logger LOG = System.getLogger("io.github.fieldcrypt");

  private final List<KeyAuditListener> listeners;

  Audit(List<KeyAuditListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  void emit(KeyEvent event) {
    AUDIT.info("{}", event);
    for (KeyAuditListener listener : listeners) {
      try {
        listener.onKeyEvent(event);
      } catch (RuntimeException e) {
        // the listener's message could quote anything; its type is enough to find it
        LOG.log(System.Logger.Level.WARNING, "fieldcrypt: the key audit listener {0} failed on a {1} event ({2})",
            listener.getClass().getName(), event.type().label(), e.getClass().getName());
      }
    }
  }

  void emitAll(List<KeyEvent> events) {
    events.forEach(this::emit);
  }

  int listenerCount() {
    return listeners.size();
  }
}
