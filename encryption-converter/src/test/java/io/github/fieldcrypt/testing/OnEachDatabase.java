package io.github.fieldcrypt.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs a test once per {@link TestDatabase#available() available database}: H2 always,
 * PostgreSQL and MariaDB when reachable (and required under {@code CI=true}).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@MethodSource("io.github.fieldcrypt.testing.TestDatabase#available")
public @interface OnEachDatabase {}
