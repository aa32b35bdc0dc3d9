package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.Encrypted;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.testing.Ciphertexts;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.SecondaryTable;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/**
 * The context is the physical {@code "<table>.<column>"}, lower case, after the naming strategy;
 * an explicit context overrides it; embeddables and secondary tables use the table that holds
 * the column.
 */
class ContextIT {

  @OnEachDatabase
  void context_follows_the_physical_naming_strategy(TestDatabase db) throws Exception {
    String url = db.url();
    Map<String, Object> settings = new HashMap<>(TestKeys.settings(1));
    settings.put("hibernate.physical_naming_strategy", "org.hibernate.boot.model.naming.CamelCaseToUnderscoresNamingStrategy");
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, settings, CustomerAccount.class)) {
      CustomerAccount account = new CustomerAccount();
      account.id = 1L;
      account.emailAddress = "carol@example.com";
      account.renamedColumn = "written before the rename";
      account.homeAddress = new HomeAddress();
      account.homeAddress.streetLine = "1 Infinite Loop";
      account.taxNumber = "DE123456789";
      sf.inTransaction(s -> s.persist(account));

      CustomerAccount read = sf.fromTransaction(s -> s.find(CustomerAccount.class, 1L));
      assertThat(read.emailAddress).isEqualTo("carol@example.com");
      assertThat(read.homeAddress.streetLine).isEqualTo("1 Infinite Loop");
      assertThat(read.taxNumber).isEqualTo("DE123456789");
      assertThat(read.renamedColumn).isEqualTo("written before the rename");

      assertDecrypts(db, url, "customer_account", "email_address", "customer_account.email_address", "carol@example.com");
      assertDecrypts(db, url, "customer_account", "street_line", "customer_account.street_line", "1 Infinite Loop");
      assertDecrypts(db, url, "account_tax", "tax_number", "account_tax.tax_number", "DE123456789");
      assertDecrypts(db, url, "customer_account", "Mail_Renamed", "old_accounts.mail", "written before the rename");
    }
  }

  private static void assertDecrypts(TestDatabase db, String url, String table, String column, String context, String expected)
      throws Exception {
    Object raw = Raw.read(db, url, table, column, 1);
    assertThat(Ciphertexts.encryptor(1).decryptText((String) raw, EncryptionContext.of(context))).isEqualTo(expected);
  }

  @OnEachDatabase
  void inherited_attributes_are_bound_to_each_entitys_table(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), Supplier.class, Partner.class)) {
      sf.inTransaction(s -> {
        Supplier supplier = new Supplier();
        supplier.id = 1L;
        supplier.iban = "DE89370400440532013000";
        Partner partner = new Partner();
        partner.id = 1L;
        partner.iban = "GB29NWBK60161331926819";
        s.persist(supplier);
        s.persist(partner);
      });
      assertThat(sf.fromTransaction(s -> s.find(Supplier.class, 1L)).iban).isEqualTo("DE89370400440532013000");
      assertThat(sf.fromTransaction(s -> s.find(Partner.class, 1L)).iban).isEqualTo("GB29NWBK60161331926819");
      assertDecrypts(db, url, "suppliers", "iban", "suppliers.iban", "DE89370400440532013000");
      assertDecrypts(db, url, "partners", "iban", "partners.iban", "GB29NWBK60161331926819");
    }
  }

  @Test
  void element_collections_are_refused_at_bootstrap() {
    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() ->
        Hibernate.sessionFactory(TestDatabase.H2, TestDatabase.H2.url(), TestKeys.settings(1), WithCollection.class).close());
    Throwable cause = failure;
    while (cause != null && !(cause instanceof io.github.fieldcrypt.ConfigurationException)) {
      cause = cause.getCause();
    }
    assertThat(cause).isNotNull().hasMessageContaining("WithCollection.phones").hasMessageContaining("only basic attributes");
  }

  @MappedSuperclass
  public abstract static class BankDetails {
    @Id Long id;
    @Encrypted String iban;
  }

  @Entity(name = "Supplier")
  @jakarta.persistence.Table(name = "suppliers")
  public static class Supplier extends BankDetails {}

  @Entity(name = "Partner")
  @jakarta.persistence.Table(name = "partners")
  public static class Partner extends BankDetails {}

  @Entity(name = "WithCollection")
  public static class WithCollection {
    @Id Long id;
    @Encrypted @ElementCollection java.util.List<String> phones;
  }

  @Embeddable
  public static class HomeAddress {
    @Encrypted String streetLine;
  }

  @Entity(name = "CustomerAccount")
  @SecondaryTable(name = "AccountTax")
  public static class CustomerAccount {
    @Id Long id;
    @Encrypted String emailAddress;
    @Embedded HomeAddress homeAddress;
    @Encrypted @Column(table = "AccountTax") String taxNumber;
    @Encrypted(context = "Old_Accounts.Mail") @Column(name = "Mail_Renamed") String renamedColumn;
  }
}
