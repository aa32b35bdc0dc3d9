package io.github.fieldcrypt.hibernate;

import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.service.spi.ServiceContributor;

/** Registers {@link FieldEncryptorService} with every Hibernate service registry (ServiceLoader). */
public final class FieldcryptServiceContributor implements ServiceContributor {
  @Override
  public void contribute(StandardServiceRegistryBuilder serviceRegistryBuilder) {
    serviceRegistryBuilder.addInitiator(FieldEncryptorService.Initiator.INSTANCE);
  }
}
