package io.github.fieldcrypt.sample;

import io.github.fieldcrypt.Encrypted;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A customer of our SaaS, with the third-party API key it gave us: the secret we must protect. */
@Entity
@Table(name = "tenants")
public class Tenant {
  @Id
  private Long id;

  private String name;

  @Encrypted
  @Column(name = "api_key", length = 200)
  private String apiKey;

  protected Tenant() {}

  public Tenant(Long id, String name, String apiKey) {
    this.id = id;
    this.name = name;
    this.apiKey = apiKey;
  }

  public Long getId() {
    return id;
  }

  public String getName() {
    return name;
  }

  public String getApiKey() {
    return apiKey;
  }

  public void setApiKey(String apiKey) {
    this.apiKey = apiKey;
  }
}
