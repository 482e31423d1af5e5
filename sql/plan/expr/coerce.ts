/**
 * PostgreSQL's implicit conversions (a subset of `pg_cast` with its contexts) and the coercion
 * of a compiled expression to a type:
 *
 * - an `unknown` literal takes the target type: its text goes through the type's input function
 *   at compile time (`'42'` as int4 is 42; `'x'` as int4 is 22P02 at prepare, as in PostgreSQL);
 * - an open parameter `$n` takes the target type (parameter type inference);
 * - otherwise a cast is inserted if the context allows it: `implicit` (numeric widening,
 *   string types to text, date → timestamp → timestamptz), `assignment` (INSERT/UPDATE: also
 *   narrowing numbers and anything to a string type), `explicit` (CAST: anything castDatum does).
 */
import { castDatum } from '../../types/cast.js';
import type { Datum } from '../../types/datum.js';
import { defaultTextContext, parseText, type TextContext } from '../../types/text-io.js';
import { applyTypmod } from '../../types/typmod.js';
import { formatType, textType, typeCategory, typeOfKind, type ScalarKind, type SqlType } from '../../types/sql-type.js';
import { SqlError } from '../../catalog/errors.js';
import { constantExpr, type CompiledExpr } from './compiled.js';

export type CoercionContext = 'implicit' | 'assignment' | 'explicit';

/** Numeric widening order: an implicit cast goes only up this list. */
const numericRank: Readonly<Record<string, number>> = { int2: 1, int4: 2, int8: 3, numeric: 4, float4: 5, float8: 6 };
const stringKinds = new Set(['text', 'varchar', 'bpchar', 'name']);
const oidKinds = new Set(['oid', 'regclass', 'regtype', 'regproc']);

/** Whether `from` converts to `to` in `context` (ignoring modifiers). */
export function canCoerce(from: SqlType, to: SqlType, context: CoercionContext): boolean {
  if (from.kind === to.kind) return from.kind !== 'array' || to.kind !== 'array' || canCoerce(from.element, to.element, context);
  if (context === 'explicit') return true;
  const fromRank = numericRank[from.kind];
  const toRank = numericRank[to.kind];
  if (fromRank !== undefined && toRank !== undefined) return context === 'assignment' || fromRank < toRank;
  if (stringKinds.has(from.kind) && stringKinds.has(to.kind)) return context === 'assignment' || to.kind === 'text' || from.kind === 'text' || to.kind === 'varchar';
  if (from.kind === 'date') return to.kind === 'timestamp' || to.kind === 'timestamptz';
  if (from.kind === 'timestamp') return to.kind === 'timestamptz' || (context === 'assignment' && to.kind === 'date');
  if (from.kind === 'timestamptz') return context === 'assignment' && (to.kind === 'timestamp' || to.kind === 'date');
  if (context === 'assignment' && stringKinds.has(to.kind)) return true;
  if ((from.kind === 'int2' || from.kind === 'int4' || from.kind === 'int8') && (to.kind === 'oid' || to.kind === 'regclass')) return true;
  // oid and its reg* aliases are binary-coercible both ways (pg_cast's implicit oid ↔ regclass, …).
  if (oidKinds.has(from.kind) && oidKinds.has(to.kind)) return true;
  return false;
}

/** `expr` as a value of `to`, or 42804 (assignment) / 42883-style errors where no conversion applies. */
export function coerce(expr: CompiledExpr, to: SqlType, context: CoercionContext, paramTypes: (SqlType | undefined)[], what?: string): CompiledExpr {
  if (expr.unknownLiteral !== undefined) {
    const text = expr.unknownLiteral.text;
    const type = to.kind === 'unknown' ? textType : to;
    if (text !== null && readsSession(type, text)) {
      // Checked now, so a malformed literal fails when the statement is planned, as in PostgreSQL.
      parseLiteral(type, text, context, planningTextContext);
      return { type, eval: (_row, ctx) => parseLiteral(type, text, context, ctx.textContext), rowIndependent: true };
    }
    return constantExpr(type, text === null ? null : parseLiteral(type, text, context));
  }
  if (expr.openParam !== undefined) {
    const index = expr.openParam;
    const type = to.kind === 'unknown' ? textType : to;
    paramTypes[index] = type;
    return { type, eval: (_row, ctx) => ctx.params[index] ?? null, rowIndependent: true };
  }
  if (expr.type.oid === to.oid && (expr.type.typmod === to.typmod || to.typmod === -1)) return expr;
  if (!canCoerce(expr.type, to, context)) {
    if (context === 'assignment') {
      throw new SqlError('42804', `${what ?? 'expression'} is of type ${formatType(to)} but expression is of type ${formatType(expr.type)}`, { hint: 'You will need to rewrite or cast the expression.' });
    }
    throw new SqlError('42846', `cannot cast type ${formatType(expr.type)} to ${formatType(to)}`);
  }
  return castExpr(expr, to, context === 'explicit');
}

