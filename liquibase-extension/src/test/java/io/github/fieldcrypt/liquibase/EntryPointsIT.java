package io.github.fieldcrypt.liquibase;

import static io.github.fieldcrypt.liquibase.ColumnChangesIT.assertEncrypted;
import static io.github.fieldcrypt.liquibase.ColumnChangesIT.summary;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.FieldEncryptor;
import io.github.fieldcrypt.liquibase.testing.Fixture;
import io.github.fieldcrypt.liquibase.testing.Fork;
import io.github.fieldcrypt.liquibase.testing.Jars;
import io.github.fieldcrypt.liquibase.testing.Samples;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The changes through Liquibase's own entry points, each in its own JVM with the extension on
 * its classpath: the command line ({@code LiquibaseCommandLine}) and the Liquibase Maven plugin
 * on a small generated project. The {@code CommandScope} API is what every other test uses.
 */
class EntryPointsIT {
  private static final String LIQUIBASE_VERSION = System.getProperty("fieldcrypt.test.liquibase-version", "4.33.0");

  @TempDir
  Path tmp;

  @Test
  void command_line_update_sql_update_and_rollback() throws Exception {
    String url = "jdbc:h2:file:" + tmp.resolve("cli").toAbsolutePath();
    try (Fixture f = new Fixture(TestDatabase.H2, url, Files.createDirectories(tmp.resolve("changelogs")))) {
      Map<Long, String> original = prepare(f);
      String before = f.hash("email");

      String sql = cli(f, "update-sql");
      assertThat(sql).contains("fieldcrypt encryptColumn on " + f.table + ".email is data-dependent");
      assertThat(f.hash("email")).isEqualTo(before);

      assertThat(cli(f, "update")).containsPattern(summary(f, 30, "29 encrypted, 0 already encrypted, 1 null"));
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));

