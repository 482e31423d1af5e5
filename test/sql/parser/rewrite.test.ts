/**
 * CockroachDB's UPSERT, rewritten before PostgreSQL's grammar sees it (sql/parser/rewrite.ts):
 * only a statement whose first token is the keyword is one, comments and quoted text are skipped,
 * and the statements' text and error positions stay the user's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, parse, SqlSyntaxError } from '../../../sql/parser/index.js';
import type { Insert } from '../../../sql/parser/index.js';

describe('UPSERT rewrite', () => {
  beforeAll(async () => {
    await loadParser();
  });

  it('marks an UPSERT as an upserting INSERT and keeps its text', () => {
    const [statement] = parse('UPSERT INTO kv (k, v) VALUES (1, 2)') as Insert[];
    expect(statement!.kind).toBe('Insert');
    expect(statement!.upsert).toBe(true);
    expect(statement!.columns).toEqual(['k', 'v']);
    expect(statement!.text).toBe('UPSERT INTO kv (k, v) VALUES (1, 2)');
  });

  it('finds the keyword after comments, in any case, in any statement of a string', () => {
    const statements = parse("INSERT INTO kv VALUES (1); -- upsert\n/* a /* nested */ one */ upsert INTO kv VALUES (2); INSERT INTO kv VALUES (3)") as Insert[];
    expect(statements.map((statement) => statement.upsert)).toEqual([false, true, false]);
  });

  it('leaves the word alone in strings, quoted identifiers and later positions', () => {
    const statements = parse(`INSERT INTO "upsert" (upsert) SELECT 'UPSERT INTO t'; SELECT 1 AS upsert`);
    expect((statements[0] as Insert).upsert).toBe(false);
    expect(statements[1]!.kind).toBe('QueryStatement');
    expect(() => parse('"upsert" INTO kv VALUES (1)')).toThrow(SqlSyntaxError);
    expect(() => parse('upserted INTO kv VALUES (1)')).toThrow(SqlSyntaxError);
  });

  it("points an error at the user's text", () => {
    try {
      parse('UPSERT INTO kv VALUES (1,, 2)');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SqlSyntaxError);
      expect((error as SqlSyntaxError).position).toBe(26); // the second comma, 1-based
    }
  });
});
