/**
 * The contract of `parse` beyond the golden files: error classes and their SQLSTATEs, positions in
 * characters against locations in bytes, statement spans in text with multi-byte characters, the
 * admin path keeping byte offsets, and the empty string.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RangedbError } from '../../../src/base/errors.js';
import { FeatureNotSupportedError, loadParser, parse, parserLoaded, SqlSyntaxError, StatementTooComplexError } from '../../../sql/parser/index.js';
import type { QueryStatement, SplitAt } from '../../../sql/parser/index.js';

function thrown(sql: string): unknown {
  try {
    parse(sql);
  } catch (error: unknown) {
    return error;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('sql/parser parse', () => {
  beforeAll(async () => {
    await loadParser();
    await loadParser(); // idempotent
  });

  it('is loaded and synchronous after loadParser', () => {
    expect(parserLoaded()).toBe(true);
    const result = parse('select 1');
    expect(Array.isArray(result)).toBe(true);
  });

  it('raises 42601 SqlSyntaxError with PostgreSQL wording and a 1-based character position', () => {
    const error = thrown('select 1 frm t');
    expect(error).toBeInstanceOf(SqlSyntaxError);
    expect(error).toBeInstanceOf(RangedbError);
    const syntax = error as SqlSyntaxError;
    expect(syntax.sqlState).toBe('42601');
    expect(syntax.errorClass).toBe('input');
    expect(syntax.message).toBe('syntax error at or near "t"');
    expect(syntax.position).toBe(14);
  });

  it('raises 0A000 FeatureNotSupportedError naming the feature', () => {
    const error = thrown('create table t (a int generated always as (1) stored)') as FeatureNotSupportedError;
    expect(error).toBeInstanceOf(FeatureNotSupportedError);
    expect(error.sqlState).toBe('0A000');
    expect(error.message).toBe('unimplemented: generated columns are not supported');
    expect(error.position).toBe(23);
  });

  it('counts error positions in characters and locations in bytes', () => {
    const error = thrown('create table "ééé" (a int generated always as (1) stored)') as FeatureNotSupportedError;
    expect(error.position).toBe(27); // characters: create table "ééé" (a int → generated is the 27th (the 30th byte)
    const [statement] = parse("select 'ééé', x") as [QueryStatement];
    expect(statement.query.kind).toBe('Select');
    const target = statement.query.kind === 'Select' ? statement.query.targets[1]! : null;
    expect(target?.location).toBe(17); // bytes: x is the 15th character, each é two bytes
  });

  it('gives each statement its trimmed text, also after multi-byte characters', () => {
    const statements = parse("  select 'é' ;\n\tselect 2;select 3");
    expect(statements.map((s) => s.text)).toEqual(["select 'é'", 'select 2', 'select 3']);
    expect(statements.map((s) => s.location)).toEqual([2, 17, 26]);
  });

  it('keeps byte offsets in admin statements that follow multi-byte text', () => {
    const statements = parse("select 'é'; alter table t split at values ($1)");
    expect(statements.map((s) => s.kind)).toEqual(['QueryStatement', 'SplitAt']);
    const split = statements[1] as SplitAt;
    expect(split.location).toBe(13);
    expect(split.rows[0]![0]!.location).toBe(44);
    expect(split.text).toBe('alter table t split at values ($1)');
  });

  it('parses empty and comment-only strings to no statements', () => {
    expect(parse('')).toEqual([]);
    expect(parse('  ;; ')).toEqual([]);
    expect(parse('-- nothing\n/* at all */')).toEqual([]);
  });

  it('does not split on semicolons inside strings, identifiers, dollar quotes or comments', () => {
    const sql = `select ';', ";" from t; /* ; */ select $$;$$, E'\\';' -- ;\n; show ranges`;
    expect(parse(sql).map((s) => s.kind)).toEqual(['QueryStatement', 'QueryStatement', 'ShowRanges']);
  });

  it('answers nesting too deep for the stack with 54001, and too deep for the grammar with 42601, and keeps working', () => {
    const deepSubqueries = `select ${'(select '.repeat(3000)}1${')'.repeat(3000)}`;
    const tooComplex = thrown(deepSubqueries) as StatementTooComplexError;
    expect(tooComplex).toBeInstanceOf(StatementTooComplexError);
    expect(tooComplex.sqlState).toBe('54001');
    expect(tooComplex.message).toBe('stack depth limit exceeded');
    const exhausted = thrown(`select ${'('.repeat(20_000)}1${')'.repeat(20_000)}`) as SqlSyntaxError;
    expect(exhausted).toBeInstanceOf(SqlSyntaxError);
    expect(exhausted.message).toBe('memory exhausted at or near "("');
    expect(parse('select 1')).toHaveLength(1);
  });
});
