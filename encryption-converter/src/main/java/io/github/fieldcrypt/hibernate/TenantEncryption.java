package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.TenantFieldEncryptor;
import io.github.fieldcrypt.keys.envelope.ConnectionSource;
import io.github.fieldcrypt.keys.envelope.TenantKeyStore;
import io.github.fieldcrypt.spi.TenantResolver;
import java.sql.Connection;
import java.sql.SQLException;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * Tenant mode for one SessionFactory ({@code fieldcrypt.tenant-mode=true}): each value is
 * encrypted under its tenant's data key from the {@link TenantKeyStore}, with the tenant in the
 * associated data ({@code "<table>.<column>|tenant=<id>"}).
 *
 * <p>The tenant is the session's tenant identifier (Hibernate multi-tenancy: the one given to
 * {@code withOptions().tenantIdentifier(...)}, or what the SessionFactory's
 * {@code CurrentTenantIdentifierResolver} said when the session opened), else the
 * {@link TenantResolver} named by {@code fieldcrypt.tenant-resolver}. A tenant's first data key is
 * created on its first write, in the session's transaction on the session's connection; it is
 * shared with other sessions only once that transaction commits.
 */
final class TenantEncryption implements AutoCloseable {
  /** A {@link TenantResolver} class name. */
  static final String TENANT_RESOLVER = "fieldcrypt.tenant-resolver";

  private final TenantFieldEncryptor encryptor;
  private final TenantResolver resolver;

  private TenantEncryption(TenantFieldEncryptor encryptor, TenantResolver resolver) {
    this.encryptor = encryptor;
    this.resolver = resolver;
  }

  /**
   * Opens the key store on the SessionFactory's connections and checks the master key.
   *
   * @throws ConfigurationException naming the setting to fix (wrong master key, missing table...)
   */
  static TenantEncryption start(FieldcryptSettings settings, SessionFactoryImplementor sessionFactory) {
    TenantResolver resolver = resolver(settings);
    TenantKeyStore store = TenantKeyStore.fromSettings(settings, connections(sessionFactory));
    return new TenantEncryption(new TenantFieldEncryptor(store, settings.allowPlaintextReads()), resolver);
  }

  TenantKeyStore store() {
    return encryptor.store();
  }

  /** Encrypts a canonical string for the session's tenant: base64url v1 text. */
  String encryptText(String plaintext, EncryptedAttributeConverter<?, ?> column, SharedSessionContractImplementor session) {
    Connection tx = connection(session);
    return encryptor.encryptToText(plaintext, column.context(), tenant(column, session), column.deterministic(), tx,
        tx == null ? null : callback -> HibernateCompat.afterTransactionCompletion(session, callback));
  }

  /** Encrypts bytes for the session's tenant: the binary v1 value. */
  byte[] encrypt(byte[] plaintext, EncryptedAttributeConverter<?, ?> column, SharedSessionContractImplementor session) {
    Connection tx = connection(session);
    return encryptor.encrypt(plaintext, column.context(), tenant(column, session), column.deterministic(), tx,
        tx == null ? null : callback -> HibernateCompat.afterTransactionCompletion(session, callback));
  }

  /** Decrypts text written for the session's tenant (plaintext reads as configured). */
  String decryptText(String stored, EncryptedAttributeConverter<?, ?> column, SharedSessionContractImplementor session) {
    return encryptor.decryptText(stored, column.context(), tenant(column, session), connection(session));
  }

  /** Decrypts a binary value written for the session's tenant. */
  byte[] decrypt(byte[] stored, EncryptedAttributeConverter<?, ?> column, SharedSessionContractImplementor session) {
    return encryptor.decrypt(stored, column.context(), tenant(column, session), connection(session));
  }

  /** The session's connection when it is in a transaction (the first key is created in it), else {@code null}. */
  private static Connection connection(SharedSessionContractImplementor session) {
    if (session == null || !session.isTransactionInProgress()) {
      return null;
    }
    return session.getJdbcCoordinator().getLogicalConnection().getPhysicalConnection();
  }

  private String tenant(EncryptedAttributeConverter<?, ?> column, SharedSessionContractImplementor session) {
    Object tenant = session == null ? null : session.getTenantIdentifierValue();
    if (tenant == null && resolver != null) {
      tenant = resolver.currentTenant();
    }
    if (tenant == null || tenant.toString().isBlank()) {
      throw new FieldcryptException("Cannot encrypt or decrypt " + describe(column) + " in tenant mode: the session has no"
          + " tenant identifier (open it with withOptions().tenantIdentifier(...), configure Hibernate's"
          + " CurrentTenantIdentifierResolver, or name a TenantResolver in " + TENANT_RESOLVER + ")");
    }
    return tenant.toString();
  }

  private static String describe(EncryptedAttributeConverter<?, ?> column) {
    EncryptionContext context = column.context();
    if (context == null) {
      return "an encrypted attribute";
    }
    return (context.entity() == null ? "" : context.entity() + "." + context.attribute() + " ") + "(context \"" + context.value() + "\")";
  }

  private static TenantResolver resolver(FieldcryptSettings settings) {
    String name = settings.get(TENANT_RESOLVER);
    if (name == null) {
      return null;
    }
    try {
      Class<?> type = Class.forName(name.trim(), true, Thread.currentThread().getContextClassLoader() != null
          ? Thread.currentThread().getContextClassLoader() : TenantEncryption.class.getClassLoader());
      return (TenantResolver) type.getConstructor().newInstance();
    } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
      throw new ConfigurationException(TENANT_RESOLVER, "Invalid " + TENANT_RESOLVER + ": " + name.trim()
          + " is not a class implementing " + TenantResolver.class.getName() + " with a public no-argument constructor ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /** The SessionFactory's connections for the key store's own transactions. */
  private static ConnectionSource connections(SessionFactoryImplementor sessionFactory) {
    var registry = sessionFactory.getServiceRegistry();
    ConnectionProvider provider = registry.getService(ConnectionProvider.class);
    if (provider != null) {
      return new ConnectionSource() {
        @Override
        public Connection open() throws SQLException {
          return provider.getConnection();
        }

        @Override
        public void release(Connection connection) throws SQLException {
          provider.closeConnection(connection);
        }
      };
    }
    @SuppressWarnings("unchecked")
    MultiTenantConnectionProvider<Object> multi = registry.getService(MultiTenantConnectionProvider.class);
    if (multi == null) {
      throw new ConfigurationException(FieldcryptSettings.TENANT_MODE, "Tenant mode needs a ConnectionProvider or a"
          + " MultiTenantConnectionProvider to read the data key table; this SessionFactory has neither");
    }
    return new ConnectionSource() {
      @Override
      public Connection open() throws SQLException {
        return multi.getAnyConnection();
      }

      @Override
      public void release(Connection connection) throws SQLException {
        multi.releaseAnyConnection(connection);
      }
    };
  }

  @Override
  public void close() {
    encryptor.store().close();
  }
}
