package io.github.fieldcrypt.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fieldcrypt.liquibase.internal.ColumnMigration;
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
  void checksums_of_changesets_written_before_source_format_existed_stay_the_same() {
    // pinned before sourceFormat/targetFormat were added: an unset format is no part of the checksum
    assertThat(change(new EncryptColumnChange(), 10).generateCheckSum().toString())
        .isEqualTo("9:a6f008f971250a3d664d5725d22e5816");
    DecryptColumnChange decrypt = new DecryptColumnChange();
    decrypt.setTableName("users");
    decrypt.setColumnName("email");
    assertThat(decrypt.generateCheckSum().toString()).isEqualTo("9:d8fcc0bf1752b2a95b1f3d974cc393ca");
  }

  @Test
  void source_and_target_format_are_part_of_the_checksum_and_of_the_inverse() {
    EncryptColumnChange fernet = change(new EncryptColumnChange(), 10);
    fernet.setSourceFormat("fernet");
    assertThat(fernet.generateCheckSum()).isNotEqualTo(change(new EncryptColumnChange(), 10).generateCheckSum());
    Change[] inverse = fernet.createInverses();
    assertThat(inverse).singleElement().isInstanceOf(DecryptColumnChange.class);
    assertThat(((DecryptColumnChange) inverse[0]).getTargetFormat()).isEqualTo("fernet");
    DecryptColumnChange toFernet = change(new DecryptColumnChange(), 10);
    toFernet.setTargetFormat("fernet");
    assertThat(toFernet.generateCheckSum()).isNotEqualTo(change(new DecryptColumnChange(), 10).generateCheckSum());
    assertThat(((EncryptColumnChange) toFernet.createInverses()[0]).getSourceFormat()).isEqualTo("fernet");
    assertThat(((DecryptColumnChange) change(new EncryptColumnChange(), 10).createInverses()[0]).getTargetFormat()).isNull();
    // the properties Liquibase sees (YAML/JSON keys): sourceFormat on encryptColumn only, targetFormat on decryptColumn only
    ChangeFactory factory = Scope.getCurrentScope().getSingleton(ChangeFactory.class);
    assertThat(factory.getChangeMetaData("encryptColumn").getParameters()).containsKey("sourceFormat").doesNotContainKey("targetFormat");
    assertThat(factory.getChangeMetaData("decryptColumn").getParameters()).containsKey("targetFormat").doesNotContainKey("sourceFormat");
    assertThat(factory.getChangeMetaData("reencryptColumn").getParameters()).doesNotContainKeys("sourceFormat", "targetFormat");
  }

  @Test
  void a_source_format_other_than_plaintext_or_fernet_fails_validation() {
    EncryptColumnChange change = change(new EncryptColumnChange(), 10);
    change.setSourceFormat("Fernet-ish");
    assertThat(validate(change, ColumnMigration.Operation.ENCRYPT))
        .containsExactly("encryptColumn on users.email: sourceFormat must be \"plaintext\" (the default) or \"fernet\", was \"Fernet-ish\"");
    change.setSourceFormat("plaintext");
    assertThat(validate(change, ColumnMigration.Operation.ENCRYPT)).isEmpty();
    change.setSourceFormat("fernet");
    assertThat(validate(change, ColumnMigration.Operation.ENCRYPT)).isEmpty();
    DecryptColumnChange decrypt = change(new DecryptColumnChange(), 10);
    decrypt.setTargetFormat("base64");
    assertThat(validate(decrypt, ColumnMigration.Operation.DECRYPT)).singleElement().asString()
        .isEqualTo("decryptColumn on users.email: targetFormat must be \"plaintext\" (the default) or \"fernet\", was \"base64\"");
  }

  /** The attribute checks alone (no database: the keys are checked by the Liquibase runs of ColumnChangesIT). */
  private static java.util.List<String> validate(AbstractColumnCryptChange change, ColumnMigration.Operation operation) {
    return change.attributes().validate(new liquibase.exception.ValidationErrors(), operation, null, null).getErrorMessages();
  }

  @Test
  void sql_output_says_what_a_fernet_change_does() {
    H2Database h2 = new H2Database();
    EncryptColumnChange change = change(new EncryptColumnChange(), 10);
    change.setSourceFormat("fernet");
    assertThat(SqlGeneratorFactory.getInstance().generateSql(change.generateStatements(h2), h2)[0].toSql())
        .isEqualTo("-- fieldcrypt encryptColumn on users.email is data-dependent and cannot be rendered as SQL: it reads,"
            + " decrypts the Fernet token, encrypts and rewrites each row. Nothing here changes data; run update/rollback"
            + " against the database to apply it.");
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
