/**
 * The timestamp of an `AS OF SYSTEM TIME <expr>` clause (CockroachDB's `asof.Eval` and
 * `DatumToHLC`), evaluated by the session when the statement (or BEGIN / SET TRANSACTION) runs,
 * against the statement's time — the node's hybrid clock then.
 *
 * | the expression                          | the timestamp                                          |
 * |-----------------------------------------|--------------------------------------------------------|
 * | a negative interval: `'-10s'`, `INTERVAL '-1us'`, `-'1h'::interval` | statement time plus it (≤ −1µs)  |
 * | a timestamp: `'2024-01-01 10:00:00'`, `TIMESTAMPTZ '…'` | that instant (a zoneless one in the session's zone) |
 * | nanoseconds since 1970: `1700000000000000000` | that wall time                                     |
 * | an HLC decimal: `1700000000000000000.0000000001` | wall time `.` logical (ten digits), as `cluster_logical_timestamp()` prints |
 * | `follower_read_timestamp()`             | statement time − 4.8s (CockroachDB's default)           |
 *
 * A string is tried as a timestamp, then a decimal, then an interval (CockroachDB's order).
 * Refused, all with PostgreSQL-style SQLSTATEs:
 * - 22023 — a positive or zero interval, a zero or pre-1970 timestamp, a value that is none of the
 *   above, and a time in the future (`cannot specify timestamp in the future`): a read above now
 *   could miss writes still to come at or below it, so it would not be repeatable.
 * - 0A000 — anything but a constant (a column, `now()`, an operator such as `||`), a subquery, a
 *   parameter, and the bounded-staleness functions `with_min_timestamp` / `with_max_staleness`
 *   (they need follower reads with closed timestamps, which rangedb does not have).
 *
 * `follower_read_timestamp()` names a time old enough for any replica to serve it in CockroachDB
 * (behind its closed timestamps). rangedb has no follower reads: the read still goes to the
 * leaseholder, and the function is only the conventional "a few seconds ago".
 */
import { formatTimestamp, isZero, less, timestamp, type Timestamp } from '../../clock/timestamp.js';
import type { AsOfClause, Expr, TypeName } from '../parser/ast.js';
import { unixEpochMicrosBefore2000, type Interval } from '../types/datum.js';
import { timestamptzAddInterval } from '../types/datetime-arithmetic.js';
import { parseDate, parseTimestamp, parseTimestamptz } from '../types/datetime-text.js';
import { parseInterval } from '../types/interval-text.js';
import type { TextContext } from '../types/text-io.js';
import { SessionError } from './errors.js';

/** How far behind the statement time `follower_read_timestamp()` reads (CockroachDB's default: 4.8s). */
export const followerReadLagNanos = 4_800_000_000n;

/** What the clause is evaluated against. */
export interface AsOfContext {
  /** The statement time: the node's hybrid clock when the statement began. */
  readonly now: Timestamp;
  /** The session's time zone (a zoneless timestamp is local time there). */
  readonly text: TextContext;
}

type Value =
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'interval'; readonly value: Interval; readonly text: string }
  /** Nanoseconds since 1970 (an instant). */
  | { readonly kind: 'instant'; readonly wallNanos: bigint }
  | { readonly kind: 'integer'; readonly value: bigint }
  | { readonly kind: 'decimal'; readonly text: string };

const invalid = (message: string): SessionError => new SessionError('22023', `AS OF SYSTEM TIME: ${message}`);
const notConstant = (): SessionError => new SessionError('0A000', 'AS OF SYSTEM TIME: only constant expressions or follower_read_timestamp are allowed');

/** The timestamp `clause` names; throws the errors listed in the header. */
export function evaluateAsOf(clause: AsOfClause, ctx: AsOfContext): Timestamp {
  const at = toTimestamp(evaluate(clause.expr, ctx), ctx);
  if (isZero(at)) throw invalid('zero timestamp is invalid');
  if (less(ctx.now, at)) throw invalid(`cannot specify timestamp in the future (${formatTimestamp(at)} > ${formatTimestamp(ctx.now)})`);
  return at;
}

