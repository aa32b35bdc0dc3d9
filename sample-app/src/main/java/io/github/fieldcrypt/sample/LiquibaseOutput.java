package io.github.fieldcrypt.sample;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Liquibase prints, passed on line by line as it comes, indented under the sample's own
 * output: the fieldcrypt progress lines ("… 50000 of 100000 rows (50%), 41000 rows/s, ETA 0:01")
 * become a progress bar on a terminal; Liquibase's summary table and its multi-line error report
 * are left out (the sample prints one line per error itself).
 */
final class LiquibaseOutput extends OutputStream {
  private static final Pattern PROGRESS = Pattern.compile("^(.*?): (\\w+Column) (\\d+) of (\\d+) rows \\((\\d+)%\\), (.*)$");

  private final PrintWriter out;
  private final boolean terminal;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private boolean progressShown;

  LiquibaseOutput(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      emit(line.toString(StandardCharsets.UTF_8));
      line.reset();
    } else if (b != '\r') {
      line.write(b);
    }
  }

  @Override
  public synchronized void flush() {
    if (line.size() > 0) {
      emit(line.toString(StandardCharsets.UTF_8));
      line.reset();
    }
    out.flush();
  }

  private void emit(String raw) {
    String text = raw.strip();
    boolean summaryTable = text.startsWith("Run:") || text.startsWith("Previously run:") || text.startsWith("Filtered out:")
        || text.startsWith("---") || text.startsWith("Total change sets:") || text.contains("UPDATE SUMMARY")
        || text.startsWith("Liquibase command") || text.startsWith("ERROR:");
    if (text.isEmpty() || summaryTable) {
      return;
    }
    Matcher progress = PROGRESS.matcher(text);
    if (terminal && progress.matches()) {
      int percent = Integer.parseInt(progress.group(5));
      int filled = Math.min(30, percent * 30 / 100);
      out.print("\r   | " + progress.group(1) + " [" + "#".repeat(filled) + ".".repeat(30 - filled) + "] " + percent + "% "
          + progress.group(6) + "   ");
      out.flush();
      progressShown = true;
      return;
    }
    if (progressShown) {
      out.println();
      progressShown = false;
    }
    out.println("   | " + text);
    out.flush();
  }
}
