package io.github.fieldcrypt.liquibase;

import liquibase.configuration.AutoloadedConfigurations;
import liquibase.configuration.ConfigurationDefinition;

/**
 * The Liquibase settings of the fieldcrypt changes (keys are {@code fieldcrypt.keys} and
 * {@code fieldcrypt.active-key}, read like the core reads them: see
 * {@link io.github.fieldcrypt.FieldcryptSettings}).
 *
 * <p>Set like any Liquibase setting: a system property, {@code liquibase.properties}, or the
 * environment.
 */
public final class FieldcryptLiquibaseConfiguration implements AutoloadedConfigurations {
  /** Seconds between two progress lines of a running column change; 0 reports after every batch. Default 10. */
  public static final ConfigurationDefinition<Integer> PROGRESS_INTERVAL_SECONDS;

  static {
    ConfigurationDefinition.Builder builder = new ConfigurationDefinition.Builder("fieldcrypt.liquibase");
    PROGRESS_INTERVAL_SECONDS = builder.define("progressIntervalSeconds", Integer.class)
        .setDescription("Seconds between two progress lines (rows done, rows/s, ETA) of encryptColumn, decryptColumn"
            + " and reencryptColumn; 0 reports after every batch")
        .setDefaultValue(10)
        .setValueHandler(value -> {
          int seconds = value == null ? 10 : Integer.parseInt(value.toString().trim());
          if (seconds < 0) {
            throw new IllegalArgumentException("fieldcrypt.liquibase.progressIntervalSeconds cannot be negative");
          }
          return seconds;
        })
        .build();
  }
}
