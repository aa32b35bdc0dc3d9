package io.github.fieldcrypt;

import io.github.fieldcrypt.crypto.AssociatedData;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * What a ciphertext is bound to: the string {@code "<table>.<column>"} (lower case) that becomes
 * part of the associated data, plus the entity and attribute names used in error messages.
 *
 * <p>A value encrypted under one context does not decrypt under another, so a ciphertext copied
 * into another column fails instead of leaking. The Hibernate integration and the Liquibase
 * changes derive the same context from the physical table and column names, which is what
 * makes their values interchangeable. Build one per column and reuse it: the UTF-8 form is
 * computed once.
 *
 * <p>Holds no secret; {@link #toString()} is safe to log.
 */
public final class EncryptionContext {
  private final String context;
  private final byte[] contextBytes;
  private final String entity;
  private final String attribute;
  // The associated data last used with this context (usually: the active key's). A benign race:
  // AssociatedData is immutable with final fields, so any thread sees a complete one or null.
  private AssociatedData associatedData;

  private EncryptionContext(String context, String entity, String attribute) {
    this.context = context;
    this.contextBytes = context.getBytes(StandardCharsets.UTF_8);
    this.entity = entity;
    this.attribute = attribute;
  }

  /** The context for a physical table and column: {@code "<table>.<column>"} in lower case. */
  public static EncryptionContext forColumn(String table, String column) {
    requireName(table, "table");
    requireName(column, "column");
    return new EncryptionContext(normalize(table) + "." + normalize(column), null, null);
  }

  /**
   * A context given verbatim (an {@code @Encrypted(context = ...)} override or a Liquibase
   * {@code context} attribute). It is lower-cased like a derived one, so {@code "Users.Email"}
   * and {@code "users.email"} are the same context.
   */
  public static EncryptionContext of(String context) {
    requireName(context, "context");
    return new EncryptionContext(normalize(context), null, null);
  }

  /**
   * This context for one tenant (tenant mode): {@code "<table>.<column>|tenant=<id>"}, the tenant
   * id verbatim (not lower-cased: tenant ids are compared exactly). A value moved to another
   * tenant's row does not decrypt.
   */
  public EncryptionContext forTenant(String tenant) {
    requireName(tenant, "tenant");
    return new EncryptionContext(context + "|tenant=" + tenant, entity, attribute);
  }

  /** The same context, naming the entity and attribute in error messages. */
  public EncryptionContext describing(String entity, String attribute) {
    return new EncryptionContext(context, entity, attribute);
  }

  /** The context string, e.g. {@code "customers.email"}. */
  public String value() {
    return context;
  }

  /** The entity name for messages, or {@code null}. */
  public String entity() {
    return entity;
  }

  /** The attribute name for messages, or {@code null}. */
  public String attribute() {
    return attribute;
  }

  byte[] bytes() {
    return contextBytes;
  }

  /** The associated data (header || context) for this algorithm and key id, cached per context. */
  AssociatedData associatedData(byte algorithm, int keyId) {
    AssociatedData cached = associatedData;
    if (cached == null || !cached.isFor(algorithm, keyId)) {
      cached = AssociatedData.of(algorithm, keyId, contextBytes);
      associatedData = cached;
    }
    return cached;
  }

  /** "Customer.email (context "customers.email")" or "context "customers.email"": for messages. */
  String describe() {
    String where = "context \"" + context + "\"";
    if (entity == null) {
      return where;
    }
    return entity + (attribute == null ? "" : "." + attribute) + " (" + where + ")";
  }

  private static String normalize(String name) {
    return name.trim().toLowerCase(Locale.ROOT);
  }

  private static void requireName(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptionContext other && context.equals(other.context);
  }

  @Override
  public int hashCode() {
    return context.hashCode();
  }

  @Override
  public String toString() {
    return "EncryptionContext[" + describe() + "]";
  }
}
