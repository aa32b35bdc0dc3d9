package io.github.fieldcrypt.keys.envelope;

import io.github.fieldcrypt.spi.KeyAuditListener;
import io.github.fieldcrypt.spi.KeyEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener registered in the test resources' META-INF/services: found by stores made from settings. */
public final class ServiceLoadedAuditListener implements KeyAuditListener {
  static final List<KeyEvent> EVENTS = new CopyOnWriteArrayList<>();

  @Override
  public void onKeyEvent(KeyEvent event) {
    EVENTS.add(event);
  }
}
