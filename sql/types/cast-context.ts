/**
 * Where a cast may be applied, as PostgreSQL's `pg_cast.castcontext` and `find_coercion_pathway`
 * decide: `implicit` (in any expression: `int4 + int8` widens the int4), `assignment` (storing
 * into a column: a numeric value into an int column), or `explicit` (only with CAST / `::`).
 * The table below is `pg_cast` restricted to rangedb's types (checked against a PostgreSQL 15
 * server's catalog by test/sql/types/cast-context.test.ts); beyond it, PostgreSQL's rules:
 * a type to itself (a length coercion) is implicit, an unknown literal goes anywhere implicitly,
 * anything to a string type through its output function is an assignment cast, a string type to
 * anything through the input function is explicit, and arrays cast element-wise.
 */
import { sameType, type ScalarKind, type SqlType } from './sql-type.js';

export type CastContext = 'implicit' | 'assignment' | 'explicit';

const i = 'implicit';
const a = 'assignment';
const e = 'explicit';

/** `pg_cast` among rangedb's types: source kind → target kind → context. */
const pgCast: Partial<Record<ScalarKind, Partial<Record<ScalarKind, CastContext>>>> = {
  int8: { int2: a, int4: a, float4: i, float8: i, numeric: i, oid: i, regclass: i, regtype: i, regproc: i },
  int2: { int8: i, int4: i, float4: i, float8: i, numeric: i, oid: i, regclass: i, regtype: i, regproc: i },
  int4: { int8: i, int2: a, float4: i, float8: i, numeric: i, bool: e, oid: i, regclass: i, regtype: i, regproc: i },
  float4: { int8: a, int2: a, int4: a, float8: i, numeric: a },
  float8: { int8: a, int2: a, int4: a, float4: a, numeric: a },
  numeric: { int8: a, int2: a, int4: a, float4: i, float8: i },
  bool: { int4: e, text: a, varchar: a, bpchar: a },
  oid: { int8: a, int4: a, regclass: i, regtype: i, regproc: i },
  regclass: { oid: i, int8: a, int4: a },
  regtype: { oid: i, int8: a, int4: a },
  regproc: { oid: i, int8: a, int4: a },
  text: { regclass: i, bpchar: i, varchar: i, name: i },
  varchar: { regclass: i, text: i, bpchar: i, name: i },
  bpchar: { text: i, varchar: i, name: i },
  name: { text: i, bpchar: a, varchar: a },
  date: { timestamp: i, timestamptz: i },
  timestamp: { date: a, timestamptz: i },
  timestamptz: { date: a, timestamp: a },
  json: { jsonb: a },
  jsonb: { json: a, bool: e, numeric: e, int2: e, int4: e, int8: e, float4: e, float8: e },
};

const stringKinds: ReadonlySet<SqlType['kind']> = new Set(['text', 'varchar', 'bpchar', 'name']);

/** The context in which `from` may be cast to `to`, or undefined if there is no cast at all. */
export function castContext(from: SqlType, to: SqlType): CastContext | undefined {
  if (from.kind === 'unknown') return i;
  if (from.kind === 'record' || to.kind === 'record') {
    // An anonymous record casts only to itself; to a string type through its output function.
    if (from.kind === 'record' && to.kind === 'record') return sameType(from, to) ? i : undefined;
    return stringKinds.has(to.kind) ? a : undefined;
  }
  if (from.kind === to.kind && from.kind !== 'array') return i;
  if (from.kind === 'array' && to.kind === 'array') return castContext(from.element, to.element);
  if (from.kind !== 'array' && to.kind !== 'array') {
    const listed = pgCast[from.kind]?.[to.kind];
    if (listed !== undefined) return listed;
  }
  if (stringKinds.has(to.kind)) return a;
  if (stringKinds.has(from.kind)) return e;
  return undefined;
}

/** Whether a cast from `from` to `to` may be applied in `context` (implicit ⊂ assignment ⊂ explicit). */
export function canCast(from: SqlType, to: SqlType, context: CastContext): boolean {
  const needed = castContext(from, to);
  if (needed === undefined) return false;
  const rank = { implicit: 0, assignment: 1, explicit: 2 } as const;
  return rank[needed] <= rank[context];
}

/** `pg_cast`'s one-letter code for a context. */
export function castContextCode(context: CastContext): 'i' | 'a' | 'e' {
  return context === 'implicit' ? 'i' : context === 'assignment' ? 'a' : 'e';
}
