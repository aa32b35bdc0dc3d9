package io.github.fieldcrypt.sample;

import io.github.fieldcrypt.FieldcryptException;
import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.crypto.CiphertextFormat;
import io.github.fieldcrypt.keys.KeyUsage;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * The whole story on one screen: a legacy schema with plaintext secrets, the Liquibase
 * {@code encryptColumn} changes encrypting the rows in place, the entities reading them through
 * {@code @Encrypted}, tampering detected, a key rotated and the rows re-encrypted, and a rollback
 * giving the plaintext back.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Encrypts a legacy table with Liquibase and reads it through Hibernate, step by step.")
final class DemoCommand implements Callable<Integer> {
  private static final String[][] ENCRYPTED = {
    {"tenants", "api_key"}, {"customers", "email"}, {"customers", "national_id"}, {"customers", "birth_date"}, {"customers", "notes"}
  };

  /** The demo's encrypted columns as "table.column". */
  static List<String> encryptedColumns() {
    List<String> columns = new ArrayList<>();
    for (String[] column : ENCRYPTED) {
      columns.add(column[0] + "." + column[1]);
    }
    return columns;
  }

  @Spec CommandSpec spec;

  @Mixin DatabaseOptions db;

  private PrintWriter out;
  private String url;
  private String user;
  private String password;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    url = db.url();
    user = db.user;
    password = db.password;
    SampleKeys keys = SampleKeys.load(db.folder(), out);
    resetDemoTables();

    step("1. The legacy app: Liquibase creates its schema, the app stores secrets as plain text");
    Migrations legacy = db.migrations(keys, out);
    legacy.update("db/001-legacy-schema.xml");
    insertLegacyRows();
    printRaw("select id, name, api_key from tenants order by id", "tenants");
    printRaw("select id, email, national_id, birth_date from customers order by id", "customers");

    step("2. The DBA runs the encryptColumn changes (db/002-encrypt.xml): every existing row is encrypted in place");
    legacy.update("db/002-encrypt.xml");
    printRaw("select id, name, api_key from tenants order by id", "tenants", "api_key");
    printRaw("select id, email, national_id, birth_date from customers order by id", "customers", "email", "national_id", "birth_date");

    step("3. The application reads the same rows through Hibernate (@Encrypted fields): plaintext in memory");
    try (SessionFactory sf = sessionFactory(keys.settings())) {
      printEntities(sf);
      findByEmail(sf, "bob@example.org");

      step("4. Someone edits a stored value in the database (one character of tenant 1's api_key)");
      String original = rawValue("select api_key from tenants where id = 1");
      String tampered = original.substring(0, 30) + (original.charAt(30) == 'A' ? 'B' : 'A') + original.substring(31);
      execute("update tenants set api_key = ? where id = 1", tampered);
      try {
        sf.inTransaction(s -> s.find(Tenant.class, 1L).getApiKey());
        out.println("   (unexpected: the tampered value was read)");
      } catch (RuntimeException e) {
        out.println("   Reading it fails; a damaged value is never returned as data:");
        out.println("   " + rootMessage(e));
      }
      execute("update tenants set api_key = ? where id = 1", original);
      out.println("   (value restored)");

      step("5. New rows written by the application are encrypted by the same @Encrypted fields");
      sf.inTransaction(s -> s.persist(new Tenant(3L, "Initech", "xoxb-Initech-2f9a7c1e5b")));
      printRaw("select id, name, api_key from tenants where id = 3", "tenants", "api_key");
    }

    if (keys.fromEnvironment()) {
      step("6. Key rotation: skipped, the keys come from " + keys.source() + " (add a key with a higher id there to rotate)");
    } else {
      step("6. Rotating the key: key " + (keys.activeId() + 1) + " becomes active, reencryptColumn (db/003-reencrypt.xml) moves the rows");
      SampleKeys rotated = keys.rotate();
      out.println("   before: " + KeyUsageLine.of(url, user, password));
      try (Connection c = DriverManager.getConnection(url, user, password)) {
        io.github.fieldcrypt.keys.KeyUsage.requireUnused(c, keys.activeId(), encryptedColumns());
        out.println("   (unexpected: key " + keys.activeId() + " could be retired before re-encryption)");
      } catch (io.github.fieldcrypt.KeyInUseException refused) {
        out.println("   Retiring key " + keys.activeId() + " now is refused: " + refused.getMessage());
      }
      db.migrations(rotated, out).update("db/003-reencrypt.xml");
      out.println("   after:  " + KeyUsageLine.of(url, user, password));
      out.println("   No row is under key " + keys.activeId() + " any more: it could now be retired"
          + " (java -jar sample-app/target/sample-app.jar retire --key " + keys.activeId() + ").");
      keys = rotated;
      try (SessionFactory sf = sessionFactory(keys.settings())) {
        findByEmail(sf, "bob@example.org");
      }
    }

    step("7. Rolling back: rollback of the encryptColumn changeset decrypts every row (reencrypt's rollback does nothing)");
    Migrations rollback = db.migrations(keys, out);
    if (!keys.fromEnvironment()) {
      rollback.rollbackCount("db/003-reencrypt.xml", 1);
    }
    rollback.rollbackCount("db/002-encrypt.xml", 1);
    printRaw("select id, name, api_key from tenants order by id", "tenants");
    printRaw("select id, email, national_id, birth_date from customers order by id", "customers");