function evaluate(expr: Expr, ctx: AsOfContext): Value {
  switch (expr.kind) {
    case 'Literal': {
      const value = expr.value;
      if (value.type === 'string') return { kind: 'string', text: value.value };
      if (value.type === 'integer') return { kind: 'integer', value: BigInt(value.digits) };
      if (value.type === 'numeric') return { kind: 'decimal', text: value.text };
      throw invalid(`expected timestamp, decimal, or interval, got ${value.type}`);
    }
    case 'TypedLiteral':
      return convert({ kind: 'string', text: expr.value }, expr.type, ctx);
    case 'Cast':
      return convert(evaluate(expr.arg, ctx), expr.type, ctx);
    case 'UnaryOp':
      if (expr.operator === '+') return evaluate(expr.operand, ctx);
      if (expr.operator === '-') return negate(evaluate(expr.operand, ctx));
      throw notConstant();
    case 'FuncCall':
      return call(expr, ctx);
    case 'SubqueryExpr':
      throw new SessionError('0A000', 'subqueries are not allowed in AS OF SYSTEM TIME');
    case 'Parameter':
      throw new SessionError('0A000', `AS OF SYSTEM TIME takes no parameters ($${expr.index}): give the time as a constant`);
    default:
      throw notConstant();
  }
}

function call(expr: Extract<Expr, { kind: 'FuncCall' }>, ctx: AsOfContext): Value {
  const name = expr.name.at(-1)!.toLowerCase();
  if (name === 'with_min_timestamp' || name === 'with_max_staleness') {
    throw new SessionError('0A000', `AS OF SYSTEM TIME: bounded staleness reads (${name}) are not supported: rangedb has no follower reads`);
  }
  if ((name === 'follower_read_timestamp' || name === 'experimental_follower_read_timestamp') && expr.args.length === 0 && (expr.name.length === 1 || expr.name[0] === 'pg_catalog')) {
    return { kind: 'instant', wallNanos: ctx.now.wallNanos - followerReadLagNanos };
  }
  throw notConstant();
}

/** A cast (or a typed literal) to the types the clause understands. */
function convert(value: Value, type: TypeName, ctx: AsOfContext): Value {
  const name = type.names.at(-1)!.toLowerCase();
  const text = value.kind === 'string' || value.kind === 'decimal' ? value.text : value.kind === 'integer' ? String(value.value) : undefined;
  switch (name) {
    case 'interval':
      if (value.kind === 'interval') return value;
      if (text === undefined) break;
      return { kind: 'interval', value: parseInterval(text), text: `'${text}'` };
    case 'timestamptz':
    case 'timestamp':
      if (value.kind === 'instant') return value;
      if (text === undefined) break;
      return { kind: 'instant', wallNanos: microsToNanos(name === 'timestamp' ? parseTimestamp(text, ctx.text) : parseTimestamptz(text, ctx.text)) };
    case 'date':
      if (text === undefined) break;
      return { kind: 'instant', wallNanos: microsToNanos(BigInt(parseDate(text, ctx.text)) * 86_400_000_000n) };
    case 'text':
    case 'varchar':
    case 'string':
      if (text === undefined) break;
      return { kind: 'string', text };
    case 'numeric':
    case 'decimal':
      if (text === undefined || !decimalPattern.test(text)) break;
      return { kind: 'decimal', text };
    case 'int2':
    case 'int4':
    case 'int8':
      if (value.kind === 'integer') return value;
      if (text === undefined || !/^\s*[+-]?\d+\s*$/.test(text)) break;
      return { kind: 'integer', value: BigInt(text.trim()) };
    default:
      break;
  }
  throw invalid(`expected timestamp, decimal, or interval, got ${name}`);
}

