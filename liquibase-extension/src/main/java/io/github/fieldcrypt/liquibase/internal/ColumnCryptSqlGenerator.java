package io.github.fieldcrypt.liquibase.internal;

import liquibase.database.Database;
import liquibase.exception.ValidationErrors;
import liquibase.sql.SingleLineComment;
import liquibase.sql.Sql;
import liquibase.sqlgenerator.SqlGeneratorChain;
import liquibase.sqlgenerator.core.AbstractSqlGenerator;

/**
 * The SQL generator Liquibase requires for {@link ColumnCryptStatement}: in {@code update-sql}
 * and {@code rollback-sql} it prints one comment saying the change is data-dependent, and
 * nothing else. When Liquibase really executes, the statement runs itself and this generator
 * is not used. Without it, validation would report the change as unsupported on every database.
 */
public final class ColumnCryptSqlGenerator extends AbstractSqlGenerator<ColumnCryptStatement> {

  @Override
  public ValidationErrors validate(ColumnCryptStatement statement, Database database,
      SqlGeneratorChain<ColumnCryptStatement> chain) {
    return new ValidationErrors();
  }

  @Override
  public Sql[] generateSql(ColumnCryptStatement statement, Database database, SqlGeneratorChain<ColumnCryptStatement> chain) {
    return new Sql[] {new SingleLineComment(statement.sqlOutputComment(), database.getLineComment())};
  }
}
