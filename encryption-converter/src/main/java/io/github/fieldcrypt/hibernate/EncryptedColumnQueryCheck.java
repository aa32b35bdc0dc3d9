package io.github.fieldcrypt.hibernate;

import io.github.fieldcrypt.UnsupportedQueryException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * Stops SQL that cannot work on encrypted columns before it reaches the database, instead of
 * letting it return 0 rows (or wrong rows) silently: {@code like}, ranges ({@code <}, {@code >},
 * {@code between}), SQL functions such as {@code upper(...)}, and {@code order by} on any
 * encrypted column; equality ({@code =}, {@code <>}, {@code in}) on a randomized one (only
 * deterministic columns can be compared).
 *
 * <p>Installed by {@link FieldcryptIntegrator} as a {@link StatementInspector} in front of the
 * application's own (which still runs). It reads the SQL Hibernate generates (HQL, Criteria and
 * native queries alike): a column is recognised when it is qualified by the alias of its table
 * ({@code m1_0.email}, as Hibernate writes it) or when the statement has a single table. It is a
 * guard, not a parser: an unusual form may pass, but what it flags is always a mistake.
 * {@code fieldcrypt.query-check} = {@code fail} (default), {@code warn} or {@code off}.
 */
final class EncryptedColumnQueryCheck implements StatementInspector {
  private static final long serialVersionUID = 1L;
  private static final System.Logger LOG = System.getLogger("io.github.fieldcrypt");
  private static final Pattern TABLE_AND_ALIAS =
      Pattern.compile("\\b(?:from|join|update)\\s+([\\w.\"`\\[\\]]+)(?:\\s+(?:as\\s+)?(?!where\\b|set\\b|on\\b|join\\b|inner\\b|left\\b|right\\b|cross\\b|full\\b|order\\b|group\\b)(\\w+))?");
  private static final Pattern AFTER_RANGE =
      Pattern.compile("^\\s*(?:not\\s+)?(?:like|ilike|between)\\b|^\\s*(?:<=|>=|<(?!>)|>)");
  private static final Pattern AFTER_EQUALITY = Pattern.compile("^\\s*(?:=|<>|!=|(?:not\\s+)?in\\s*\\()");
  private static final Pattern FUNCTION_BEFORE = Pattern.compile("(\\w+)\\s*\\(\\s*$");
  /** Words that precede "(" without being a function over the column (count(x) is harmless). */
  private static final java.util.Set<String> NOT_FUNCTIONS = java.util.Set.of("count", "in", "where", "and", "or", "not", "on",
      "select", "exists", "values", "having", "when", "then", "else", "case", "set", "by", "from", "join", "distinct");

  /** What is encrypted: physical table and column (lower case), for messages the attribute. */
  record Column(String table, String column, String attribute, boolean deterministic) {}

  /** What to do with a query that cannot work. */
  enum Action {
    FAIL, WARN, OFF;

    static Action parse(String text) {
      if (text == null || text.isBlank()) {
        return FAIL;
      }
      return switch (text.trim().toLowerCase(Locale.ROOT)) {
        case "fail" -> FAIL;
        case "warn" -> WARN;
        case "off" -> OFF;
        default -> throw new io.github.fieldcrypt.ConfigurationException(SETTING,
            "Invalid " + SETTING + ": expected fail, warn or off");
      };
    }
  }

  static final String SETTING = "fieldcrypt.query-check";

  private final Map<String, Map<String, Column>> byTable = new HashMap<>();
  private final Map<String, Column> byColumnName = new HashMap<>();
  private final String[] columnNames;
  private final Action action;
  private final StatementInspector next;

  EncryptedColumnQueryCheck(List<Column> columns, Action action, StatementInspector next) {
    for (Column c : columns) {
      byTable.computeIfAbsent(c.table(), t -> new HashMap<>()).put(c.column(), c);
      byColumnName.putIfAbsent(c.column(), c);
    }
    this.columnNames = byColumnName.keySet().toArray(String[]::new);
    this.action = action;
    this.next = next;
  }

  @Override
  public String inspect(String sql) {
    String inspected = next == null ? sql : next.inspect(sql);
    if (inspected != null && action != Action.OFF) {
      String problem = problem(inspected);
      if (problem != null) {
        if (action == Action.FAIL) {
          throw new UnsupportedQueryException(problem);
        }
        LOG.log(System.Logger.Level.WARNING, problem);
      }
    }
    return inspected;
  }

