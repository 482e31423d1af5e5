/**
 * rangedb's admin statements, CockroachDB's syntax, by recursive descent:
 *
 *     ALTER TABLE t  { SPLIT AT VALUES rows | UNSPLIT AT VALUES rows | UNSPLIT ALL | SCATTER }
 *     ALTER INDEX t@i { … the same … }
 *     ALTER RANGE id RELOCATE [LEASE | VOTERS] [FROM n] TO n
 *     SHOW RANGES [FROM TABLE t | FROM INDEX t@i | FROM DATABASE d] [WITH DETAILS]
 *     SHOW RANGE FROM TABLE t | FROM INDEX t@i FOR ROW (values)
 *     SHOW CLUSTER SETTING name | SHOW [ALL] CLUSTER SETTINGS
 *     SET CLUSTER SETTING name { = | TO } { value | DEFAULT }
 *
 * `parseAdmin` returns null when the statement is not one of these (`ALTER TABLE t ADD COLUMN …`
 * goes on to PostgreSQL's grammar); once the distinguishing keyword is seen, a mismatch is a
 * syntax error with PostgreSQL's wording and position.
 */
import type * as ast from '../ast.js';
import { FeatureNotSupportedError, SqlSyntaxError } from '../errors.js';
import type { Source } from '../source.js';
import { Lexer, type Token } from './lexer.js';
import { parseExpr, parseRow, parseRows } from './values.js';

class Parser {
  readonly lexer: Lexer;

  constructor(
    readonly source: Source,
    readonly start: number,
    readonly end: number,
  ) {
    this.lexer = new Lexer(source.sql, start, end);
  }

  fail(token: Token): never {
    if (token.kind === 'end') throw new SqlSyntaxError('syntax error at end of input', token.start + 1);
    // Unquoted words keep their length when lower-cased (ASCII), so the source spells them as written.
    const text = token.kind === 'word' && token.quoted ? `"${token.text}"` : this.source.sql.slice(token.start, token.start + token.text.length);
    throw new SqlSyntaxError(`syntax error at or near "${text}"`, token.start + 1);
  }

  /** True (and consumed) if the next token is the unquoted keyword. */
  accept(keyword: string): boolean {
    const token = this.lexer.peek();
    if (token.kind !== 'word' || token.quoted || token.text !== keyword) return false;
    this.lexer.next();
    return true;
  }

  expect(keyword: string): void {
    if (!this.accept(keyword)) this.fail(this.lexer.next());
  }

  acceptPunct(text: string): boolean {
    const token = this.lexer.peek();
    if (token.kind !== 'punct' || token.text !== text) return false;
    this.lexer.next();
    return true;
  }

  identifier(): string {
    const token = this.lexer.next();
    if (token.kind !== 'word') this.fail(token);
    return token.text;
  }

  integer(): number {
    const token = this.lexer.next();
    if (token.kind !== 'integer' || !Number.isSafeInteger(Number(token.text))) this.fail(token);
    return Number(token.text);
  }

  qualifiedName(): ast.QualifiedName {
    const parts = [this.identifier()];
    while (parts.length < 3 && this.acceptPunct('.')) parts.push(this.identifier());
    const name = parts[parts.length - 1]!;
    if (parts.length === 1) return { catalog: null, schema: null, name };
    if (parts.length === 2) return { catalog: null, schema: parts[0]!, name };
    return { catalog: parts[0]!, schema: parts[1]!, name };
  }

  /** `t` (a table) or `t@i` (an index); `index` requires the `@`. */
  target(kind: 'table' | 'index'): ast.AdminTarget {
    const table = this.qualifiedName();
    if (kind === 'table') return { kind: 'table', table };
    const at = this.lexer.next();
    if (at.kind !== 'punct' || at.text !== '@') this.fail(at);
    return { kind: 'index', table, index: this.identifier() };
  }

  /** The statement must end here. */
  finish(): void {
    const token = this.lexer.next();
    if (token.kind !== 'end') this.fail(token);
  }

  /** A dotted setting name: `kv.range_split.by_load_enabled`. */
  settingName(): string {
    const parts = [this.identifier()];
    while (this.acceptPunct('.')) parts.push(this.identifier());
    return parts.join('.');
  }
}

type Body = ast.Statement extends infer S ? (S extends ast.Statement ? Omit<S, 'location' | 'text'> : never) : never;

/** ALTER TABLE | INDEX … SPLIT | UNSPLIT | SCATTER; null if the word after the name is not one of those. */
function alterTableOrIndex(p: Parser, kind: 'table' | 'index'): Body | null {
  let target: ast.AdminTarget;
  try {
    target = p.target(kind);
  } catch (error: unknown) {
    if (error instanceof SqlSyntaxError) return null; // not ours: PostgreSQL's grammar reports it
    throw error;
  }
  if (p.accept('split')) {
    p.expect('at');
    p.expect('values');
    refuseExpiration(p);
    return { kind: 'SplitAt', target, rows: valuesRows(p) };
  }
  if (p.accept('unsplit')) {
    if (p.accept('all')) {
      p.finish();
      return { kind: 'Unsplit', target, rows: null };
    }
    p.expect('at');
    p.expect('values');
    return { kind: 'Unsplit', target, rows: valuesRows(p) };
  }
  if (p.accept('scatter')) {
    p.finish();
    return { kind: 'Scatter', target };
  }
  return null;
}