    step("Done");
    if (db.isH2File()) {
      out.println("   The database is " + db.databaseFile() + " (user sa, no password).");
      out.println("   Run the demo again to start over; try: java -jar sample-app/target/sample-app.jar key-usage tenants api_key");
    }
    out.flush();
    return 0;
  }

  private SessionFactory sessionFactory(Map<String, String> keySettings) {
    Configuration configuration = new Configuration()
        .addAnnotatedClass(Tenant.class)
        .addAnnotatedClass(Customer.class);
    configuration.setProperty("hibernate.connection.url", url);
    configuration.setProperty("hibernate.connection.username", user);
    configuration.setProperty("hibernate.connection.password", password);
    configuration.setProperty("hibernate.hbm2ddl.auto", "none");
    keySettings.forEach(configuration::setProperty);
    return configuration.buildSessionFactory();
  }

  /** Drops what a previous run left: the demo's two tables and its own changelog tables, nothing else. */
  private void resetDemoTables() throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
      for (String table : List.of("tenants", "customers", Migrations.CHANGELOG_TABLE, Migrations.CHANGELOG_TABLE + "_LOCK")) {
        s.execute("drop table if exists " + table);
      }
    }
  }

  private void insertLegacyRows() throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      try (PreparedStatement ps = c.prepareStatement("insert into tenants (id, name, api_key) values (?, ?, ?)")) {
        insert(ps, 1L, "Acme Corp", "sk_live_51HqLyjWDarjtT1zdp7dcACME");
        insert(ps, 2L, "Globex", "ghp_Globex16C7e42F292c6912E7710c838347");
      }
      try (PreparedStatement ps = c.prepareStatement(
          "insert into customers (id, tenant_id, email, national_id, birth_date, notes) values (?, ?, ?, ?, ?, ?)")) {
        insert(ps, 1L, 1L, "alice@example.com", "756.1234.5678.97", "1985-03-14", "Prefers e-mail; VIP since 2019.");
        insert(ps, 2L, 2L, "bob@example.org", "AB 12 34 56 C", "1990-07-01", "");
        insert(ps, 3L, 2L, "chloé@example.fr", null, "2001-12-24", "Übergrößen-Bestellung 🚚");
      }
    }
    out.println("   3 customers and 2 tenants inserted by the legacy app.");
  }

  private static void insert(PreparedStatement ps, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      ps.setObject(i + 1, values[i]);
    }
    ps.executeUpdate();
  }

  private void printEntities(SessionFactory sf) {
    sf.inTransaction(s -> {
      for (Tenant t : s.createQuery("from Tenant order by id", Tenant.class).getResultList()) {
        out.printf("   tenant %d %-10s api_key = %s%n", t.getId(), t.getName(), t.getApiKey());
      }
      for (Customer c : s.createQuery("from Customer order by id", Customer.class).getResultList()) {
        out.printf("   customer %d email = %s, national_id = %s, born %s%n", c.getId(), c.getEmail(), c.getNationalId(), c.getBirthDate());
      }
    });
  }

  /** An equality query on the deterministic e-mail column, then a like query that fieldcrypt refuses. */
  private void findByEmail(SessionFactory sf, String email) {
    sf.inTransaction(s -> {
      List<Customer> found = s.createSelectionQuery("from Customer c where c.email = :email", Customer.class)
          .setParameter("email", email).getResultList();
      out.printf("   Looking up a customer by e-mail (from Customer c where c.email = :email, email = %s): %s%n", email,
          found.isEmpty() ? "not found" : "customer " + found.get(0).getId() + ", national_id = " + found.get(0).getNationalId());
    });
    try {
      sf.inTransaction(s -> s.createSelectionQuery("from Customer c where c.email like '%@example.org'", Customer.class).getResultList());
      out.println("   (unexpected: a like query on an encrypted column ran)");
    } catch (RuntimeException e) {
      out.println("   A like query on the encrypted column is refused rather than silently finding nothing:");
      out.println("   " + rootMessage(e));
    }
  }

  private void step(String title) {
    out.println();
    out.println(title);
  }

  private void printRaw(String sql, String table, String... encryptedColumns) throws SQLException {
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
    byte[] bytes = CiphertextFormat.fromText(ciphertext);
    String keyId = CiphertextFormat.hasV1Shape(bytes) ? "key id " + CiphertextFormat.keyId(bytes) : "not encrypted";
    return ciphertext.substring(0, Math.min(24, ciphertext.length())) + "… (" + ciphertext.length() + " chars, " + keyId + ")";
  }

  private String rawValue(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, user, password); ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private void execute(String sql, String value) throws SQLException {
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

  /** The key usage of every encrypted column of the demo, on one line. */
  private static final class KeyUsageLine {
    static String of(String url, String user, String password) throws SQLException {
      Map<Integer, Long> total = new java.util.TreeMap<>();
      long plaintext = 0;
      try (Connection c = DriverManager.getConnection(url, user, password)) {
        for (String[] column : ENCRYPTED) {
          KeyUsage.Report report = KeyUsage.of(c, column[0], column[1]);
          report.rowsByKeyId().forEach((id, n) -> total.merge(id, n, Long::sum));
          plaintext += report.notEncrypted();
        }
      }
      StringBuilder line = new StringBuilder("values per key id:");
      total.forEach((id, n) -> line.append(" key ").append(id).append(" = ").append(n).append(','));
      return line.append(" not encrypted = ").append(plaintext).toString();
    }
  }
}
