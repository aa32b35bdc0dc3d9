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
import jakarta.persistence.Embeddable;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.SecondaryTable;
import java.util.HashMap;
import java.util.Map;
import org.hibernate.SessionFactory;

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
