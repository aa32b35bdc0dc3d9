package io.github.fieldcrypt.liquibase;

import io.github.fieldcrypt.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An application entity whose e-mail column the Liquibase changes migrate. */
@Entity
@Table(name = "lbt_customers")
public class Customer {
  @Id
  private Long id;

  @Encrypted
  @Column(length = 255)
  private String email;

  protected Customer() {}

  public Customer(Long id, String email) {
    this.id = id;
    this.email = email;
  }

  public Long getId() {
    return id;
  }

  public String getEmail() {
    return email;
  }
}
