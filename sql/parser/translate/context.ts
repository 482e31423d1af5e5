/**
 * What every translation function shares: the source text (for error positions) and helpers to
 * read libpg-query's JSON. Its JSON is protobuf's: fields holding a default (0, false, "") are
 * omitted, so every read supplies the default explicitly.
 */
import type * as pg from 'libpg-query';
import { assert, unreachable } from '../../../src/base/assert.js';
import { FeatureNotSupportedError } from '../errors.js';
import type { Source } from '../source.js';
import type { QualifiedName, Query, Statement } from '../ast.js';

/**
 * The recursive entry points, passed in rather than imported so the translation files form no
 * import cycle (expressions contain queries, EXPLAIN contains statements).
 */
export interface Recursion {
  query(node: pg.Node, ctx: Context): Query;
  statement(node: pg.Node, location: number, text: string, ctx: Context): Statement;
}

export class Context {
  constructor(
    readonly source: Source,
    private readonly recursion: Recursion,
  ) {}

  query(node: pg.Node): Query {
    return this.recursion.query(node, this);
  }

  statement(node: pg.Node, location: number, text: string): Statement {
    return this.recursion.statement(node, location, text, this);
  }

  /**
   * Throws 0A000 `unimplemented: <what>` at `location`: a byte offset, -1 for none, or a node's
   * raw `location` field (undefined is protobuf's omitted 0).
   */
  unsupported(what: string, location: number | undefined): never {
    throw new FeatureNotSupportedError(`unimplemented: ${what}`, this.source.position(loc(location)));
  }
}

/** The tag of a node (`SelectStmt`, `A_Const`, …): its one key. */
export function tagOf(node: pg.Node): string {
  for (const key in node) return key;
  return unreachable('a libpg-query node without a tag');
}

/** The body of a node whose tag the caller has checked. */
export function bodyOf<T>(node: pg.Node): T {
  return (node as Record<string, unknown>)[tagOf(node)] as T;
}

/** A node's location: protobuf omits 0, PostgreSQL writes -1 for unknown. */
export function loc(location: number | undefined): number {
  return location ?? 0;
}

/** The text of a `String` node. */
export function stringOf(node: pg.Node): string {
  assert(tagOf(node) === 'String', () => `expected a String node, got ${tagOf(node)}`);
  return (node as { String: pg.String }).String.sval ?? '';
}

/** A list of `String` nodes (qualified names, column lists). */
export function strings(nodes: readonly pg.Node[] | undefined): string[] {
  return (nodes ?? []).map(stringOf);
}

/** `[catalog.][schema.]name` from a RangeVar. */
export function qualifiedName(range: pg.RangeVar): QualifiedName {
  return { catalog: range.catalogname ?? null, schema: range.schemaname ?? null, name: range.relname ?? '' };
}

/** `[catalog.][schema.]name` from a list of String nodes (DROP's object names). */
export function qualifiedNameOf(nodes: readonly pg.Node[]): QualifiedName {
  const parts = strings(nodes);
  assert(parts.length >= 1 && parts.length <= 3, 'a qualified name has 1 to 3 parts');
  const name = parts[parts.length - 1]!;
  if (parts.length === 1) return { catalog: null, schema: null, name };
  if (parts.length === 2) return { catalog: null, schema: parts[0]!, name };
  return { catalog: parts[0]!, schema: parts[1]!, name };
}

/** PostgreSQL's boolean option spellings (`defGetBoolean`); an option without a value is true. */
export function optionIsTrue(value: string | null): boolean {
  return value === null || ['true', 'on', '1', 'yes'].includes(value.toLowerCase());
}

/** A DefElem's value as text (`'csv'` → `csv`, `100`, `true`), null when it has none. */
export function defElemValue(ctx: Context, arg: pg.Node | undefined): string | null {
  if (arg === undefined) return null;
  switch (tagOf(arg)) {
    case 'String':
      return stringOf(arg);
    case 'Integer':
      return String(bodyOf<pg.Integer>(arg).ival ?? 0);
    case 'Float':
      return bodyOf<pg.Float>(arg).fval ?? '0';
    case 'Boolean':
      return String(bodyOf<pg.Boolean>(arg).boolval ?? false);
    case 'A_Star':
      return '*';
    case 'A_Const': {
      const constant = bodyOf<pg.A_Const>(arg);
      if (constant.isnull === true) return null;
      if (constant.ival !== undefined) return String(constant.ival.ival ?? 0);
      if (constant.fval !== undefined) return constant.fval.fval ?? '0';
      if (constant.boolval !== undefined) return String(constant.boolval.boolval ?? false);
      return constant.sval?.sval ?? constant.bsval?.bsval ?? '';
    }
    case 'TypeName':
      return strings(bodyOf<pg.TypeName>(arg).names).join('.');
    case 'List':
      return (bodyOf<pg.List>(arg).items ?? []).map((item) => defElemValue(ctx, item) ?? '').join('.');
    default:
      return ctx.unsupported(`an option value of type ${tagOf(arg)} is not supported`, -1);
  }
}
