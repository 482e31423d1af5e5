/**
 * Comparison with PostgreSQL's semantics: `compareDatums(type, a, b)` is the total order used
 * to sort (btree order: NaN above every float and numeric and equal to itself, -0 = +0,
 * `char(n)` ignoring trailing blanks, intervals by their 30-day-month span, text by code point
 * — the "C" collation, the one the key encoding keeps), with NULL above every value, so an
 * ascending sort puts NULLs last as PostgreSQL does. `equalDatums` and the three-valued logic
 * helpers give SQL's `=`, `AND`, `OR`, `NOT` with NULL meaning unknown.
 * jsonb compares in PostgreSQL's jsonb btree order (jsonb-text.ts), parsing its normalized text.
 */
import { assertNever } from '../../src/base/assert.js';
import { arrayShape, isPlainArray } from './array-shape.js';
import { microsPerDay, type Datum, type Interval } from './datum.js';
import { compareJsonb } from './jsonb-text.js';
import type { Numeric } from './numeric.js';
import type { RecordType, ScalarType, SqlType } from './sql-type.js';

/** SQL's three-valued truth: `null` is unknown. */
export type Truth = boolean | null;

/** Negative, zero or positive; NULL sorts after every value (ascending NULLS LAST). */
export function compareDatums(type: SqlType, left: Datum, right: Datum): number {
  if (left === null || right === null) return left === right ? 0 : left === null ? 1 : -1;
  if (type.kind === 'array') return compareArrays(type.element, left as readonly Datum[], right as readonly Datum[]);
  if (type.kind === 'record') return compareRecords(type, left as readonly Datum[], right as readonly Datum[]);
  return compareScalars(type, left, right);
}

/** PostgreSQL's `record_cmp` (for sorting and grouping): field by field, a NULL field after any value. */
function compareRecords(type: RecordType, left: readonly Datum[], right: readonly Datum[]): number {
  for (let index = 0; index < type.fields.length; index++) {
    const order = compareDatums(type.fields[index]!.type, left[index] ?? null, right[index] ?? null);
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * PostgreSQL's `array_cmp`: the elements in storage order, then the element count, then the
 * number of dimensions, their lengths and their lower bounds — so `'{{1,2}}'` and `'{1,2}'` are
 * not equal, and `'[0:1]={1,2}'` is not `'{1,2}'`.
 */
function compareArrays(element: ScalarType, left: readonly Datum[], right: readonly Datum[]): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const order = compareDatums(element, left[index]!, right[index]!);
    if (order !== 0) return order;
  }
  if (left.length !== right.length) return Math.sign(left.length - right.length);
  if (isPlainArray(left) && isPlainArray(right)) return 0;
  const leftShape = arrayShape(left);
  const rightShape = arrayShape(right);
  const dimensions = leftShape.lengths.length - rightShape.lengths.length;
  if (dimensions !== 0) return Math.sign(dimensions);
  return compareNumberLists(leftShape.lengths, rightShape.lengths) || compareNumberLists(leftShape.lowerBounds, rightShape.lowerBounds);
}

function compareNumberLists(left: readonly number[], right: readonly number[]): number {
  for (let index = 0; index < left.length; index++) {
    if (left[index] !== right[index]) return Math.sign(left[index]! - right[index]!);
  }
  return 0;
}

function compareScalars(type: ScalarType, left: Datum, right: Datum): number {
  switch (type.kind) {
    case 'bool':
      return Number(left) - Number(right);
    case 'int2':
    case 'int4':
    case 'oid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'date':
    case 'int8':
    case 'timestamp':
    case 'timestamptz':
      return compareOrdered(left as number | bigint, right as number | bigint);
    case 'float4':
    case 'float8':
      return compareFloats(left as number, right as number);
    case 'numeric':
      return (left as Numeric).compare(right as Numeric);
    case 'jsonb':
      return compareJsonb(left as string, right as string);
    case 'jsonpath':
      // PostgreSQL has no order (nor equality) for jsonpath; its canonical text's is a fallback.
      return compareCodePoints(left as string, right as string);
    case 'text':
    case 'varchar':
    case 'name':
    case 'unknown':
    case 'uuid':
      return compareCodePoints(left as string, right as string);
    case 'json':
      // PostgreSQL has no ordering (nor equality) for json: the planner refuses `=`, ORDER BY and
      // indexes on it (42883 / 42704). Its text's order is only a deterministic fallback.
      return compareCodePoints(left as string, right as string);
    case 'bpchar':
      return compareCodePoints(trimTrailingBlanks(left as string), trimTrailingBlanks(right as string));
    case 'bytea':
      return Math.sign(Buffer.compare(left as Uint8Array, right as Uint8Array));
    case 'interval':
      return compareOrdered(intervalSpan(left as Interval), intervalSpan(right as Interval));
    default:
      return assertNever(type, 'type');
  }
}

