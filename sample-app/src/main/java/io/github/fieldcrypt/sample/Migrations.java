package io.github.fieldcrypt.sample;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import liquibase.Scope;
import liquibase.changelog.ChangeLogParameters;
import liquibase.command.CommandScope;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.ConsoleUIService;

/**
 * Runs the sample's Liquibase changelogs (in {@code db/} on the classpath) through Liquibase's
 * {@link CommandScope} API, as an application or a DBA's tooling embeds it, with the fieldcrypt
 * keys as changelog parameters. What Liquibase prints (progress lines included) goes to the
 * output given, as it is printed.
 */
final class Migrations {
  private final String url;
  private final String user;
  private final String password;
  private final Map<String, String> parameters;
  private final OutputStream output;

  /** @param output receives what Liquibase prints, as it prints it */
  Migrations(String url, String user, String password, Map<String, String> parameters, OutputStream output) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.parameters = parameters;
    this.output = output;
  }

  void update(String changelog) throws Exception {
    run("update", changelog, null);
  }

  void rollbackCount(String changelog, int count) throws Exception {
    run("rollbackCount", changelog, count);
  }

  /** The demo's own changelog tables, so it never touches another application's. */
  static final String CHANGELOG_TABLE = "FIELDCRYPT_DEMO_CHANGELOG";

  private void run(String command, String changelog, Integer count) throws Exception {
    PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8);
    ConsoleUIService ui = new ConsoleUIService();
    ui.setOutputStream(print);
    ui.setErrorStream(print);
    Map<String, Object> scope = new HashMap<>();
    scope.put(Scope.Attr.ui.name(), ui);
    scope.put(Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor(Migrations.class.getClassLoader()));
    scope.put("liquibase.analytics.enabled", false);
    scope.put("liquibase.showBanner", false);
    scope.put("fieldcrypt.liquibase.progressIntervalSeconds", 1);
    scope.put("liquibase.databaseChangeLogTableName", CHANGELOG_TABLE);
    scope.put("liquibase.databaseChangeLogLockTableName", CHANGELOG_TABLE + "_LOCK");
    Scope.child(scope, () -> {
      CommandScope cs = new CommandScope(command)
          .addArgumentValue("url", url)
          .addArgumentValue("username", user)
          .addArgumentValue("password", password);
      if (changelog != null) {
        ChangeLogParameters params = new ChangeLogParameters();
        parameters.forEach(params::set);
        cs.addArgumentValue("changelogFile", changelog).addArgumentValue("changelogParameters", params);
      }
      if (count != null) {
        cs.addArgumentValue("count", count);
      }
      cs.setOutput(print);
      cs.execute();
    });
    print.flush();
  }
}