  /** The reason this SQL cannot work on an encrypted column, or {@code null}. */
  String problem(String sql) {
    String lower = sql.toLowerCase(Locale.ROOT);
    boolean mentions = false;
    for (String name : columnNames) {
      if (lower.contains(name)) {
        mentions = true;
        break;
      }
    }
    if (!mentions) {
      return null;
    }
    String head = lower.stripLeading();
    boolean update = head.startsWith("update");
    if (!(head.startsWith("select") || head.startsWith("with") || update || head.startsWith("delete"))) {
      return null; // inserts and DDL compare nothing
    }
    Map<String, String> aliases = new HashMap<>();
    String singleTable = null;
    int tables = 0;
    Matcher m = TABLE_AND_ALIAS.matcher(lower);
    while (m.find()) {
      String table = unquote(m.group(1));
      tables++;
      singleTable = table;
      if (m.group(2) != null) {
        aliases.put(m.group(2), table);
      }
      aliases.put(table, table);
    }
    int setStart = update ? lower.indexOf(" set ") : -1;
    int setEnd = setStart < 0 ? -1 : whereOrEnd(lower, setStart);
    int orderBy = lower.lastIndexOf("order by");
    for (int i = 0; i < lower.length(); i++) {
      if (!Character.isLetter(lower.charAt(i)) && lower.charAt(i) != '_') {
        continue;
      }
      int end = i;
      while (end < lower.length() && (Character.isLetterOrDigit(lower.charAt(end)) || lower.charAt(end) == '_')) {
        end++;
      }
      String word = lower.substring(i, end);
      Column column = null;
      int reference = i;
      if (i > 0 && lower.charAt(i - 1) == '.') {
        int q = i - 1;
        int start = q;
        while (start > 0 && (Character.isLetterOrDigit(lower.charAt(start - 1)) || lower.charAt(start - 1) == '_')) {
          start--;
        }
        String table = aliases.get(lower.substring(start, q));
        reference = start;
        Map<String, Column> columns = table == null ? null : byTable.get(table);
        column = columns == null ? null : columns.get(word);
      } else if (tables == 1 && byColumnName.containsKey(word) && byTable.containsKey(singleTable)) {
        column = byTable.get(singleTable).get(word);
      }
      if (column != null && !(i > setStart && i < setEnd)) {
        String found = check(lower, reference, end, column, orderBy);
        if (found != null) {
          return found;
        }
      }
      i = end;
    }
    return null;
  }

  private static String check(String sql, int start, int end, Column column, int orderBy) {
    String after = sql.substring(end, Math.min(sql.length(), end + 24));
    String where = column.attribute() + " (column " + column.table() + "." + column.column() + ")";
    if (AFTER_RANGE.matcher(after).find()) {
      return "Query on encrypted " + where + " uses like or a range comparison, which cannot match ciphertext;"
          + " compare whole values with = (deterministic columns) or filter after loading";
    }
    Matcher function = FUNCTION_BEFORE.matcher(sql.substring(Math.max(0, start - 40), start));
    if (function.find() && !NOT_FUNCTIONS.contains(function.group(1))) {
      return "Query on encrypted " + where + " applies the SQL function " + function.group(1)
          + "(...) to ciphertext; apply it in Java after loading (or use @Encrypted(deterministic = true, ignoreCase = true)"
          + " for case-insensitive lookups)";
    }
    if (orderBy >= 0 && start > orderBy && !sql.substring(orderBy, start).contains(")")) {
      return "Query on encrypted " + where + " orders by ciphertext, which gives a random order; sort in Java after loading";
    }
    if (!column.deterministic() && AFTER_EQUALITY.matcher(after).find()) {
      return "Query on encrypted " + where + " compares values, but the column is randomized (every write gives another"
          + " ciphertext), so it can never match; use @Encrypted(deterministic = true) for columns you look up";
    }
    return null;
  }

  private static int whereOrEnd(String sql, int from) {
    int where = sql.indexOf(" where ", from);
    return where < 0 ? sql.length() : where;
  }

  private static String unquote(String name) {
    String n = name.replace("\"", "").replace("`", "").replace("[", "").replace("]", "");
    int dot = n.lastIndexOf('.');
    return dot < 0 ? n : n.substring(dot + 1);
  }
}
