package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.Encrypted;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "people")
public class Person {
  @Id
  private Long id;

  @Encrypted
  private String email;

  private String name;

  protected Person() {}

  public Person(Long id, String email, String name) {
    this.id = id;
    this.email = email;
    this.name = name;
  }

  public Long getId() {
    return id;
  }

  public String getEmail() {
    return email;
  }

  public void setEmail(String email) {
    this.email = email;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
