package io.github.fieldcrypt.metrics;

/**
 * The meters of one encrypted attribute. The converters call {@link #enabled()} first, so with
 * metrics off the hot path reads no clock.
 */
public interface AttributeMetrics {
  /** No metrics. */
  AttributeMetrics NOOP = new AttributeMetrics() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void encrypted(long nanos, boolean success) {}

    @Override
    public void decrypted(long nanos, boolean success) {}

    @Override
    public void decryptFailed(String cause) {}
  };

  /** Whether anything is recorded. */
  boolean enabled();

  /** One encryption took this long. */
  void encrypted(long nanos, boolean success);

  /** One decryption took this long. */
  void decrypted(long nanos, boolean success);

  /** A decryption failed for this cause (a {@code DecryptionException.Reason} name, or the exception's simple name). */
  void decryptFailed(String cause);
}
