package io.github.fieldcrypt.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import liquibase.Scope;
import liquibase.change.Change;
import liquibase.change.ChangeFactory;
import liquibase.database.core.H2Database;
import liquibase.sqlgenerator.SqlGeneratorFactory;
import org.junit.jupiter.api.Test;

/** How the changes present themselves to Liquibase: registration, checksum, rollback, namespace. */
class ChangeDefinitionTest {

  @Test
  void the_three_changes_are_registered_by_name() {
    ChangeFactory factory = Scope.getCurrentScope().getSingleton(ChangeFactory.class);
    assertThat(factory.create("encryptColumn")).isInstanceOf(EncryptColumnChange.class);
    assertThat(factory.create("decryptColumn")).isInstanceOf(DecryptColumnChange.class);
    assertThat(factory.create("reencryptColumn")).isInstanceOf(ReencryptColumnChange.class);
  }

  @Test
  void the_sql_generator_is_registered_so_the_change_is_supported() {
    EncryptColumnChange change = change(new EncryptColumnChange(), 10);
    H2Database h2 = new H2Database();
    assertThat(change.supports(h2)).isTrue();
    assertThat(SqlGeneratorFactory.getInstance().generateSql(change.generateStatements(h2), h2)[0].toSql())
        .isEqualTo("-- fieldcrypt encryptColumn on users.email is data-dependent and cannot be rendered as SQL: it reads,"
            + " encrypts and rewrites each row. Nothing here changes data; run update/rollback against the database to apply it.");
  }

  @Test
  void batch_size_is_not_part_of_the_checksum_but_the_column_is() {
    assertThat(change(new EncryptColumnChange(), 10).generateCheckSum())
        .isEqualTo(change(new EncryptColumnChange(), 5000).generateCheckSum());
    EncryptColumnChange other = change(new EncryptColumnChange(), 10);
    other.setColumnName("phone");
    assertThat(other.generateCheckSum()).isNotEqualTo(change(new EncryptColumnChange(), 10).generateCheckSum());
    assertThat(change(new DecryptColumnChange(), 10).generateCheckSum())
        .isNotEqualTo(change(new EncryptColumnChange(), 10).generateCheckSum());
  }

  @Test
  void rollback_of_encrypt_is_decrypt_and_back_and_reencrypt_rolls_back_to_nothing() {
    H2Database h2 = new H2Database();
    EncryptColumnChange encrypt = change(new EncryptColumnChange(), 10);
    encrypt.setContext("Vault.Secret");
    Change[] inverse = encrypt.createInverses();
    assertThat(inverse).singleElement().isInstanceOf(DecryptColumnChange.class);
    DecryptColumnChange decrypt = (DecryptColumnChange) inverse[0];
    assertThat(decrypt.getTableName()).isEqualTo("users");
    assertThat(decrypt.getColumnName()).isEqualTo("email");
    assertThat(decrypt.getBatchSize()).isEqualTo(10);
    assertThat(decrypt.getContext()).isEqualTo("Vault.Secret");
    assertThat(change(new DecryptColumnChange(), 10).createInverses()).singleElement().isInstanceOf(EncryptColumnChange.class);
    ReencryptColumnChange reencrypt = change(new ReencryptColumnChange(), 10);
    assertThat(reencrypt.supportsRollback(h2)).isTrue();
    assertThat(reencrypt.createInverses()).isEmpty();
  }

  @Test
  void serialized_in_the_fieldcrypt_namespace() {
    assertThat(new EncryptColumnChange().getSerializedObjectNamespace()).isEqualTo("http://fieldcrypt.github.io/xml/ns/liquibase");
    assertThat(EncryptColumnChange.class.getClassLoader()
        .getResource("fieldcrypt.github.io/xml/ns/liquibase/fieldcrypt-liquibase-1.0.xsd")).isNotNull();
  }

  @Test
  void runs_on_the_liquibase_version_the_build_selected() {
    // liquibase-extension runs these tests on 4.33.x, liquibase5-tests on 5.0.x
    String expected = System.getProperty("fieldcrypt.test.liquibase-version");
    if (expected != null) {
      assertThat(liquibase.util.LiquibaseUtil.getBuildVersion()).isEqualTo(expected);
    }
  }

  private static <T extends AbstractColumnCryptChange> T change(T change, int batchSize) {
    change.setTableName("users");
    change.setColumnName("email");
    change.setBatchSize(batchSize);
    return change;
  }
}
