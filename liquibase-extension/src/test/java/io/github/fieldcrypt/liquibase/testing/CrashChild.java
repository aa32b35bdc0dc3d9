package io.github.fieldcrypt.liquibase.testing;

import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.CompositeResourceAccessor;
import liquibase.resource.DirectoryResourceAccessor;
import java.nio.file.Path;
import java.util.Map;

/**
 * The JVM the crash test kills: runs {@code update} through the {@code CommandScope} API with
 * the keys from the {@code FIELDCRYPT_KEYS} environment variable and Liquibase's console UI on
 * stdout, where the parent reads the progress lines.
 *
 * <p>Arguments: url, user, password, changelog directory, changelog file, changelog table.
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Map<String, Object> scope = Map.of(
        Scope.Attr.resourceAccessor.name(), new CompositeResourceAccessor(
            new DirectoryResourceAccessor(Path.of(args[3])), new ClassLoaderResourceAccessor()),
        "liquibase.databaseChangeLogTableName", args[5],
        "liquibase.databaseChangeLogLockTableName", args[5] + "_LOCK",
        "liquibase.analytics.enabled", false);
    Scope.child(scope, () -> new CommandScope("update")
        .addArgumentValue("url", args[0])
        .addArgumentValue("username", args[1])
        .addArgumentValue("password", args[2])
        .addArgumentValue("changelogFile", args[4])
        .execute());
    System.out.println("CHILD DONE");
  }
}
