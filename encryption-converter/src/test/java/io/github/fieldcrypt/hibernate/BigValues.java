package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Encrypted attributes sized for values up to 1 MiB. */
@Entity
@Table(name = "big_values")
public class BigValues {
  @Id
  public Long id;

  @Encrypted
  @Column(name = "text_value", length = 2_000_000)
  public String text;

  @Encrypted
  @Column(name = "bytes_value", length = 2_000_000)
  public byte[] bytes;

  public BigValues() {}

  public BigValues(Long id, String text, byte[] bytes) {
    this.id = id;
    this.text = text;
    this.bytes = bytes;
  }
}
