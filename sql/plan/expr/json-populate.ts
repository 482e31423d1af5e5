/**
 * A json value as a SQL value of a record's column type: PostgreSQL 15's populate_record_field
 * (jsonfuncs.c), behind json_to_record(set) and jsonb_to_record(set).
 *
 * - a missing key or a JSON null is SQL NULL;
 * - a json column takes the value's own text, a jsonb column the value as jsonb;
 * - an array column takes a JSON array, element by element (nested arrays are dimensions, which
 *   must be rectangular: `malformed JSON array`), or a JSON string in array text (`{1,2}`);
 *   anything else is `expected JSON array`;
 * - any other column takes a string's value, or any other value's text (`[1]` for an object or
 *   array), through the type's input function (`invalid input syntax for type integer: "x"`).
 *
 * jsonb documents are parsed through their printed text, which is json text: one walk for both.
 */
import { SqlError } from '../../catalog/errors.js';
import { arrayDimensionsMax, shapedArray } from '../../types/array-shape.js';
import type { Datum } from '../../types/datum.js';
import { jsonStringValue, type JsonValue } from '../../types/json-text.js';
import type { SqlType } from '../../types/sql-type.js';
import { parseText } from '../../types/text-io.js';
import type { EvalContext } from './compiled.js';

/** A record's column: its name (the object key it reads) and type. */
export interface PopulatedColumn {
  readonly name: string;
  readonly type: SqlType;
}

/** The value of `object`'s fields as the columns' values (the last of duplicate keys wins). */
export function populateRecord(object: JsonValue & { kind: 'object' }, columns: readonly PopulatedColumn[], ctx: EvalContext): Datum[] {
  const fields = new Map(object.entries.map((entry) => [entry.key, entry.value]));
  return columns.map((column) => populateField(fields.get(column.name), column.type, column.name, ctx));
}

/** One column's value from the json value at `key` (undefined: the key is missing). */
export function populateField(value: JsonValue | undefined, type: SqlType, key: string, ctx: EvalContext): Datum {
  if (value === undefined || isJsonNull(value)) return null;
  switch (type.kind) {
    case 'json':
      return value.text;
    case 'array':
      if (value.kind === 'array') return populateArray(value, type.element, key, ctx);
      if (isJsonString(value)) return parseText(type, jsonStringValue(value.text), ctx.textContext);
      throw new SqlError('22P02', 'expected JSON array', { hint: `See the value of key "${key}".` });
    default:
      return parseText(type, isJsonString(value) ? jsonStringValue(value.text) : value.text, ctx.textContext);
  }
}

function isJsonNull(value: JsonValue): boolean {
  return value.kind === 'scalar' && value.text === 'null';
}

function isJsonString(value: JsonValue): boolean {
  return value.kind === 'scalar' && value.text.startsWith('"');
}

/**
 * A JSON array as an array of `element`: the dimensions are the depth of the first non-array
 * value down the first items (populate_array_json), every array at a shallower depth must have
 * its dimension's length, and anything deeper is an element's text (`[2]` into an int: 22P02).
 */
function populateArray(value: JsonValue & { kind: 'array' }, element: SqlType, key: string, ctx: EvalContext): readonly Datum[] {
  const lengths: number[] = [];
  let probe: JsonValue | undefined = value;
  while (probe !== undefined && probe.kind === 'array') {
    lengths.push(probe.items.length);
    probe = probe.items[0];
  }
  if (lengths.length > arrayDimensionsMax) throw new SqlError('54000', `number of array dimensions (${lengths.length}) exceeds the maximum allowed (${arrayDimensionsMax})`);
  const elements: Datum[] = [];
  const walk = (node: JsonValue, path: readonly number[]): void => {
    if (path.length === lengths.length) {
      elements.push(populateField(node, element, key, ctx));
      return;
    }
    if (node.kind !== 'array') throw new SqlError('22P02', 'expected JSON array', { hint: `See the array element ${path.map((index) => `[${index}]`).join('')} of key "${key}".` });
    if (node.items.length !== lengths[path.length]) throw malformedArray();
    node.items.forEach((item, index) => walk(item, [...path, index]));
  };
  walk(value, []);
  return shapedArray(elements, { lengths, lowerBounds: lengths.map(() => 1) });
}

function malformedArray(): SqlError {
  return new SqlError('22P02', 'malformed JSON array', { detail: 'Multidimensional arrays must have sub-arrays with matching dimensions.' });
}
