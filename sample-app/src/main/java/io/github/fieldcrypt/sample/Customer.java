package io.github.fieldcrypt.sample;

import io.github.fieldcrypt.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.LocalDate;

/** A tenant's customer: personal data, encrypted field by field. */
@Entity
@Table(name = "customers")
public class Customer {
  @Id
  private Long id;

  @Column(name = "tenant_id")
  private Long tenantId;

  /** Looked up by equality ({@code where c.email = :email}): deterministic. */
  @Encrypted(deterministic = true)
  @Column(length = 200)
  private String email;

  @Encrypted
  @Column(name = "national_id", length = 200)
  private String nationalId;

  @Encrypted
  @Column(name = "birth_date", length = 100)
  private LocalDate birthDate;

  @Encrypted
  @Column(length = 2000)
  private String notes;

  protected Customer() {}

  public Customer(Long id, Long tenantId, String email, String nationalId, LocalDate birthDate, String notes) {
    this.id = id;
    this.tenantId = tenantId;
    this.email = email;
    this.nationalId = nationalId;
    this.birthDate = birthDate;
    this.notes = notes;
  }

  public Long getId() {
    return id;
  }

  public String getEmail() {
    return email;
  }

  public String getNationalId() {
    return nationalId;
  }

  public LocalDate getBirthDate() {
    return birthDate;
  }

  public String getNotes() {
    return notes;
  }
}
