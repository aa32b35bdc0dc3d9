package io.github.fieldcrypt.hibernate;

public enum Status {
  ACTIVE,
  SUSPENDED,
  CLOSED
}
