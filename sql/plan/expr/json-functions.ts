/**
 * json's functions (PostgreSQL 15's json.c and jsonfuncs.c; the operators are in
 * json-operators.ts, the set-returning json_each / json_array_elements / json_object_keys in
 * set-returning.ts and table-functions.ts, json_agg / json_object_agg in aggregates.ts).
 *
 * A SQL value becomes json text as PostgreSQL's `datum_to_json` writes it, which is not jsonb's
 * printer: no blanks inside arrays and records (`[1,2]`, `{"f1":1,"f2":"a"}`), json values
 * copied verbatim, jsonb values as jsonb prints them, scalars as to_jsonb renders them (numbers
 * bare, NaN quoted, timestamps in ISO 8601). The builders put blanks of their own around it:
 * json_build_object `{"a" : 1, "b" : 2}`, json_build_array `[1, 2]`, json_object_agg
 * `{ "a" : 1 }`, json_agg `[1, 2]` (a record or array element after the first on a new line).
 */
import { SqlError } from '../../catalog/errors.js';
import type { Datum } from '../../types/datum.js';
import { arrayShape } from '../../types/array-shape.js';
import { jsonAsText, jsonField, jsonTypeName, parseJson, type JsonValue } from '../../types/json-text.js';
import { escapeJson } from '../../types/jsonb-text.js';
import { arrayType, boolType, formatType, int4Type, jsonType, textType, type SqlType } from '../../types/sql-type.js';
import { nestByDimensions } from './array-build.js';
import type { EvalContext } from './compiled.js';
import type { FunctionOverload } from './function-overload.js';
import { toJsonNode } from './jsonb-functions.js';

/**
 * `datum_to_json`: a SQL value as json text (SQL NULL is `null`). `pretty` puts a line feed
 * between the top level's elements or fields (array_to_json / row_to_json's second argument).
 */
export function toJsonText(type: SqlType, value: Datum, ctx: EvalContext, pretty = false): string {
  if (value === null) return 'null';
  const separator = pretty ? ',\n ' : ',';
  switch (type.kind) {
    case 'json':
    case 'jsonb':
      return value as string;
    case 'array': {
      // A 2-D array is an array of arrays; pretty output breaks lines between outermost items only (array_dim_to_json).
      const items = (value as readonly Datum[]).map((item) => toJsonText(type.element, item, ctx));
      return nestByDimensions(items, arrayShape(value as readonly Datum[]).lengths, (children, depth) => `[${children.join(depth === 0 ? separator : ',')}]`);
    }
    case 'record':
      return `{${type.fields.map((field, index) => `${escapeJson(field.name)}:${toJsonText(field.type, (value as readonly Datum[])[index] ?? null, ctx)}`).join(separator)}}`;
    default: {
      const node = toJsonNode(type, value, ctx);
      assertScalar(node.kind === 'scalar', type);
      return (node as { text: string }).text;
    }
  }
}

function assertScalar(scalar: boolean, type: SqlType): void {
  if (!scalar) throw new SqlError('XX000', `json of type ${formatType(type)} is not a scalar`);
}

/** Whether a type is one a json object key may not be (json.c's key_scalar check). */
function isStructured(type: SqlType): boolean {
  return type.kind === 'array' || type.kind === 'record' || type.kind === 'json' || type.kind === 'jsonb';
}

/** An object key as json text: always a string (a number key is quoted), never NULL. */
export function jsonKeyText(type: SqlType, value: Datum, ctx: EvalContext): string {
  assertScalar(value !== null, type);
  if (isStructured(type)) throw new SqlError('22023', 'key value must be scalar, not array, composite, or json');
  const text = toJsonText(type, value, ctx);
  return text.startsWith('"') ? text : escapeJson(text);
}

function buildObject(args: readonly Datum[], types: readonly SqlType[], ctx: EvalContext): string {
  if (args.length % 2 !== 0) throw new SqlError('22023', 'argument list must have even number of elements', { hint: 'The arguments of json_build_object() must consist of alternating keys and values.' });
  const pairs: string[] = [];
  for (let index = 0; index < args.length; index += 2) {
    if (args[index] === null) throw new SqlError('22023', `argument ${index + 1} cannot be null`, { hint: 'Object keys should be text.' });
    pairs.push(`${jsonKeyText(types[index]!, args[index]!, ctx)} : ${toJsonText(types[index + 1]!, args[index + 1] ?? null, ctx)}`);
  }
  return `{${pairs.join(', ')}}`;
}

