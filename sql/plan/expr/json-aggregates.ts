/**
 * json_agg and json_object_agg (PostgreSQL 15's json.c): the group's values written as json
 * text as they come, with json.c's own blanks — `[1, 2]` (a record or array element after the
 * first starts a new line: `[{"f1":1}, \n {"f1":2}]`) and `{ "a" : 1, "b" : 2 }` (duplicate keys
 * kept, in input order). No rows give SQL NULL.
 */
import { SqlError } from '../../catalog/errors.js';
import type { Datum } from '../../types/datum.js';
import type { SqlType } from '../../types/sql-type.js';
import type { EvalContext } from './compiled.js';
import { jsonKeyText, toJsonText } from './json-functions.js';

/** One group's running state (aggregates.ts's Accumulator, declared here to keep the import one-way). */
export interface JsonAccumulator {
  add(values: readonly Datum[]): void;
  result(): Datum;
}

export function jsonArrayAccumulator(type: SqlType, ctx: EvalContext): JsonAccumulator {
  const parts: string[] = [];
  const structured = type.kind === 'array' || type.kind === 'record';
  return {
    add(values) {
      const value = values[0] ?? null;
      // json.c adds the line break only before a non-NULL structured value that is not the first.
      const lineBreak = parts.length > 0 && structured && value !== null ? '\n ' : '';
      parts.push(lineBreak + toJsonText(type, value, ctx));
    },
    result: () => (parts.length === 0 ? null : `[${parts.join(', ')}]`),
  };
}

export function jsonObjectAccumulator(keyType: SqlType, valueType: SqlType, ctx: EvalContext): JsonAccumulator {
  const pairs: string[] = [];
  return {
    add(values) {
      const key = values[0] ?? null;
      if (key === null) throw new SqlError('22023', 'field name must not be null');
      pairs.push(`${jsonKeyText(keyType, key, ctx)} : ${toJsonText(valueType, values[1] ?? null, ctx)}`);
    },
    result: () => (pairs.length === 0 ? null : `{ ${pairs.join(', ')} }`),
  };
}
