package io.github.fieldcrypt.hibernate;

import java.sql.CallableStatement;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.type.descriptor.ValueBinder;
import org.hibernate.type.descriptor.ValueExtractor;
import org.hibernate.type.descriptor.WrapperOptions;
import org.hibernate.type.descriptor.java.JavaType;
import org.hibernate.type.descriptor.jdbc.BasicBinder;
import org.hibernate.type.descriptor.jdbc.BasicExtractor;
import org.hibernate.type.descriptor.jdbc.JdbcLiteralFormatter;
import org.hibernate.type.descriptor.jdbc.JdbcType;
import org.hibernate.type.descriptor.jdbc.JdbcTypeIndicators;
import org.hibernate.type.descriptor.jdbc.VarbinaryJdbcType;
import org.hibernate.type.descriptor.jdbc.VarcharJdbcType;

/**
 * Tenant mode's column types: they encrypt while binding and decrypt while extracting, because
 * that is where Hibernate hands over the session ({@link WrapperOptions#getSession()}), and with
 * it the tenant and the transaction. The attribute's converter only turns values into their
 * canonical strings there.
 *
 * <p>Never replaced by Hibernate's own types ({@link #resolveIndicatedType} returns the type
 * itself), and never rendered as a SQL literal (no literal formatter: a value compared with an
 * encrypted column is always bound as a parameter, so it is encrypted like one).
 */
final class TenantJdbcTypes {
  private TenantJdbcTypes() {}

  static JdbcType text(EncryptedAttributeConverter<?, ?> column, FieldEncryptorService service) {
    return new Text(column, service);
  }

  static JdbcType binary(EncryptedAttributeConverter<?, ?> column, FieldEncryptorService service) {
    return new Binary(column, service);
  }

  private static SharedSessionContractImplementor session(WrapperOptions options) {
    return options == null ? null : options.getSession();
  }

  /** Text column (base64url v1). */
  static final class Text extends VarcharJdbcType {
    private static final long serialVersionUID = 1L;
    private final transient EncryptedAttributeConverter<?, ?> column;
    private final transient FieldEncryptorService service;

    Text(EncryptedAttributeConverter<?, ?> column, FieldEncryptorService service) {
      this.column = column;
      this.service = service;
    }

    @Override
    public JdbcType resolveIndicatedType(JdbcTypeIndicators indicators, JavaType<?> domainJtd) {
      return this;
    }

    @Override
    public <T> JdbcLiteralFormatter<T> getJdbcLiteralFormatter(JavaType<T> javaType) {
      return null;
    }

    @Override
    public <X> ValueBinder<X> getBinder(JavaType<X> javaType) {
      return new BasicBinder<>(javaType, this) {
        @Override
        protected void doBind(PreparedStatement st, X value, int index, WrapperOptions options) throws SQLException {
          st.setString(index, encrypt(javaType.unwrap(value, String.class, options), options));
        }

        @Override
        protected void doBind(CallableStatement st, X value, String name, WrapperOptions options) throws SQLException {
          st.setString(name, encrypt(javaType.unwrap(value, String.class, options), options));
        }
      };
    }

    @Override
    public <X> ValueExtractor<X> getExtractor(JavaType<X> javaType) {
      return new BasicExtractor<>(javaType, this) {
        @Override
        protected X doExtract(ResultSet rs, int index, WrapperOptions options) throws SQLException {
          return wrap(javaType, rs.getString(index), options);
        }

        @Override
        protected X doExtract(CallableStatement st, int index, WrapperOptions options) throws SQLException {
          return wrap(javaType, st.getString(index), options);
        }

        @Override
        protected X doExtract(CallableStatement st, String name, WrapperOptions options) throws SQLException {
          return wrap(javaType, st.getString(name), options);
        }
      };
    }

    private String encrypt(String plaintext, WrapperOptions options) {
      return column.measureEncryption(() -> service.tenantEncryption().encryptText(plaintext, column, session(options)));
    }

    private <X> X wrap(JavaType<X> javaType, String stored, WrapperOptions options) {
      return stored == null ? null
          : javaType.wrap(column.measureDecryption(() -> service.tenantEncryption().decryptText(stored, column, session(options))), options);
    }

    @Override
    public String toString() {
      return "TenantEncryptedVarchar[" + column + "]";
    }
  }

  /** Binary column (the raw v1 value). */
  static final class Binary extends VarbinaryJdbcType {
    private static final long serialVersionUID = 1L;
    private final transient EncryptedAttributeConverter<?, ?> column;
    private final transient FieldEncryptorService service;

    Binary(EncryptedAttributeConverter<?, ?> column, FieldEncryptorService service) {
      super(false);
      this.column = column;
      this.service = service;
    }

    @Override
    public JdbcType resolveIndicatedType(JdbcTypeIndicators indicators, JavaType<?> domainJtd) {
      return this;
    }

    @Override
    public <T> JdbcLiteralFormatter<T> getJdbcLiteralFormatter(JavaType<T> javaType) {
      return null;
    }

    @Override
    public <X> ValueBinder<X> getBinder(JavaType<X> javaType) {
      return new BasicBinder<>(javaType, this) {
        @Override
        protected void doBind(PreparedStatement st, X value, int index, WrapperOptions options) throws SQLException {
          st.setBytes(index, encrypt(javaType.unwrap(value, byte[].class, options), options));
        }

        @Override
        protected void doBind(CallableStatement st, X value, String name, WrapperOptions options) throws SQLException {
          st.setBytes(name, encrypt(javaType.unwrap(value, byte[].class, options), options));
        }
      };
    }

    @Override
    public <X> ValueExtractor<X> getExtractor(JavaType<X> javaType) {
      return new BasicExtractor<>(javaType, this) {
        @Override
        protected X doExtract(ResultSet rs, int index, WrapperOptions options) throws SQLException {
          return wrap(javaType, rs.getBytes(index), options);
        }

        @Override
        protected X doExtract(CallableStatement st, int index, WrapperOptions options) throws SQLException {
          return wrap(javaType, st.getBytes(index), options);
        }

        @Override
        protected X doExtract(CallableStatement st, String name, WrapperOptions options) throws SQLException {
          return wrap(javaType, st.getBytes(name), options);
        }
      };
    }

    private byte[] encrypt(byte[] plaintext, WrapperOptions options) {
      return column.measureEncryption(() -> service.tenantEncryption().encrypt(plaintext, column, session(options)));
    }

    private <X> X wrap(JavaType<X> javaType, byte[] stored, WrapperOptions options) {
      return stored == null ? null
          : javaType.wrap(column.measureDecryption(() -> service.tenantEncryption().decrypt(stored, column, session(options))), options);
    }

    @Override
    public String toString() {
      return "TenantEncryptedVarbinary[" + column + "]";
    }
  }
}
