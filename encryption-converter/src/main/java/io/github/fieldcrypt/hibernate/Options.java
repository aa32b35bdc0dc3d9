package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.Encrypted;

/**
 * What {@link Encrypted @Encrypted} asks of one attribute's converter.
 *
 * @param context the explicit context, or {@code null}/blank for the column's own
 * @param deterministic equal plaintexts give equal ciphertexts (equality queries)
 * @param ignoreCase the case-folded string is what is stored and looked up
 */
record Options(String context, boolean deterministic, boolean ignoreCase) {
  static final Options RANDOMIZED = new Options(null, false, false);

  static Options of(Encrypted annotation) {
    return new Options(annotation.context(), annotation.deterministic(), annotation.ignoreCase());
  }
}
