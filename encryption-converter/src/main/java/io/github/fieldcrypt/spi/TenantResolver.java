package io.github.fieldcrypt.spi;

/**
 * The current tenant, for applications that do not use Hibernate's multi-tenancy (tenant mode,
 * {@code fieldcrypt.tenant-mode=true}). Named by {@code fieldcrypt.tenant-resolver} (a class with
 * a public no-argument constructor). Consulted only when the session has no tenant identifier of
 * its own: Hibernate's (the session's, from {@code withOptions().tenantIdentifier(...)} or the
 * SessionFactory's {@code CurrentTenantIdentifierResolver}) comes first.
 *
 * <p>Called for every encrypted value written or read: it must be fast (typically a thread-local
 * read) and thread-safe.
 */
@FunctionalInterface
public interface TenantResolver {
  /** The tenant whose data key encrypts and decrypts now, or {@code null} when there is none. */
  String currentTenant();
}
