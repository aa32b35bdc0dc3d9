package io.github.fieldcrypt.liquibase.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import liquibase.Scope;
import liquibase.changelog.ChangeLogParameters;
import liquibase.command.CommandScope;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.CompositeResourceAccessor;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.ui.ConsoleUIService;

/**
 * Runs Liquibase commands through the {@link CommandScope} API, the way an application embeds
 * Liquibase: one fresh connection per command, changelogs from a directory, the fieldcrypt
 * settings as changelog parameters, and the changelog tables named per test so parallel runs
 * on a shared database never see each other's changesets.
 */
public final class LiquibaseRun {
  private final String url;
  private final String user;
  private final String password;
  private final Path changelogDir;
  private final String changelogTable;
  private final Map<String, String> parameters = new HashMap<>();

  public LiquibaseRun(String url, String user, String password, Path changelogDir, String changelogTable) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.changelogDir = changelogDir;
    this.changelogTable = changelogTable;
  }

  /** Sets a changelog parameter (e.g. {@code fieldcrypt.keys}). */
  public LiquibaseRun parameter(String name, String value) {
    parameters.put(name, value);
    return this;
  }

  public String changelogTable() {
    return changelogTable;
  }

  public String lockTable() {
    return changelogTable + "_LOCK";
  }

  /** {@code update}; returns what Liquibase printed (progress and summary lines included). */
  public String update(String changelog) throws Exception {
    return run("update", changelog, null);
  }

  public String rollbackCount(String changelog, int count) throws Exception {
    return run("rollbackCount", changelog, count);
  }

  /** {@code update-sql}: the SQL Liquibase would run, as text. */
  public String updateSql(String changelog) throws Exception {
    return run("updateSql", changelog, null);
  }

  public String rollbackCountSql(String changelog, int count) throws Exception {
    return run("rollbackCountSql", changelog, count);
  }

  public String releaseLocks() throws Exception {
    return run("releaseLocks", null, null);
  }

  private String run(String command, String changelog, Integer count) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ConsoleUIService ui = new ConsoleUIService();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    ui.setOutputStream(print);
    ui.setErrorStream(print);
    Map<String, Object> scope = new HashMap<>();
    scope.put(Scope.Attr.ui.name(), ui);
    scope.put(Scope.Attr.resourceAccessor.name(), new CompositeResourceAccessor(
        new DirectoryResourceAccessor(changelogDir), new ClassLoaderResourceAccessor()));
    scope.put("liquibase.databaseChangeLogTableName", changelogTable);
    scope.put("liquibase.databaseChangeLogLockTableName", lockTable());
    scope.put("liquibase.analytics.enabled", false);
    scope.put("liquibase.showBanner", false);
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
      cs.setOutput(out);
      cs.execute();
    });
    print.flush();
    return out.toString(StandardCharsets.UTF_8);
  }
}
