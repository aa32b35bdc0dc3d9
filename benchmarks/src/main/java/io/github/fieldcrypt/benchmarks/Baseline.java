package io.github.fieldcrypt.benchmarks;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the baseline of a benchmark class: {@link Ratios} divides every benchmark named
 * {@code <operation>_<variant>} by the baseline of the same operation and parameters.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Baseline {}
