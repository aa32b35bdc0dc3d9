package io.github.fieldcrypt.sample;

import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The whole story on one screen: entities written through Hibernate, ciphertext in the
 * database, plaintext in the application, tampering detected, a key rotated.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Writes encrypted rows through Hibernate and shows what the database holds.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dir", defaultValue = "fieldcrypt-sample",
      description = "Folder for the H2 database file and the demo key file (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--jdbc-url", description = "Use this database instead of the H2 file (PostgreSQL, MariaDB).")
  String jdbcUrl;

  @Option(names = "--user", defaultValue = "sa", description = "Database user (default: ${DEFAULT-VALUE}).")
  String user;

  @Option(names = "--password", defaultValue = "", description = "Database password.")
  String password;

  @Option(names = "--verbose", description = "Print stack traces on errors.")
  boolean verbose;

  private PrintWriter out;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    try {
      return run();
    } catch (FieldcryptException e) {
      spec.commandLine().getErr().println("fieldcrypt: " + e.getMessage());
      if (verbose) {
        e.printStackTrace(spec.commandLine().getErr());
      }
      return 1;
    }
  }

  private int run() throws Exception {
    Files.createDirectories(dir);
    String url = jdbcUrl != null ? jdbcUrl : "jdbc:h2:file:" + dir.toAbsolutePath().resolve("sample") + ";AUTO_SERVER=FALSE";
    DemoKeys keys = DemoKeys.load(dir, out);

    step("1. Writing tenants and customers through Hibernate; their @Encrypted fields are encrypted on the way");
    try (SessionFactory sf = sessionFactory(url, keys.settings(), "create")) {
      sf.inTransaction(s -> {
        s.persist(new Tenant(1L, "Acme Corp", "sk_live_51HqLyjWDarjtT1zdp7dcACME"));
        s.persist(new Tenant(2L, "Globex", "ghp_Globex16C7e42F292c6912E7710c838347"));
        s.persist(new Customer(1L, 1L, "alice@example.com", "756.1234.5678.97", LocalDate.of(1985, 3, 14),
            "Prefers e-mail; VIP since 2019."));
        s.persist(new Customer(2L, 2L, "bob@example.org", "AB 12 34 56 C", LocalDate.of(1990, 7, 1), ""));
      });
      out.println("   2 tenants, 2 customers written.");

      step("2. What the database holds (read with plain JDBC, as a backup, a dump or an attacker would see it)");
      printRaw(url, "select id, name, api_key from tenants order by id", "tenants", "api_key");
      printRaw(url, "select id, email, national_id from customers order by id", "customers", "email", "national_id");

      step("3. What the application reads through Hibernate");
      sf.inTransaction(s -> {
        for (Tenant t : s.createQuery("from Tenant order by id", Tenant.class).getResultList()) {
          out.printf("   tenant %d %-10s api_key = %s%n", t.getId(), t.getName(), t.getApiKey());
        }
        for (Customer c : s.createQuery("from Customer order by id", Customer.class).getResultList()) {
          out.printf("   customer %d email = %s, national_id = %s, born %s%n", c.getId(), c.getEmail(), c.getNationalId(), c.getBirthDate());
        }
      });

      step("4. Someone edits a stored value in the database (one character of tenant 1's api_key)");
      String original = rawValue(url, "select api_key from tenants where id = 1");
      String tampered = original.substring(0, 30) + (original.charAt(30) == 'A' ? 'B' : 'A') + original.substring(31);
      execute(url, "update tenants set api_key = ? where id = 1", tampered);
      try {
        sf.inTransaction(s -> s.find(Tenant.class, 1L).getApiKey());
        out.println("   (unexpected: the tampered value was read)");
      } catch (RuntimeException e) {
        out.println("   Reading it fails, it is never returned as data:");
        out.println("   " + rootMessage(e));
      }
      execute(url, "update tenants set api_key = ? where id = 1", original);
      out.println("   (value restored)");
    }

    if (keys.fromEnvironment()) {
      step("5. Key rotation: skipped, the keys come from " + FieldcryptSettings.environmentVariable(FieldcryptSettings.KEYS)
          + " (add a key with a higher id to rotate)");
    } else {
      step("5. Rotating the key: a new key becomes active, the old one stays to read old rows");
      DemoKeys rotated = keys.rotate();
      try (SessionFactory sf = sessionFactory(url, rotated.settings(), "none")) {
        sf.inTransaction(s -> s.persist(new Tenant(3L, "Initech", "xoxb-Initech-2f9a7c1e5b")));
        List<Tenant> tenants = sf.fromTransaction(s -> s.createQuery("from Tenant order by id", Tenant.class).getResultList());
        for (Tenant t : tenants) {
          out.printf("   tenant %d %-10s api_key = %-38s stored under key id %d%n", t.getId(), t.getName(), t.getApiKey(),
              keyIdOf(rawValue(url, "select api_key from tenants where id = " + t.getId())));
        }
      }
      out.println("   Old rows keep key id " + keys.activeId() + " until rewritten; the reencryptColumn Liquibase change moves them.");
    }

    step("Done");
    if (jdbcUrl == null) {
      out.println("   The database is " + dir.toAbsolutePath().resolve("sample.mv.db"));
      out.println("   Look at it: java -cp sample-app/target/sample-app.jar org.h2.tools.Shell -url \"jdbc:h2:file:"
          + dir.toAbsolutePath().resolve("sample") + "\" -user sa -sql \"select * from tenants\"");
    }
    out.flush();
    return 0;
  }

  private SessionFactory sessionFactory(String url, Map<String, String> keySettings, String ddl) {
    Configuration configuration = new Configuration()
        .addAnnotatedClass(Tenant.class)
        .addAnnotatedClass(Customer.class);
    configuration.setProperty("hibernate.connection.url", url);
    configuration.setProperty("hibernate.connection.username", user);
    configuration.setProperty("hibernate.connection.password", password);
    configuration.setProperty("hibernate.hbm2ddl.auto", ddl);
    keySettings.forEach(configuration::setProperty);
    return configuration.buildSessionFactory();
  }

  private void step(String title) {
    out.println();
    out.println(title);
  }

  private void printRaw(String url, String sql, String table, String... encryptedColumns) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password);
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> cells = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          String name = rs.getMetaData().getColumnLabel(i).toLowerCase();
          String value = rs.getString(i);
          boolean encrypted = List.of(encryptedColumns).contains(name);
          cells.add(name + " = " + (encrypted ? shorten(value) : value));
        }
        out.println("   " + table + ": " + String.join(", ", cells));
      }
    }
  }

  private static String shorten(String ciphertext) {
    if (ciphertext == null) {
      return "NULL";
    }
    return ciphertext.substring(0, Math.min(24, ciphertext.length())) + "… (" + ciphertext.length() + " chars, key id "
        + keyIdOf(ciphertext) + ")";
  }

  private static int keyIdOf(String text) {
    byte[] bytes = CiphertextFormat.fromText(text);
    return CiphertextFormat.hasV1Shape(bytes) ? CiphertextFormat.keyId(bytes) : -1;
  }

  private String rawValue(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private void execute(String url, String sql, String value) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, value);
      ps.executeUpdate();
    }
  }

  private static String rootMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof FieldcryptException) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return e.toString();
  }

  /**
   * The demo's keys: from {@code FIELDCRYPT_KEYS} when set, otherwise a demo key file in the
   * demo folder (made on first run). A key next to its database is for a demo only.
   */
  record DemoKeys(Path file, String keys, int activeId, boolean fromEnvironment) {
    static DemoKeys load(Path dir, PrintWriter out) throws IOException {
      String fromEnv = FieldcryptSettings.from(Map.of()).get(FieldcryptSettings.KEYS);
      if (fromEnv != null) {
        out.println("Keys: from " + FieldcryptSettings.environmentVariable(FieldcryptSettings.KEYS) + " / -Dfieldcrypt.keys");
        return new DemoKeys(null, fromEnv, -1, true);
      }
      Path file = dir.resolve("demo-keys.txt");
      if (!Files.exists(file)) {
        Files.writeString(file, "1:" + randomKey() + "\n", StandardCharsets.UTF_8);
      }
      String keys = Files.readString(file, StandardCharsets.UTF_8).trim();
      out.println("Keys: FIELDCRYPT_KEYS is not set, so this demo uses the key file " + file.toAbsolutePath());
      out.println("      (demo only: in production the key never sits next to the data; see the README)");
      return new DemoKeys(file, keys, highestId(keys), false);
    }

    Map<String, String> settings() {
      Map<String, String> settings = new HashMap<>();
      settings.put(FieldcryptSettings.KEYS, keys);
      return settings;
    }

    /** Adds a key with the next id to the file; it becomes active (the highest id). */
    DemoKeys rotate() throws IOException {
      int next = highestId(keys) + 1;
      String rotated = keys + "," + next + ":" + randomKey();
      Files.writeString(file, rotated + "\n", StandardCharsets.UTF_8);
      return new DemoKeys(file, rotated, next, false);
    }

    private static int highestId(String keys) {
      int max = 0;
      for (String entry : keys.split(",")) {
        max = Math.max(max, Integer.parseInt(entry.substring(0, entry.indexOf(':')).trim()));
      }
      return max;
    }

    private static String randomKey() {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      return Base64.getEncoder().encodeToString(key);
    }

    @Override
    public String toString() {
      return "DemoKeys[" + (fromEnvironment ? "environment" : file) + "]";
    }
  }
}
