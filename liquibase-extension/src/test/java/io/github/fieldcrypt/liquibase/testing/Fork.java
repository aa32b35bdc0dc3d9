package io.github.fieldcrypt.liquibase.testing;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts another JVM on the test classpath: a crashing Liquibase run, or the Liquibase command line. */
public final class Fork {
  private Fork() {}

  /** The test classpath (Surefire/Failsafe may hide it behind a manifest-only jar). */
  public static String classpath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  public static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** A process running {@code mainClass} with these JVM options and arguments, stderr merged into stdout. */
  public static ProcessBuilder java(List<String> jvmOptions, String mainClass, List<String> args, Map<String, String> env) {
    List<String> command = new ArrayList<>();
    command.add(java().toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classpath());
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put("LIQUIBASE_ANALYTICS_ENABLED", "false");
    return pb;
  }

  static String pathSeparator() {
    return File.pathSeparator;
  }
}
