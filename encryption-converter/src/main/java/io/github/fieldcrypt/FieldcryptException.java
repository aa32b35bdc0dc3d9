package io.github.fieldcrypt;

/**
 * The base of every exception fieldcrypt throws.
 *
 * <p><b>Security:</b> messages name the entity, attribute, context ({@code "<table>.<column>"})
 * and key id that were involved, and never a plaintext, a ciphertext or key material. Causes
 * from lower layers that could carry data (for example a base64 decoder's message quoting a
 * character) are deliberately not attached.
 */
public class FieldcryptException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String context;
  private final Integer keyId;

  public FieldcryptException(String message) {
    this(message, null, null, null);
  }

  protected FieldcryptException(String message, String context, Integer keyId, Throwable cause) {
    super(message, cause);
    this.context = context;
    this.keyId = keyId;
  }

  /** The context ({@code "<table>.<column>"}) the failing value belongs to, or {@code null}. */
  public String getContext() {
    return context;
  }

  /** The key id involved, or {@code null} when none was (for example a malformed value). */
  public Integer getKeyId() {
    return keyId;
  }
}