      cli(f, "rollback-count", "--count=1");
      assertThat(f.hash("email")).isEqualTo(before);
    }
  }

  @Test
  void maven_plugin_update_sql_update_and_rollback() throws Exception {
    String url = "jdbc:h2:file:" + tmp.resolve("maven").toAbsolutePath();
    Path project = Files.createDirectories(tmp.resolve("project"));
    try (Fixture f = new Fixture(TestDatabase.H2, url, project)) {
      Map<Long, String> original = prepare(f);
      // the plugin sends no empty password: a user with one, as in real setups
      f.execute("CREATE USER migrator PASSWORD 'migrator-password' ADMIN");
      String before = f.hash("email");
      List<Path> jars = Jars.of(Files.createDirectories(tmp.resolve("jars")), EncryptColumnChange.class, FieldEncryptor.class);
      Files.writeString(project.resolve("pom.xml"), """
          <project xmlns="http://maven.apache.org/POM/4.0.0">
            <modelVersion>4.0.0</modelVersion>
            <groupId>fieldcrypt.test</groupId>
            <artifactId>maven-plugin-check</artifactId>
            <version>1</version>
            <packaging>pom</packaging>
            <build>
              <plugins>
                <plugin>
                  <groupId>org.liquibase</groupId>
                  <artifactId>liquibase-maven-plugin</artifactId>
                  <version>LIQUIBASE_VERSION</version>
                  <configuration>
                    <url>URL</url>
                    <username>migrator</username>
                    <password>migrator-password</password>
                    <changeLogFile>c.xml</changeLogFile>
                    <searchPath>PROJECT</searchPath>
                    <databaseChangeLogTableName>CHANGELOG_TABLE</databaseChangeLogTableName>
                    <databaseChangeLogLockTableName>CHANGELOG_TABLE_LOCK</databaseChangeLogLockTableName>
                    <promptOnNonLocalDatabase>false</promptOnNonLocalDatabase>
                    <expressionVariables>
                      <fieldcrypt.keys>KEYS</fieldcrypt.keys>
                    </expressionVariables>
                  </configuration>
                  <dependencies>
                    <dependency>
                      <groupId>io.github.fieldcrypt</groupId>
                      <artifactId>liquibase-extension</artifactId>
                      <version>0.1.0-SNAPSHOT</version>
                      <scope>system</scope>
                      <systemPath>EXTENSION_JAR</systemPath>
                    </dependency>
                    <dependency>
                      <groupId>io.github.fieldcrypt</groupId>
                      <artifactId>encryption-converter</artifactId>
                      <version>0.1.0-SNAPSHOT</version>
                      <scope>system</scope>
                      <systemPath>CORE_JAR</systemPath>
                    </dependency>
                    <dependency>
                      <groupId>com.h2database</groupId>
                      <artifactId>h2</artifactId>
                      <version>H2_VERSION</version>
                    </dependency>
                  </dependencies>
                </plugin>
              </plugins>
            </build>
          </project>
          """.replace("LIQUIBASE_VERSION", LIQUIBASE_VERSION).replace("URL", url).replace("PROJECT", project.toString())
          .replace("CHANGELOG_TABLE", f.changelogTable()).replace("KEYS", TestKeys.keysSetting(1, 2))
          .replace("EXTENSION_JAR", jars.get(0).toString()).replace("CORE_JAR", jars.get(1).toString())
          .replace("H2_VERSION", org.h2.engine.Constants.VERSION));
      f.xmlChangelog("c.xml", Map.of("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\" batchSize=\"7\"/>"));

      mvn(project, "updateSQL");
      String sql = Files.readString(project.resolve("target/liquibase/migrate.sql"));
      assertThat(sql).contains("fieldcrypt encryptColumn on " + f.table + ".email is data-dependent");
      assertThat(f.hash("email")).isEqualTo(before);

      assertThat(mvn(project, "update")).containsPattern(summary(f, 30, "29 encrypted, 0 already encrypted, 1 null"));
      assertEncrypted(f, original, Fixture.encryptor(1, 2), f.context("email"));

      mvn(project, "rollback", "-Dliquibase.rollbackCount=1");
      assertThat(f.hash("email")).isEqualTo(before);
    }
  }

  private static Map<Long, String> prepare(Fixture f) throws Exception {
    f.createTextTable("email", 255);
    Map<Long, String> original = Samples.textRows(255, 30);
    f.insert("email", original);
    return original;
  }

  /** Runs the Liquibase command line with the keys in FIELDCRYPT_KEYS; returns its output. */
  private static String cli(Fixture f, String command, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("--url=" + f.url, "--username=sa", "--password=",
        "--changelog-file=c.xml", "--search-path=" + f.dir, "--database-changelog-table-name=" + f.changelogTable(),
        "--database-changelog-lock-table-name=" + f.changelogTable() + "_LOCK", "--show-banner=false"));
    args.add(command);
    args.addAll(List.of(more));
    if (!Files.exists(f.dir.resolve("c.xml"))) {
      f.xmlChangelog("c.xml", Map.of("enc", "<fieldcrypt:encryptColumn tableName=\"TABLE\" columnName=\"email\" batchSize=\"7\"/>"));
    }
    return runToSuccess(Fork.java(List.of("-Xmx256m"), "liquibase.integration.commandline.LiquibaseCommandLine", args,
        Map.of("FIELDCRYPT_KEYS", TestKeys.keysSetting(1, 2))));
  }

  /** Runs a goal of the Liquibase Maven plugin on the generated project; offline once the plugin is cached. */
  private static String mvn(Path project, String goal, String... more) throws Exception {
    String home = System.getProperty("fieldcrypt.test.maven-home", System.getenv("MAVEN_HOME"));
    Path mvn = home == null ? Path.of("mvn") : Path.of(home, "bin", "mvn");
    String repo = System.getProperty("fieldcrypt.test.maven-repo", Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
    boolean cached = Files.exists(Path.of(repo, "org", "liquibase", "liquibase-maven-plugin", LIQUIBASE_VERSION,
        "liquibase-maven-plugin-" + LIQUIBASE_VERSION + ".jar"));
    List<String> command = new ArrayList<>(List.of(mvn.toString(), "-B", "-Dmaven.repo.local=" + repo,
        "-Dliquibase.analytics.enabled=false", "-f", project.resolve("pom.xml").toString()));
    if (cached) {
      command.add("-o");
    }
    command.add("org.liquibase:liquibase-maven-plugin:" + LIQUIBASE_VERSION + ":" + goal);
    command.addAll(List.of(more));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(project.toFile());
    pb.environment().put("LIQUIBASE_ANALYTICS_ENABLED", "false");
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    return runToSuccess(pb);
  }

  /** Runs a process to its end; fails with its output unless it exits with 0. */
  private static String runToSuccess(ProcessBuilder pb) throws Exception {
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