/**
 * `SPLIT AT VALUES … WITH EXPIRATION ts`: a split's expiration only tells a merge queue when it may
 * merge the split away, and rangedb has none (a split stays until UNSPLIT), so it is refused by
 * name (0A000) rather than accepted and ignored. Looks ahead without consuming anything.
 */
function refuseExpiration(p: Parser): void {
  const probe = new Lexer(p.source.sql, p.lexer.offset(), p.end);
  let depth = 0;
  for (let token = probe.next(); token.kind !== 'end'; token = probe.next()) {
    if (token.kind === 'punct' && token.text === '(') depth++;
    else if (token.kind === 'punct' && token.text === ')') depth--;
    else if (depth === 0 && token.kind === 'word' && !token.quoted && token.text === 'with') {
      const next = probe.peek();
      if (next.kind === 'word' && !next.quoted && next.text === 'expiration') {
        throw new FeatureNotSupportedError('unimplemented: SPLIT AT … WITH EXPIRATION is not supported (rangedb has no merge queue: a split stays until UNSPLIT)', token.start + 1);
      }
    }
  }
}

function valuesRows(p: Parser): ast.Expr[][] {
  return parseRows(p.source, p.lexer.offset(), p.end);
}

function alterRange(p: Parser): Body {
  const rangeId = p.integer();
  p.expect('relocate');
  const what = p.accept('lease') ? 'lease' : (p.accept('voters'), 'voters');
  const fromNode = p.accept('from') ? p.integer() : null;
  p.expect('to');
  const toNode = p.integer();
  p.finish();
  return { kind: 'RelocateRange', rangeId, what, fromNode, toNode };
}

function showRanges(p: Parser): Body {
  let source: ast.ShowRanges['source'] = { kind: 'all' };
  if (p.accept('from')) {
    if (p.accept('table')) source = p.target('table');
    else if (p.accept('index')) source = p.target('index');
    else if (p.accept('database')) source = { kind: 'database', database: p.identifier() };
    else p.fail(p.lexer.next());
  }
  const details = p.accept('with');
  if (details) p.expect('details');
  p.finish();
  return { kind: 'ShowRanges', source, details };
}

function showRangeForRow(p: Parser): Body {
  p.expect('from');
  const target = p.accept('table') ? p.target('table') : (p.expect('index'), p.target('index'));
  p.expect('for');
  p.expect('row');
  return { kind: 'ShowRangeForRow', target, row: parseRow(p.source, p.lexer.offset(), p.end) };
}

function setClusterSetting(p: Parser): Body {
  const name = p.settingName();
  if (!p.acceptPunct('=')) p.expect('to');
  if (p.accept('default')) {
    p.finish();
    return { kind: 'SetClusterSetting', name, value: null };
  }
  return { kind: 'SetClusterSetting', name, value: parseExpr(p.source, p.lexer.offset(), p.end) };
}

/** Dispatches on the leading keywords; null when they are not an admin statement's. */
function statement(p: Parser): Body | null {
  if (p.accept('alter')) {
    if (p.accept('table')) return alterTableOrIndex(p, 'table');
    if (p.accept('index')) return p.lexer.peek().kind === 'word' && hasAt(p) ? alterTableOrIndex(p, 'index') : null;
    if (p.accept('range')) return alterRange(p);
    return null;
  }
  if (p.accept('show')) {
    if (p.accept('ranges')) return showRanges(p);
    if (p.accept('range')) return showRangeForRow(p);
    const all = p.accept('all');
    if (!p.accept('cluster')) return null;
    if (p.accept('settings')) {
      p.finish();
      return { kind: 'ShowClusterSetting', name: null };
    }
    if (all || !p.accept('setting')) return null; // `SHOW cluster` is PostgreSQL's (a variable named cluster)
    const name = p.settingName();
    p.finish();
    return { kind: 'ShowClusterSetting', name };
  }
  if (p.accept('set') && p.accept('cluster')) {
    p.expect('setting');
    return setClusterSetting(p);
  }
  return null;
}

/** `ALTER INDEX t@i`: looks ahead for the `@` without consuming anything. */
function hasAt(p: Parser): boolean {
  const probe = new Parser(p.source, p.lexer.offset(), p.end);
  try {
    probe.qualifiedName();
  } catch (error: unknown) {
    if (error instanceof SqlSyntaxError) return false;
    throw error;
  }
  return probe.acceptPunct('@');
}

/**
 * Parses `sql[start, end)` (character offsets; one statement, its `;` excluded) as an admin
 * statement, or returns null if it is not one.
 */
export function parseAdmin(source: Source, start: number, end: number): ast.Statement | null {
  const p = new Parser(source, start, end);
  const first = p.lexer.offset();
  const body = statement(p);
  if (body === null) return null;
  const text = source.sql.slice(first, end).trim();
  return { ...body, location: source.byteOffset(first), text } as ast.Statement;
}
