package io.github.fieldcrypt.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A SoftHSM2 token for the PKCS#11 tests. The library reads its configuration from the
 * {@code SOFTHSM2_CONF} environment variable, which the build sets for the test JVM (a file under
 * target/); this class writes that file and initialises a fresh token in a fresh directory.
 * Without SoftHSM2 installed the tests are skipped, except under {@code CI=true}, where they fail.
 */
public final class SoftHsm {
  public static final String LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";
  public static final String PIN = "1234";
  private static Path sunPkcs11Config;
  private static Path otherConfig;

  private SoftHsm() {}

  /** The SunPKCS11 configuration file of an initialised token (made once per JVM). */
  public static synchronized Path token() throws IOException, InterruptedException {
    initialise();
    return sunPkcs11Config;
  }

  /**
   * A second token of the same SoftHSM2, for tests that must not log in to the first one. PKCS#11
   * keeps a login per process and token, and {@code Pkcs11KeyProviderIT} checks that a wrong PIN
   * is refused, which a token only does before the process's first good login to it.
   */
  public static synchronized Path otherToken() throws IOException, InterruptedException {
    initialise();
    return otherConfig;
  }

  /** Both tokens at once: SoftHSM2 sees only the tokens that exist when the process first uses it. */
  private static void initialise() throws IOException, InterruptedException {
    if (sunPkcs11Config != null) {
      return;
    }
    boolean installed = Files.exists(Path.of(LIBRARY)) && Files.isExecutable(Path.of("/usr/bin/softhsm2-util"));
    String conf = System.getenv("SOFTHSM2_CONF");
    if (!installed || conf == null) {
      String why = !installed ? "SoftHSM2 is not installed (apt-get install softhsm2)" : "SOFTHSM2_CONF is not set (run through Maven)";
      if (TestDatabase.required()) {
        throw new IllegalStateException(why + ", but CI=true requires the PKCS#11 tests");
      }
      Assumptions.abort(why);
    }
    Path confFile = Path.of(conf);
    Path tokens = confFile.getParent().resolve("tokens-" + UUID.randomUUID());
    Files.createDirectories(tokens);
    Files.writeString(confFile, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n",
        StandardCharsets.UTF_8);
    // Initialised tokens move to slots numbered from their serial, listed in that order: select them by slot, not index.
    long first = initialiseToken(confFile, "fieldcrypt-test");
    long other = initialiseToken(confFile, "fieldcrypt-test-2");
    otherConfig = confFile.getParent().resolve("sunpkcs11-other.cfg");
    Files.writeString(otherConfig, "name = SoftHSM-other\nlibrary = " + LIBRARY + "\nslot = " + other + "\n", StandardCharsets.UTF_8);
    Path config = confFile.getParent().resolve("sunpkcs11.cfg");
    Files.writeString(config, "name = SoftHSM\nlibrary = " + LIBRARY + "\nslot = " + first + "\n", StandardCharsets.UTF_8);
    sunPkcs11Config = config;
  }

  /** Initialises a token in the free slot; returns the slot it was moved to. */
  private static long initialiseToken(Path confFile, String label) throws IOException, InterruptedException {
    ProcessBuilder init = new ProcessBuilder("softhsm2-util", "--init-token", "--free", "--label", label,
        "--pin", PIN, "--so-pin", "5678").redirectErrorStream(true);
    init.environment().put("SOFTHSM2_CONF", confFile.toString());
    Process process = init.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    Matcher slot = Pattern.compile("reassigned to slot (\\d+)").matcher(output);
    assertThat(slot.find()).as(output).isTrue();
    return Long.parseLong(slot.group(1));
  }
}
