/**
 * CockroachDB's AS OF SYSTEM TIME, taken out of the text before PostgreSQL's grammar sees it
 * (sql/parser/as-of-clause.ts) and carried on the statement: found only as the four words
 * outside strings, quoted identifiers and comments; its expression ends where the FROM clause or
 * the transaction modes go on; top level only, once per statement; the text and error positions
 * stay the user's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, parse, SqlSyntaxError } from '../../../sql/parser/index.js';
import type { Begin, Expr, QueryStatement, Select, SetTransaction, Statement } from '../../../sql/parser/index.js';

beforeAll(async () => {
  await loadParser();
});

const one = (sql: string): Statement => {
  const statements = parse(sql);
  expect(statements).toHaveLength(1);
  return statements[0]!;
};

/** The clause's expression, as a short string. */
function show(expr: Expr | undefined): string {
  if (expr === undefined) return 'none';
  switch (expr.kind) {
    case 'Literal':
      return expr.value.type === 'string' ? `'${expr.value.value}'` : expr.value.type === 'integer' ? expr.value.digits : expr.value.type === 'numeric' ? expr.value.text : expr.value.type;
    case 'TypedLiteral':
      return `${expr.type.names.at(-1)} '${expr.value}'`;
    case 'FuncCall':
      return `${expr.name.join('.')}(${expr.args.map(show).join(', ')})`;
    case 'UnaryOp':
      return `${expr.operator}${show(expr.operand)}`;
    case 'Cast':
      return `${show(expr.arg)}::${expr.type.names.at(-1)}`;
    default:
      return expr.kind;
  }
}

function syntaxError(sql: string): { message: string; position: number | null } {
  try {
    parse(sql);
  } catch (error) {
    expect(error).toBeInstanceOf(SqlSyntaxError);
    return { message: (error as SqlSyntaxError).message, position: (error as SqlSyntaxError).position };
  }
  return expect.unreachable(`parsed: ${sql}`);
}

describe('AS OF SYSTEM TIME on a SELECT', () => {
  it('carries the expression and keeps the rest of the query and its text', () => {
    const statement = one("SELECT k, v FROM kv AS OF SYSTEM TIME '-1us' WHERE k > 1 ORDER BY k") as QueryStatement;
    expect(show(statement.asOf?.expr)).toBe("'-1us'");
    expect(statement.asOf?.location).toBe(20);
    const select = statement.query as Select;
    expect(select.from).toHaveLength(1);
    expect(select.where?.kind).toBe('BinaryOp');
    expect(select.orderBy).toHaveLength(1);
    expect(statement.text).toBe("SELECT k, v FROM kv AS OF SYSTEM TIME '-1us' WHERE k > 1 ORDER BY k");
  });

  it('reads every documented form of the expression', () => {
    const forms: [string, string][] = [
      ["'-10s'", "'-10s'"],
      ["INTERVAL '-1us'", "interval '-1us'"],
      ["'2016-01-01 08:00:00'", "'2016-01-01 08:00:00'"],
      ['1451635200000000000', '1451635200000000000'],
      ['1700000000000000000.0000000001', '1700000000000000000.0000000001'],
      ['follower_read_timestamp()', 'follower_read_timestamp()'],
      ["with_max_staleness('10s')", "with_max_staleness('10s')"],
      ["-'1s'::interval", "-'1s'::interval"],
      ["-( ('1000' || 'us')::INTERVAL )", '-BinaryOp::interval'],
    ];
    for (const [text, expected] of forms) {
      expect(show(one(`SELECT * FROM t AS OF SYSTEM TIME ${text} LIMIT 1`).asOf?.expr), text).toBe(expected);
    }
  });

  it('ends the expression at the next clause, in any case, across comments and newlines', () => {
    const statement = one("select * from a join b on a.x = b.x as  /* c */ of\nSYSTEM -- d\n time '-1s' group by 1 having true limit 3") as QueryStatement;
    expect(show(statement.asOf?.expr)).toBe("'-1s'");
    const select = statement.query as Select;
    expect(select.groupBy).toHaveLength(1);
    expect(select.having).not.toBeNull();
  });

  it('stands after a subquery in FROM (the clause is the outer query’s)', () => {
    const statement = one("SELECT * FROM (SELECT now()) AS OF SYSTEM TIME '2018-01-01'") as QueryStatement;
    expect(show(statement.asOf?.expr)).toBe("'2018-01-01'");
  });

  it('leaves the words alone in strings, quoted identifiers, comments and dollar quotes', () => {
    const statements = parse(`SELECT 'as of system time 1' AS "as of system time"; SELECT 1 -- as of system time 2\n; SELECT $$ as of system time $$; SELECT e'\\' as of system time 3'`);
    expect(statements).toHaveLength(4);
    expect(statements.every((statement) => statement.asOf === undefined)).toBe(true);
  });

  it('goes with the prepared query of PREPARE (for EXECUTE), and stays on EXPLAIN', () => {
    const prepare = one("PREPARE p AS SELECT * FROM t AS OF SYSTEM TIME '-1s' WHERE k = $1");
    expect(prepare.kind === 'Prepare' && prepare.asOf === undefined && show(prepare.statement.asOf?.expr)).toBe("'-1s'");
    const explain = one("EXPLAIN SELECT * FROM t AS OF SYSTEM TIME '-1s'");
    expect(explain.kind).toBe('Explain');
    expect(show(explain.asOf?.expr)).toBe("'-1s'");
  });

  it('is carried by the statement that holds it only', () => {
    const statements = parse("SELECT 1; SELECT * FROM t AS OF SYSTEM TIME '-1s'; SELECT 2");
    expect(statements.map((statement) => show(statement.asOf?.expr))).toEqual(['none', "'-1s'", 'none']);
  });

  it('keeps error positions in the user’s text (those of the same text without the clause)', () => {
    for (const sql of ["SELECT * FROM t AS OF SYSTEM TIME '-1s' WHERE k >", "SELECT * FROM t AS OF SYSTEM TIME '-1s' WHERE k > > 1", "SELECT 'é' FROM t AS OF SYSTEM TIME '-1s' WHERE k > > 1"]) {
      const without = sql.replace("AS OF SYSTEM TIME '-1s'", ' '.repeat("AS OF SYSTEM TIME '-1s'".length));
      expect(syntaxError(sql).position, sql).toBe(syntaxError(without).position);
    }
    expect(syntaxError("SELECT * FROM t AS OF SYSTEM TIME '-1s' WHERE k > > 1").position).toBe(51);
  });
});

