/**
 * What the join operators (hash, lookup, merge) do per row, kept cheap: the joined row as one
 * pre-sized array (a copy loop is several times faster in V8 than `[...a, ...b]` or `concat`,
 * and every output row of a join is one), and the hash key of equality keys as a JavaScript
 * primitive that equates exactly what SQL's `=` equates — the value itself where the type allows
 * it, instead of `datumsKey`'s key encoding into a string for every row of both sides.
 */
import type { SqlType } from '../types/sql-type.js';
import type { Datum } from '../types/datum.js';
import { datumsKey } from '../rowcodec/datum-key.js';

/** `left` then `right` in one new array. */
export function concatRows(left: readonly Datum[], right: readonly Datum[]): Datum[] {
  const leftWidth = left.length;
  const rightWidth = right.length;
  const row = new Array<Datum>(leftWidth + rightWidth);
  for (let index = 0; index < leftWidth; index++) row[index] = left[index]!;
  for (let index = 0; index < rightWidth; index++) row[leftWidth + index] = right[index]!;
  return row;
}

/** A hash-table key for non-NULL key values: equal keys (SQL `=`) give the same primitive. */
export type HashKey = string | number | bigint;

const safeMax = BigInt(Number.MAX_SAFE_INTEGER);
const safeMin = -safeMax;

/**
 * The hash key of one value of `type`, when the value itself equates as `=` does: integers (an
 * int8 within 2^53 as a number — a Map hashes numbers far faster than bigints), dates, booleans,
 * and code-point-compared strings. Undefined for the rest (numeric's `1.5 = 1.50`, floats' `-0`
 * and NaN, bpchar's trailing blanks, …): those go through `datumsKey`.
 */
function primitiveKey(type: SqlType): ((value: Datum) => HashKey) | undefined {
  switch (type.kind) {
    case 'int2':
    case 'int4':
    case 'date':
    case 'oid':
      return (value) => value as number;
    case 'int8':
    case 'timestamp':
    case 'timestamptz': {
      return (value) => {
        const big = value as bigint;
        return big <= safeMax && big >= safeMin ? Number(big) : big;
      };
    }
    case 'bool':
      return (value) => (value === true ? 1 : 0);
    case 'text':
    case 'varchar':
    case 'name':
    case 'uuid':
      return (value) => value as string;
    default:
      return undefined;
  }
}

/**
 * The hash key function for equality keys of `types` (the values all non-NULL): one primitive
 * key's value as is; several primitive keys joined in a string (each part's kind fixed by its
 * type, `\u0000` apart — no SQL text holds U+0000); otherwise `datumsKey`.
 */
export function hashKeyFunction(types: readonly SqlType[]): (values: readonly Datum[]) => HashKey {
  const parts = types.map(primitiveKey);
  if (parts.some((part) => part === undefined)) return (values) => datumsKey(types, values);
  const keys = parts as ((value: Datum) => HashKey)[];
  if (keys.length === 1) {
    const only = keys[0]!;
    return (values) => only(values[0]!);
  }
  return (values) => {
    let key = '';
    for (let index = 0; index < keys.length; index++) key += `${String(keys[index]!(values[index]!))}\u0000`;
    return key;
  };
}
