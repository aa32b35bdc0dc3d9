package io.github.fieldcrypt;

import io.github.fieldcrypt.hibernate.EncryptedBinder;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.hibernate.annotations.AttributeBinderType;

/**
 * Stores this attribute encrypted: AES-256-GCM ciphertext in the database, plaintext in memory.
 *
 * <pre>{@code
 * @Entity class Tenant {
 *   @Id Long id;
 *   @Encrypted String apiKey;
 * }
 * }</pre>
 *
 * <p>Nothing else is needed: no {@code @Convert}, no setup call. The key ring comes from the
 * {@code fieldcrypt.*} settings ({@link FieldcryptSettings}) of the SessionFactory.
 *
 * <p>Supported types: {@code String}, {@code byte[]}, {@code Integer}, {@code Long},
 * {@code BigDecimal}, {@code Boolean}, {@code LocalDate}, {@code LocalDateTime}, {@code Instant},
 * {@code UUID} and enums. {@code byte[]} is stored in a binary column as the raw v1 value; every
 * other type is turned into a canonical string, encrypted and stored as base64url text, so its
 * column must be a character column wide enough for the ciphertext (34 bytes of overhead, then
 * 4/3 for base64: a 40-character value needs 99 characters). {@code null} stays SQL NULL.
 *
 * <p>Each value is bound to its physical table and column ({@code "<table>.<column>"}, lower
 * case, after the naming strategy): a ciphertext copied to another column does not decrypt.
 *
 * <p><b>Warning:</b> encrypted columns cannot be searched, sorted or compared by range in SQL;
 * {@code like}, {@code upper(...)} and {@code order by} on them see ciphertext. Equality
 * ({@code =}, {@code <>}, {@code in}) works on {@link #deterministic() deterministic} columns only.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
@AttributeBinderType(binder = EncryptedBinder.class)
public @interface Encrypted {
  /**
   * Overrides the context the value is bound to, {@code "<table>.<column>"} by default. Use it
   * when a column was renamed after its rows were written: give the old {@code "table.column"}
   * so those rows still decrypt.
   */
  String context() default "";

  /**
   * Encrypts deterministically (AES-256-GCM-SIV with a synthetic nonce, FORMAT.md alg 0x02):
   * equal values in this column give equal ciphertexts, so {@code where e.email = :email},
   * {@code in (...)}, Criteria {@code equal} and a unique constraint work on the encrypted
   * column. Another column (or tenant) gives other ciphertexts for the same value.
   *
   * <p><b>Warning:</b> whoever reads the column sees which rows hold equal values (and can count
   * them); use it only for what must be looked up. Ordering, ranges, {@code like} and SQL
   * functions still see ciphertext.
   */
  boolean deterministic() default false;

  /**
   * With {@link #deterministic()}: stores the case-folded string (NFC, then upper- and
   * lower-cased in the root locale), so lookups match whatever the case. The original case is
   * lost: the entity reads back the folded form. {@code String} attributes only.
   */
  boolean ignoreCase() default false;
}
