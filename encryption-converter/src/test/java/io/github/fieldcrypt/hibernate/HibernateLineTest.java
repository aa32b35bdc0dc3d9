package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import org.hibernate.Version;
import org.junit.jupiter.api.Test;

/**
 * Pins which Hibernate line the suite ran on: 6.6 in encryption-converter, 7.x in the
 * hibernate7-tests module (which sets {@code fieldcrypt.test.hibernate-line=7}), so a build
 * change cannot silently run both on the same version.
 */
class HibernateLineTest {
  @Test
  void runs_on_the_expected_hibernate_line() {
    String expected = System.getProperty("fieldcrypt.test.hibernate-line", "6.6");
    assertThat(Version.getVersionString()).startsWith(expected + ".");
  }
}
