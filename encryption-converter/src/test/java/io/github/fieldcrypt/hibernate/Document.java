package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.Encrypted;
import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** A cacheable entity with a text and a binary encrypted attribute. */
@Entity
@Table(name = "documents")
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Document {
  @Id
  public Long id;

  @Encrypted
  public String title;

  @Encrypted
  @Column(length = 1000)
  public byte[] body;

  @Encrypted
  public Integer pages;

  public String owner;

  public Document() {}

  public Document(Long id, String title, byte[] body, Integer pages, String owner) {
    this.id = id;
    this.title = title;
    this.body = body;
    this.pages = pages;
    this.owner = owner;
  }
}
