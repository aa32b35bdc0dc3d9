package io.github.fieldcrypt.keys.envelope;

import java.util.function.Consumer;

/**
 * How {@link TenantKeyStore} learns that the caller's transaction has ended: the store registers
 * a callback, the caller runs it once, after the commit ({@code true}) or the rollback
 * ({@code false}).
 *
 * <p>A data key created inside the caller's transaction exists only if that transaction commits;
 * until then it is kept apart (used by that connection only) and it enters the shared key cache
 * only after the callback says {@code true}. Typical adapters:
 *
 * <pre>{@code
 * // Hibernate 6.6 (inside a Session): after-transaction-completion processes get the outcome
 * // (Hibernate 7: ActionQueue.registerCallback, same shape)
 * AfterCompletion hibernate = callback -> session.getActionQueue()
 *     .registerProcess((success, s) -> callback.accept(success));
 * // Spring
 * AfterCompletion spring = callback -> TransactionSynchronizationManager.registerSynchronization(
 *     new TransactionSynchronization() {
 *       public void afterCompletion(int status) { callback.accept(status == STATUS_COMMITTED); }
 *     });
 * }</pre>
 *
 * <p><b>Warning:</b> calling the callback with {@code true} for a transaction that rolled back
 * puts a key that does not exist into the cache: values encrypted with it until the cache entry
 * expires cannot be decrypted afterwards. Never guess the outcome.
 */
@FunctionalInterface
public interface AfterCompletion {

  /** Registers {@code onCompletion}, to be called exactly once when the transaction has ended. */
  void register(Consumer<Boolean> onCompletion);
}
