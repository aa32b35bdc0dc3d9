package io.github.fieldcrypt.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Records everything the test suite writes — standard output and error, every java.util.logging
 * record (where fieldcrypt's System.Logger and Hibernate's logging end up), the failures of tests
 * and the exceptions tests catch through {@link Failures} — so that {@code LeakCheckTest}, which
 * runs after the suite, can search it for planted plaintexts and key bytes.
 *
 * <p>Registered through ServiceLoader as a JUnit launcher session listener and execution listener.
 * Everything is also appended, as it happens, to a file in the directory named by the system
 * property {@code fieldcrypt.test.capture-dir} (set by the build), one file per JVM, because
 * {@code LeakCheckTest} runs in a later surefire execution. With
 * {@code fieldcrypt.test.capture-reset=true} (the main execution), old captures are deleted first.
 */
public final class LeakCapture implements LauncherSessionListener, TestExecutionListener {
  private static final Object LOCK = new Object();
  private static final ByteArrayOutputStream CAPTURED = new ByteArrayOutputStream();
  private static OutputStream file;
  private static volatile boolean installed;

  /** Everything captured so far in this JVM. */
  public static String captured() {
    synchronized (LOCK) {
      return CAPTURED.toString(StandardCharsets.UTF_8);
    }
  }

  public static boolean isInstalled() {
    return installed;
  }

  /** Adds an exception's full stack trace (every message and cause) to the capture. */
  public static void record(Throwable t) {
    StringWriter text = new StringWriter();
    t.printStackTrace(new PrintWriter(text));
    append(text.toString());
  }

  private static void append(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    append(bytes, 0, bytes.length);
  }

  /** Keeps the bytes in memory and appends them to this JVM's capture file, at once (a JVM may end without notice). */
  private static void append(byte[] bytes, int offset, int length) {
    synchronized (LOCK) {
      CAPTURED.write(bytes, offset, length);
      if (file != null) {
        try {
          file.write(bytes, offset, length);
          file.flush();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot append to the leak capture", e);
        }
      }
    }
  }

  /** The directory captures are written to, or {@code null} when the build did not set one. */
  public static Path captureDirectory() {
    String dir = System.getProperty("fieldcrypt.test.capture-dir");
    return dir == null ? null : Path.of(dir);
  }

  @Override
  public synchronized void launcherSessionOpened(LauncherSession session) {
    if (installed) {
      return;
    }
    installed = true;
    Path dir = captureDirectory();
    if (dir != null && Boolean.getBoolean("fieldcrypt.test.capture-reset")) {
      try (var files = Files.list(dir)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(file);
        }
      } catch (IOException noDirectoryYet) {
        // nothing to reset
      }
    }
    if (dir != null) {
      try {
        Files.createDirectories(dir);
        file = Files.newOutputStream(dir.resolve("capture-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".txt"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the leak capture in " + dir, e);
      }
    }
    retee();
    boolean attached = false;
    for (java.util.logging.Handler h : Logger.getLogger("").getHandlers()) {
      attached |= h instanceof CaptureHandler;
    }
    if (!attached) {
      Logger.getLogger("").addHandler(new CaptureHandler());
    }
  }

  /**
   * A java.util.logging handler that feeds the capture. Named in the tests' logging.properties,
   * so it comes back if a library resets the logging configuration.
   */
  public static final class CaptureHandler extends Handler {
    private final SimpleFormatter formatter = new SimpleFormatter();

    public CaptureHandler() {
      setLevel(Level.ALL);
    }

    @Override
    public void publish(LogRecord record) {
      append(formatter.format(record));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  /** Puts the tee back on System.out and System.err if something replaced them. */
  private static synchronized void retee() {
    if (!(System.out instanceof Tee)) {
      System.setOut(new Tee(System.out));
    }
    if (!(System.err instanceof Tee)) {
      System.setErr(new Tee(System.err));
    }
  }

  @Override
  public void executionStarted(TestIdentifier test) {
    retee();
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    result.getThrowable().ifPresent(LeakCapture::record);
  }

  private static final class Tee extends PrintStream {
    Tee(PrintStream original) {
      super(new OutputStream() {
        @Override
        public void write(int b) {
          original.write(b);
          LeakCapture.append(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          original.write(b, off, len);
          LeakCapture.append(b, off, len);
        }

        @Override
        public void flush() {
          original.flush();
        }
      }, true, StandardCharsets.UTF_8);
    }
  }
}
