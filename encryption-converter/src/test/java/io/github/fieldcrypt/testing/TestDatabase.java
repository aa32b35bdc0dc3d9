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
 *
 * <p>Each test JVM works in a schema (PostgreSQL) or database (MariaDB) of its own, made on first
 * use and dropped when the JVM ends, so that two builds on one server (two worktrees, or a build
 * beside the sample app) never see each other's tables: the tests' table names are fixed.
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
  /** PostgreSQL and MariaDB: this JVM's URL, in its own schema or database (made on first use). */
  private volatile String isolated;

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

  /**
   * A JDBC URL; for H2 a fresh private in-memory database per call, for PostgreSQL and MariaDB
   * this JVM's own schema or database.
   */
  public String url() {
    if (this == H2) {
      return String.format(url, "fc" + UUID.randomUUID().toString().replace("-", ""));
    }
    String known = isolated;
    if (known == null) {
      synchronized (this) {
        known = isolated;
        if (known == null) {
          known = isolate();
          isolated = known;
        }
      }
    }
    return known;
  }

  /**
   * Makes this JVM's schema (PostgreSQL) or database (MariaDB) and returns the URL that works in
   * it; a user without the right to make one gets the configured URL, shared as before.
   */
  private String isolate() {
    String name = "fc_" + Long.toString(System.currentTimeMillis() / 1000, 36) + "_"
        + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    String kind = this == POSTGRESQL ? "SCHEMA" : "DATABASE";
    try (Connection c = DriverManager.getConnection(url, user, password); java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE " + kind + " " + name);
    } catch (SQLException e) {
      System.err.println(this + ": could not make " + kind.toLowerCase(Locale.ROOT) + " " + name
          + " for this test run, using " + url + " as it is (" + e.getMessage() + ")");
      return url;
    }
    String drop = "DROP " + kind + " IF EXISTS " + name + (this == POSTGRESQL ? " CASCADE" : "");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> dropQuietly(name, drop), "drop-" + name));
    return this == POSTGRESQL ? withParameter(url, "currentSchema=" + name) : withDatabase(url, name);
  }

  private void dropQuietly(String name, String drop) {
    try (Connection c = DriverManager.getConnection(url, user, password); java.sql.Statement st = c.createStatement()) {
      // never hold up the JVM's exit behind a connection a test left open
      st.execute(this == POSTGRESQL ? "SET lock_timeout = '5s'" : "SET SESSION lock_wait_timeout = 5");
      st.execute(drop);
    } catch (SQLException e) {
      System.err.println(this + ": could not drop " + name + " (" + e.getMessage() + ")");
    }
  }

  private static String withParameter(String jdbcUrl, String parameter) {
    return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + parameter;
  }

  /** {@code jdbc:mariadb://host:port/db?params} with another database. */
  private static String withDatabase(String jdbcUrl, String database) {
    int hosts = jdbcUrl.indexOf("//") + 2;
    int slash = jdbcUrl.indexOf('/', hosts);
    int query = jdbcUrl.indexOf('?', hosts);
    if (slash < 0 || (query >= 0 && query < slash)) {
      // no database in the URL: insert one before the parameters
      return query < 0 ? jdbcUrl + "/" + database : jdbcUrl.substring(0, query) + "/" + database + jdbcUrl.substring(query);
    }
    return jdbcUrl.substring(0, slash + 1) + database + (query < 0 ? "" : jdbcUrl.substring(query));
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