/** json_object(text[]) of alternating keys and values, or json_object(keys, values): values as strings. */
function objectFromArrays(keys: readonly Datum[], values: readonly Datum[]): string {
  const pairs = keys.map((key, index) => {
    if (key === null) throw new SqlError('22004', 'null value not allowed for object key');
    const value = values[index] ?? null;
    return `${escapeJson(key as string)} : ${value === null ? 'null' : escapeJson(value as string)}`;
  });
  return `{${pairs.join(', ')}}`;
}

function objectFromPairs(array: readonly Datum[]): string {
  if (array.length % 2 !== 0) throw new SqlError('2202E', 'array must have even number of elements');
  return objectFromArrays(
    array.filter((_item, index) => index % 2 === 0),
    array.filter((_item, index) => index % 2 === 1),
  );
}

function objectFromKeysAndValues(keys: readonly Datum[], values: readonly Datum[]): string {
  if (keys.length !== values.length) throw new SqlError('2202E', 'mismatched array dimensions');
  return objectFromArrays(keys, values);
}

function arrayLength(text: string): number {
  const value = parseJson(text, false);
  if (value.kind === 'array') return value.items.length;
  throw new SqlError('22023', value.kind === 'scalar' ? 'cannot get array length of a scalar' : 'cannot get array length of a non-array');
}

/** One path step (`#>`, json_extract_path): a key into an object, an integer into an array. */
export function jsonStep(value: JsonValue, step: string): JsonValue | undefined {
  if (value.kind === 'object') return jsonField(value, step);
  if (value.kind !== 'array' || !/^\s*[+-]?\d+$/.test(step)) return undefined;
  const index = Number(step);
  const at = index < 0 ? value.items.length + index : index;
  return value.items[at];
}

/** The value at a path of text steps; a NULL step, a missing key or a step into a scalar gives undefined. */
export function jsonPath(value: JsonValue, steps: readonly Datum[]): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const step of steps) {
    if (current === undefined || step === null) return undefined;
    current = jsonStep(current, step as string);
  }
  return current;
}

/** json_strip_nulls: object fields whose value is null dropped at every depth, printed without blanks. */
function stripNulls(value: JsonValue): string {
  switch (value.kind) {
    case 'scalar':
      return value.text;
    case 'array':
      return `[${value.items.map(stripNulls).join(',')}]`;
    case 'object': {
      const kept = value.entries.filter((entry) => !(entry.value.kind === 'scalar' && entry.value.text === 'null'));
      return `{${kept.map((entry) => `${escapeJson(entry.key)}:${stripNulls(entry.value)}`).join(',')}}`;
    }
  }
}

function strict(args: readonly (SqlType | 'any')[], result: SqlType, impl: FunctionOverload['impl']): FunctionOverload {
  return { args, result, strict: true, immutable: true, impl };
}

/** `row_to_json(record [, pretty])`: only a record (a ROW(…) or a table's row); 42883 otherwise. */
function rowToJson(prettyArgument: boolean): FunctionOverload {
  const args: (SqlType | 'any')[] = prettyArgument ? ['any', boolType] : ['any'];
  return {
    args,
    result: (types) => {
      if (types[0]!.kind !== 'record') throw noFunction('row_to_json', types);
      return jsonType;
    },
    strict: true,
    immutable: false,
    impl: ([row, pretty], types, ctx) => toJsonText(types[0]!, row ?? null, ctx, pretty === true),
  };
}

function arrayToJson(prettyArgument: boolean): FunctionOverload {
  const args: (SqlType | 'any')[] = prettyArgument ? ['any', boolType] : ['any'];
  return {
    args,
    result: (types) => {
      if (types[0]!.kind !== 'array') throw noFunction('array_to_json', types);
      return jsonType;
    },
    strict: true,
    immutable: false,
    impl: ([array, pretty], types, ctx) => toJsonText(types[0]!, array ?? null, ctx, pretty === true),
  };
}

