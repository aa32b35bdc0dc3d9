package io.github.fieldcrypt;

/**
 * A key was about to be retired while rows still use it: retiring it would make those rows
 * unreadable. Move them first ({@code reencryptColumn}), then retire. The message names the
 * columns and row counts, never a value.
 */
public class KeyInUseException extends FieldcryptException {
  private static final long serialVersionUID = 1L;

  public KeyInUseException(String message, int keyId) {
    super(message, null, keyId, null);
  }
}