function compareOrdered<T extends number | bigint>(left: T, right: T): number {
  return left === right ? 0 : left < right ? -1 : 1;
}

/** PostgreSQL's float order: NaN = NaN, NaN above everything, -0 = +0. */
export function compareFloats(left: number, right: number): number {
  const leftNaN = Number.isNaN(left);
  const rightNaN = Number.isNaN(right);
  if (leftNaN || rightNaN) return Number(leftNaN) - Number(rightNaN);
  return compareOrdered(left, right);
}

/** Code point order (UTF-16 `<` misorders U+E000…U+FFFF against astral characters). */
export function compareCodePoints(left: string, right: string): number {
  if (left === right) return 0;
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const a = left.charCodeAt(index);
    const b = right.charCodeAt(index);
    if (a === b) continue;
    const aSurrogate = a >= 0xd800 && a <= 0xdfff;
    const bSurrogate = b >= 0xd800 && b <= 0xdfff;
    if (aSurrogate === bSurrogate) return a < b ? -1 : 1;
    return aSurrogate ? 1 : -1;
  }
  return Math.sign(left.length - right.length);
}

export function trimTrailingBlanks(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x20) end--;
  return end === value.length ? value : value.slice(0, end);
}

/** PostgreSQL's `interval_cmp_value`: months count as 30 days, days as 24 hours. */
export function intervalSpan(value: Interval): bigint {
  return value.micros + (BigInt(value.days) + BigInt(value.months) * 30n) * microsPerDay;
}

/** SQL `=`: NULL if either side is NULL. */
export function equalDatums(type: SqlType, left: Datum, right: Datum): Truth {
  if (left === null || right === null) return null;
  return compareDatums(type, left, right) === 0;
}

/** SQL `<`, `<=`, `>`, `>=`, `<>` by name: NULL if either side is NULL. */
export function compareOperator(operator: '<' | '<=' | '>' | '>=' | '=' | '<>', type: SqlType, left: Datum, right: Datum): Truth {
  if (left === null || right === null) return null;
  const order = compareDatums(type, left, right);
  switch (operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '=':
      return order === 0;
    case '<>':
      return order !== 0;
    default:
      return assertNever(operator, 'comparison operator');
  }
}

/** `IS DISTINCT FROM`: NULLs are equal to each other and distinct from values. */
export function distinctFrom(type: SqlType, left: Datum, right: Datum): boolean {
  if (left === null || right === null) return left !== right;
  return compareDatums(type, left, right) !== 0;
}

/** SQL `AND`: false wins over NULL. */
export function and3(left: Truth, right: Truth): Truth {
  if (left === false || right === false) return false;
  if (left === null || right === null) return null;
  return true;
}

/** SQL `OR`: true wins over NULL. */
export function or3(left: Truth, right: Truth): Truth {
  if (left === true || right === true) return true;
  if (left === null || right === null) return null;
  return false;
}

export function not3(value: Truth): Truth {
  return value === null ? null : !value;
}

/** A sort key comparator for `ORDER BY x [ASC|DESC] [NULLS FIRST|LAST]` (defaults as PostgreSQL). */
export function sortComparator(type: SqlType, descending = false, nullsFirst = descending): (left: Datum, right: Datum) => number {
  return (left, right) => {
    if (left === null || right === null) {
      if (left === right) return 0;
      return (left === null) === nullsFirst ? -1 : 1;
    }
    const order = compareDatums(type, left, right);
    return descending ? -order : order;
  };
}