function negate(value: Value): Value {
  switch (value.kind) {
    case 'interval':
      return { kind: 'interval', value: { months: -value.value.months, days: -value.value.days, micros: -value.value.micros }, text: `-${value.text}` };
    case 'integer':
      return { kind: 'integer', value: -value.value };
    case 'decimal':
      return { kind: 'decimal', text: value.text.startsWith('-') ? value.text.slice(1) : `-${value.text}` };
    default:
      throw notConstant();
  }
}

const decimalPattern = /^\s*([+-]?)(\d+)(?:\.(\d*))?\s*$/;

/** The value as an HLC timestamp (before the zero and future checks). */
function toTimestamp(value: Value, ctx: AsOfContext): Timestamp {
  switch (value.kind) {
    case 'instant':
      return wall(value.wallNanos);
    case 'integer':
      return wall(value.value);
    case 'decimal':
      return decimalToHlc(value.text);
    case 'interval':
      return intervalBeforeNow(value.value, value.text, ctx);
    case 'string':
      return stringToTimestamp(value.text, ctx);
  }
}

/** A string: a timestamp, else a decimal, else an interval (CockroachDB's order). */
function stringToTimestamp(text: string, ctx: AsOfContext): Timestamp {
  const asTimestamp = attempt(() => parseTimestamptz(text, ctx.text));
  if (asTimestamp !== undefined) return wall(microsToNanos(asTimestamp));
  if (decimalPattern.test(text)) return decimalToHlc(text);
  const asInterval = attempt(() => parseInterval(text));
  if (asInterval !== undefined) return intervalBeforeNow(asInterval, `'${text}'`, ctx);
  throw invalid(`value '${text}' is neither timestamp, decimal, nor interval`);
}

/** Statement time plus a negative interval (months and days in the session's zone). */
function intervalBeforeNow(span: Interval, text: string, ctx: AsOfContext): Timestamp {
  // Months and days move the calendar (microsecond arithmetic); the nanoseconds below a
  // microsecond of the statement time stay as they are.
  const nowMicros = ctx.now.wallNanos / 1000n - unixEpochMicrosBefore2000;
  const deltaMicros = timestamptzAddInterval(nowMicros, span, ctx.text.timeZone) - nowMicros;
  if (deltaMicros === 0n) throw invalid(`interval value ${text} too small, absolute value must be >= 1µs`);
  if (deltaMicros > 0n) throw invalid(`interval value ${text} too large, AS OF interval must be <= -1µs`);
  return wall(ctx.now.wallNanos + deltaMicros * 1000n);
}

/** `wall.logical` with the logical part in ten digits (CockroachDB's `DecimalToHLC`). */
function decimalToHlc(text: string): Timestamp {
  const match = decimalPattern.exec(text)!;
  const [, sign, whole, fraction = ''] = match;
  if (sign === '-') throw invalid('timestamp before 1970-01-01T00:00:00Z is invalid');
  if (fraction.length > 10) throw invalid(`logical part of ${text.trim()} has too many digits (at most 10)`);
  const logical = Number(fraction.padEnd(10, '0'));
  if (logical > 0xffff_ffff) throw invalid(`logical part of ${text.trim()} is out of range`);
  return checkWall(BigInt(whole!), logical);
}

function wall(wallNanos: bigint): Timestamp {
  return checkWall(wallNanos, 0);
}

function checkWall(wallNanos: bigint, logical: number): Timestamp {
  if (wallNanos < 0n) throw invalid('timestamp before 1970-01-01T00:00:00Z is invalid');
  if (wallNanos >= 2n ** 63n) throw invalid('timestamp out of range');
  return timestamp(wallNanos, logical);
}

/** Microseconds since 2000 (a SQL timestamp) as nanoseconds since 1970. */
function microsToNanos(micros: bigint): bigint {
  return (micros + unixEpochMicrosBefore2000) * 1000n;
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