describe('where the clause may not stand', () => {
  it('inside a subquery or a CTE: 42601, as CockroachDB', () => {
    for (const sql of [
      "SELECT * FROM (SELECT * FROM t AS OF SYSTEM TIME '-1s') s",
      "SELECT (SELECT k FROM t AS OF SYSTEM TIME '-1s' LIMIT 1)",
      "WITH c AS (SELECT * FROM t AS OF SYSTEM TIME '-1s') SELECT * FROM c",
    ]) {
      const error = syntaxError(sql);
      expect(error.message, sql).toBe('AS OF SYSTEM TIME must be provided on a top-level statement');
      expect(error.position, sql).toBe(sql.indexOf('AS OF') + 1);
    }
  });

  it('twice in one statement', () => {
    expect(syntaxError("SELECT * FROM a AS OF SYSTEM TIME '-1s' UNION SELECT * FROM b AS OF SYSTEM TIME '-1s'").message).toBe('AS OF SYSTEM TIME may be given only once in a statement');
  });

  it('without an expression', () => {
    expect(syntaxError('SELECT * FROM t AS OF SYSTEM TIME WHERE true').message).toBe('AS OF SYSTEM TIME needs a timestamp expression');
    expect(syntaxError('SELECT * FROM t AS OF SYSTEM TIME').message).toBe('AS OF SYSTEM TIME needs a timestamp expression');
  });

  it('with more than one expression', () => {
    expect(() => parse("SELECT * FROM t AS OF SYSTEM TIME '-1s' '-2s'")).toThrow(SqlSyntaxError);
    expect(syntaxError("SELECT * FROM t AS OF SYSTEM TIME '-1s', '-2s'").position).toBe(42); // the second one

  });
});

describe('AS OF SYSTEM TIME on transactions', () => {
  it('BEGIN and START TRANSACTION carry it, with other modes after a comma or not', () => {
    const begin = one("BEGIN AS OF SYSTEM TIME '-5s'") as Begin;
    expect(begin.kind).toBe('Begin');
    expect(show(begin.asOf?.expr)).toBe("'-5s'");
    const start = one("START TRANSACTION AS OF SYSTEM TIME '-5s', ISOLATION LEVEL SERIALIZABLE") as Begin;
    expect(show(start.asOf?.expr)).toBe("'-5s'");
    expect(start.isolation).toBe('serializable');
    const readOnly = one("BEGIN TRANSACTION AS OF SYSTEM TIME '-5s' READ ONLY") as Begin;
    expect(readOnly.readOnly).toBe(true);
  });

  it('SET TRANSACTION AS OF SYSTEM TIME alone has no other mode', () => {
    const set = one("SET TRANSACTION AS OF SYSTEM TIME '-5s'") as SetTransaction;
    expect(set.kind).toBe('SetTransaction');
    expect(show(set.asOf?.expr)).toBe("'-5s'");
    expect(set.readOnly).toBeNull();
    expect(set.text).toBe("SET TRANSACTION AS OF SYSTEM TIME '-5s'");
    const withMode = one("SET TRANSACTION AS OF SYSTEM TIME '-5s', READ WRITE") as SetTransaction;
    expect(withMode.readOnly).toBe(false);
  });
});