/**
 * An untyped literal's value as `type`: read by the type's input function without the modifier,
 * then the modifier applied as the context says — PostgreSQL's coerce_type does the same, so
 * `'abcdef'::varchar(3)` is `abc` (an explicit length coercion cuts) while an INSERT of it into a
 * varchar(3) column fails with 22001.
 */
function parseLiteral(type: SqlType, text: string, context: CoercionContext, textContext: TextContext = defaultTextContext): Datum {
  if (type.kind === 'array' || type.kind === 'record' || type.typmod === -1) return parseText(type, text, textContext);
  return applyTypmod(type, parseText(typeOfKind(type.kind), text, textContext), context === 'explicit');
}

/** A session for checking a literal while planning: the transaction's time is not known yet. */
const planningTextContext: TextContext = { ...defaultTextContext, nowMicros: 0n };

const sessionWords = /\b(now|today|tomorrow|yesterday)\b/i;

/**
 * Whether an untyped literal's value depends on the session, so that it is read when the
 * statement runs rather than folded when it is planned: a timestamptz without an offset is local
 * time in the session's TimeZone ('2024-03-10 01:30'::timestamptz under America/New_York is
 * 06:30 UTC), and 'now', 'today', 'tomorrow', 'yesterday' name the transaction's time.
 */
function readsSession(type: SqlType, text: string): boolean {
  const kind = type.kind === 'array' ? type.element.kind : type.kind;
  if (kind === 'timestamptz') return true;
  return (kind === 'date' || kind === 'timestamp') && sessionWords.test(text);
}

/**
 * A cast node; constant-folded when the input is constant and the cast does not read the
 * session: a cast to or from timestamptz (`date '2024-11-03'::timestamptz` is local midnight)
 * depends on the time zone the statement runs in, so it stays a (row-independent) cast.
 */
export function castExpr(expr: CompiledExpr, to: SqlType, explicit: boolean): CompiledExpr {
  const from = expr.type;
  const inner = expr.eval;
  const readsZone = from.kind !== to.kind && (from.kind === 'timestamptz' || to.kind === 'timestamptz');
  if (expr.constant !== undefined && !readsZone) return constantExpr(to, castDatum(expr.constant.value, from, to, { explicit }));
  return {
    type: to,
    eval: (row, ctx) => castDatum(inner(row, ctx), from, to, { explicit, context: ctx.textContext }),
    rowIndependent: expr.rowIndependent,
  };
}

/** Whether the expression's type is still open (an unknown literal or an untyped parameter). */
export function isOpen(expr: CompiledExpr): boolean {
  return expr.unknownLiteral !== undefined || expr.openParam !== undefined;
}

/**
 * The type several expressions are brought to (CASE, COALESCE, IN, UNION, VALUES columns): the
 * first known type's category decides; within numbers the widest wins; open ones follow; all
 * open is text (PostgreSQL's `select_common_type`).
 */
export function commonType(exprs: readonly CompiledExpr[], what: string): SqlType {
  let result: SqlType | undefined;
  for (const expr of exprs) {
    if (isOpen(expr)) continue;
    if (result === undefined) {
      result = expr.type;
      continue;
    }
    result = widerOf(result, expr.type, what);
  }
  return result ?? textType;
}

function widerOf(left: SqlType, right: SqlType, what: string): SqlType {
  if (left.oid === right.oid) return left.typmod === right.typmod || left.kind === 'array' || left.kind === 'record' ? left : typeOfKind(left.kind);
  const leftRank = numericRank[left.kind];
  const rightRank = numericRank[right.kind];
  // The wider type without its modifier, as select_common_type: int4 and numeric(6,2) meet at
  // numeric, so 10 * 1.50::numeric(6,2) is 15.00, not 10.00 * 1.50 = 15.0000.
  if (leftRank !== undefined && rightRank !== undefined) return typeOfKind((leftRank >= rightRank ? left : right).kind as ScalarKind);
  if (typeCategory(left) === 'S' && typeCategory(right) === 'S') return textType;
  if (canCoerce(right, left, 'implicit')) return left;
  if (canCoerce(left, right, 'implicit')) return right;
  throw new SqlError('42804', `${what} types ${formatType(left)} and ${formatType(right)} cannot be matched`);
}
