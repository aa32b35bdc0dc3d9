package io.github.fieldcrypt.keys;

import io.github.fieldcrypt.FieldcryptSettings;
import io.github.fieldcrypt.spi.KeyProvider;
import io.github.fieldcrypt.testing.TestKeys;

/** A custom provider, registered in the test resources' META-INF/services: test keys 5 and 6. */
public final class FixedTestKeyProvider implements KeyProvider {
  @Override
  public String name() {
    return "fixed-test-keys";
  }

  @Override
  public KeyRing load(FieldcryptSettings settings) {
    return KeyRing.builder().add(5, TestKeys.key(5)).add(6, TestKeys.key(6)).build();
  }
}
