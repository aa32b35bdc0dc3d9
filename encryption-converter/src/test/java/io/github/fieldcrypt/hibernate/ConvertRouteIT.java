package io.github.fieldcrypt.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.ConfigurationException;
import io.github.fieldcrypt.EncryptedStringConverter;
import io.github.fieldcrypt.EncryptionContext;
import io.github.fieldcrypt.testing.Ciphertexts;
import io.github.fieldcrypt.testing.Hibernate;
import io.github.fieldcrypt.testing.OnEachDatabase;
import io.github.fieldcrypt.testing.Raw;
import io.github.fieldcrypt.testing.TestDatabase;
import io.github.fieldcrypt.testing.TestKeys;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/** The plain JPA route, {@code @Convert(converter = EncryptedStringConverter.class)}. */
class ConvertRouteIT {

  @OnEachDatabase
  void convert_stores_the_same_format_bound_to_the_column(TestDatabase db) throws Exception {
    String url = db.url();
    try (SessionFactory sf = Hibernate.sessionFactory(db, url, TestKeys.settings(1), Token.class, TwoColumns.class)) {
      sf.inTransaction(s -> {
        s.persist(new Token(1L, "ghp_16C7e42F292c6912E7710c838347Ae178B4a"));
        TwoColumns two = new TwoColumns();
        two.id = 1L;
        two.first = "first secret";
        two.second = "second secret";
        s.persist(two);
      });
      assertThat(sf.fromTransaction(s -> s.find(Token.class, 1L)).value).isEqualTo("ghp_16C7e42F292c6912E7710c838347Ae178B4a");
      Ciphertexts.assertTextCiphertext(Raw.read(db, url, "tokens", "token_value", 1), "tokens", "token_value", 1);

      TwoColumns two = sf.fromTransaction(s -> s.find(TwoColumns.class, 1L));
      assertThat(two.first).isEqualTo("first secret");
      assertThat(two.second).isEqualTo("second secret");
      // Explicit contexts from the subclasses, not the physical column names.
      assertThat(Ciphertexts.encryptor(1).decryptText(Raw.readText(db, url, "two_columns", "first_secret", 1), EncryptionContext.of("legacy.first")))
          .isEqualTo("first secret");
      assertThat(Ciphertexts.encryptor(1).decryptText(Raw.readText(db, url, "two_columns", "second_secret", 1), EncryptionContext.of("legacy.second")))
          .isEqualTo("second secret");
    }
  }

  @Test
  void one_context_free_converter_on_two_columns_fails_at_bootstrap() {
    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() ->
        Hibernate.sessionFactory(TestDatabase.H2, TestDatabase.H2.url(), TestKeys.settings(1), Shared.class).close());
    assertThat(failure).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("EncryptedStringConverter is shared by the columns")
        .hasMessageContaining("shared.a").hasMessageContaining("shared.b");
  }

  @Entity(name = "Token")
  @Table(name = "tokens")
  public static class Token {
    @Id Long id;

    @Convert(converter = EncryptedStringConverter.class)
    @jakarta.persistence.Column(name = "token_value")
    String value;

    public Token() {}

    Token(Long id, String value) {
      this.id = id;
      this.value = value;
    }
  }

  public static class FirstConverter extends EncryptedStringConverter {
    public FirstConverter() {
      super("legacy.first");
    }
  }

  public static class SecondConverter extends EncryptedStringConverter {
    public SecondConverter() {
      super("Legacy.Second");
    }
  }

  @Entity(name = "TwoColumns")
  @Table(name = "two_columns")
  public static class TwoColumns {
    @Id Long id;
    @Convert(converter = FirstConverter.class) @jakarta.persistence.Column(name = "first_secret") String first;
    @Convert(converter = SecondConverter.class) @jakarta.persistence.Column(name = "second_secret") String second;
  }

  @Entity(name = "Shared")
  @Table(name = "shared")
  public static class Shared {
    @Id Long id;
    @Convert(converter = EncryptedStringConverter.class) String a;
    @Convert(converter = EncryptedStringConverter.class) String b;
  }
}