function noFunction(name: string, types: readonly SqlType[]): SqlError {
  return new SqlError('42883', `function ${name}(${types.map(formatType).join(', ')}) does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
}

/** The json functions, for functions.ts's table. */
export function jsonFunctions(): [string, readonly FunctionOverload[]][] {
  const textArray = arrayType(textType);
  const extract = (text: boolean): FunctionOverload => ({
    ...strict([jsonType, textType], text ? textType : jsonType, ([doc, ...steps]) => {
      const found = jsonPath(parseJson(doc as string), steps);
      return text ? jsonAsText(found) : (found?.text ?? null);
    }),
    variadic: true,
  });
  return [
    // The text of a timestamptz argument depends on the session's time zone: not immutable.
    ['to_json', [{ args: ['any'], result: jsonType, strict: true, immutable: false, impl: ([value], types, ctx) => toJsonText(types[0]!, value ?? null, ctx) }]],
    ['row_to_json', [rowToJson(false), rowToJson(true)]],
    ['array_to_json', [arrayToJson(false), arrayToJson(true)]],
    ['json_build_object', [{ args: [], result: jsonType, strict: false, immutable: false, impl: () => '{}' }, { args: ['any'], variadic: true, result: jsonType, strict: false, immutable: false, impl: buildObject }]],
    [
      'json_build_array',
      [
        { args: [], result: jsonType, strict: false, immutable: false, impl: () => '[]' },
        { args: ['any'], variadic: true, result: jsonType, strict: false, immutable: false, impl: (args, types, ctx) => `[${args.map((value, index) => toJsonText(types[index]!, value, ctx)).join(', ')}]` },
      ],
    ],
    ['json_object', [strict([textArray], jsonType, ([array]) => objectFromPairs(array as readonly Datum[])), strict([textArray, textArray], jsonType, ([keys, values]) => objectFromKeysAndValues(keys as readonly Datum[], values as readonly Datum[]))]],
    ['json_typeof', [strict([jsonType], textType, ([value]) => jsonTypeName(parseJson(value as string, false)))]],
    ['json_array_length', [strict([jsonType], int4Type, ([value]) => arrayLength(value as string))]],
    ['json_extract_path', [extract(false)]],
    ['json_extract_path_text', [extract(true)]],
    ['json_strip_nulls', [strict([jsonType], jsonType, ([value]) => stripNulls(parseJson(value as string)))]],
  ];
}

/** A json object's fields in document order, duplicates kept (json_each, json_object_keys). */
export function jsonObjectFields(text: string, functionName: string): readonly { key: string; value: JsonValue }[] {
  const value = parseJson(text);
  if (value.kind === 'object') return value.entries;
  if (functionName === 'json_object_keys') throw new SqlError('22023', `cannot call ${functionName} on ${value.kind === 'array' ? 'an array' : 'a scalar'}`);
  throw new SqlError('22023', value.kind === 'array' ? 'cannot deconstruct an array as an object' : 'cannot deconstruct a scalar');
}

/** A json array's elements (json_array_elements; only json_array_elements_text de-escapes its strings). */
export function jsonArrayItems(text: string, functionName: string): readonly JsonValue[] {
  const value = parseJson(text, functionName === 'json_array_elements_text');
  if (value.kind === 'array') return value.items;
  throw new SqlError('22023', `cannot call ${functionName} on ${value.kind === 'scalar' ? 'a scalar' : 'a non-array'}`);
}

/**
 * The rows of json_each[_text], json_array_elements[_text] and json_object_keys over one document:
 * fields in document order with duplicates kept (unlike jsonb's), values as their own text.
 */
export function jsonSetRows(name: string, text: string): Datum[][] {
  switch (name) {
    case 'json_array_elements':
      return jsonArrayItems(text, name).map((item) => [item.text]);
    case 'json_array_elements_text':
      return jsonArrayItems(text, name).map((item) => [jsonAsText(item)]);
    case 'json_object_keys':
      return jsonObjectFields(text, name).map((entry) => [entry.key]);
    case 'json_each':
      return jsonObjectFields(text, name).map((entry) => [entry.key, entry.value.text]);
    case 'json_each_text':
      return jsonObjectFields(text, name).map((entry) => [entry.key, jsonAsText(entry.value)]);
    default:
      throw new SqlError('XX000', `${name} is not a json set-returning function`);
  }
}
