package io.github.fieldcrypt.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The databases the tests run on: H2 always; PostgreSQL and MariaDB on 127.0.0.1 whenever they
 * answer, and always when {@code CI=true} (or {@code -Dfieldcrypt.test.require-databases=true}),
 * where an unreachable one fails the run instead of being skipped.
 *
 * <p>Connection settings can be overridden with {@code FIELDCRYPT_TEST_PG_URL} /
 * {@code FIELDCRYPT_TEST_MARIADB_URL} (and {@code _USER}, {@code _PASSWORD}).
 */
public enum TestDatabase {
  H2("jdbc:h2:mem:%s;DB_CLOSE_DELAY=-1", "sa", ""),
  POSTGRESQL(env("FIELDCRYPT_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test"),
      env("FIELDCRYPT_TEST_PG_USER", "postgres"), env("FIELDCRYPT_TEST_PG_PASSWORD", "")),
  MARIADB(env("FIELDCRYPT_TEST_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test"),
      env("FIELDCRYPT_TEST_MARIADB_USER", "root"), env("FIELDCRYPT_TEST_MARIADB_PASSWORD", ""));

  private final String url;
  private final String user;
  private final String password;
  private volatile Boolean reachable;

  TestDatabase(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  /** Whether a missing server fails the run (CI) rather than skipping that database. */
  public static boolean required() {
    return "true".equalsIgnoreCase(System.getenv("CI"))
        || Boolean.getBoolean("fieldcrypt.test.require-databases");
  }

  /** The databases to run on now. @throws IllegalStateException when one is required and down */
  public static List<TestDatabase> available() {
    List<TestDatabase> result = new ArrayList<>();
    for (TestDatabase db : values()) {
      if (db.isReachable()) {
        result.add(db);
      } else if (required()) {
        throw new IllegalStateException(db + " is not reachable at " + db.url
            + " but CI=true requires it (start it, see README)");
      }
    }
    return result;
  }

  /** A JDBC URL; for H2 a fresh private in-memory database per call. */
  public String url() {
    return this == H2 ? String.format(url, "fc" + UUID.randomUUID().toString().replace("-", "")) : url;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  public Connection connect(String jdbcUrl) throws SQLException {
    return DriverManager.getConnection(jdbcUrl, user, password);
  }

  /** Hibernate connection settings for this database at this URL. */
  public Map<String, Object> hibernateSettings(String jdbcUrl) {
    return Map.of(
        "hibernate.connection.url", jdbcUrl,
        "hibernate.connection.username", user,
        "hibernate.connection.password", password,
        "hibernate.connection.pool_size", "4");
  }

  public boolean isReachable() {
    Boolean known = reachable;
    if (known == null) {
      if (this == H2) {
        known = true;
      } else {
        try (Connection ignored = DriverManager.getConnection(url, user, password)) {
          known = true;
        } catch (SQLException e) {
          known = false;
        }
      }
      reachable = known;
    }
    return known;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
