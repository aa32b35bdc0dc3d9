package io.github.fieldcrypt.spi;

/**
 * Receives the audit events of tenant data key management: a key created, rotated, retired,
 * destroyed, unwrapped by a master key, rewrapped under a new master key.
 *
 * <p>Register an implementation with
 * {@code io.github.fieldcrypt.keys.envelope.TenantKeyStore.Builder#listener}, or in
 * {@code META-INF/services/io.github.fieldcrypt.spi.KeyAuditListener} for stores made from
 * settings. Independently of listeners, every event is written to the SLF4J logger
 * {@code fieldcrypt.audit} at INFO.
 *
 * <p>Called synchronously on the thread that did the operation, after the change is committed
 * (an event for a key created in a transaction that rolls back is never sent). Keep it quick. An
 * exception thrown by a listener is logged (its type, not its message) and does not undo or fail
 * the operation.
 */
@FunctionalInterface
public interface KeyAuditListener {

  /** One key operation; the event holds ids and a fingerprint, never key material. */
  void onKeyEvent(KeyEvent event);
}
