package io.github.fieldcrypt.testing;

import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.fieldcrypt.FieldcryptException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Finds fieldcrypt's typed exception in what an operation threw. */
public final class Failures {
  private Failures() {}

  /**
   * Runs the operation and returns the {@link FieldcryptException} it raised (itself or as a cause,
   * when Hibernate wraps it). Fails when it raised nothing or something else.
   */
  public static FieldcryptException fieldcryptFailure(ThrowingCallable operation) {
    Throwable thrown = catchThrowable(operation);
    if (thrown == null) {
      throw new AssertionError("expected a FieldcryptException, but the operation succeeded");
    }
    LeakCapture.record(thrown);
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof FieldcryptException fieldcrypt) {
        return fieldcrypt;
      }
    }
    throw new AssertionError("expected a FieldcryptException, got " + thrown, thrown);
  }
}
