/**
 * Set-returning functions in a SELECT list (PostgreSQL 10+'s ProjectSet): `SELECT
 * generate_series(1, 3)`, `SELECT id, unnest(tags) FROM t`, `jsonb_array_elements(doc)`. Each
 * call compiles to a slot; the projection (sql/exec/project-set.ts) runs every call of its list
 * for an input row and emits as many rows as the longest returns, the calls advancing in lockstep
 * and a shorter one giving NULL once it is done; the other expressions are evaluated for each
 * emitted row. A row for which every call returns nothing emits nothing.
 *
 * A call's values come from an iterator, so `generate_series(1, 10000000) LIMIT 3` holds three
 * values, not ten million. (The FROM forms are sql/plan/table-functions.ts.)
 */
import { SqlError } from '../../catalog/errors.js';
import type { Datum } from '../../types/datum.js';
import { parseJsonb, printJsonb, type JsonNode } from '../../types/jsonb-text.js';
import { jsonSetRows } from './json-functions.js';
import { formatType, int4Type, jsonType, jsonbType, recordType, textType, type SqlType } from '../../types/sql-type.js';
import { canCoerce, coerce, commonType, isOpen } from './coerce.js';
import type { CompiledExpr, EvalContext } from './compiled.js';
import { generateSubscriptsCall } from './generate-subscripts.js';
import { jsonPathQueryCall } from './jsonpath-functions.js';
import { noNamedFunction } from './named-args.js';
import { regexpMatchesRows, regexpMatchesType, regexpSplit } from './regex-functions.js';
import { datetimeSeriesType, seriesStepper, seriesValues } from './series.js';

/** A set-returning call, compiled: its arguments and how their values become its rows' values. */
export interface SetReturningCall {
  readonly name: string;
  readonly type: SqlType;
  readonly args: readonly CompiledExpr[];
  /**
   * The values for one input row's arguments (never called with a NULL argument: no rows then);
   * `ctx` for what depends on the session (a timestamptz series steps in its time zone).
   */
  readonly expand: (args: readonly Datum[], ctx: EvalContext) => Iterator<Datum>;
}

export const setReturningNames: ReadonlySet<string> = new Set(['generate_series', 'unnest', 'jsonb_array_elements', 'jsonb_array_elements_text', 'jsonb_object_keys', 'jsonb_path_query', 'json_array_elements', 'json_array_elements_text', 'json_object_keys', 'regexp_matches', 'regexp_split_to_table', 'generate_subscripts']);

/**
 * The set-returning functions of schema information_schema, callable only by their qualified
 * name (the schema is not on the search path): `_pg_expandarray(anyarray)`, which the JDBC
 * driver's getPrimaryKeys and getIndexInfo call on `pg_index.indkey`.
 */
export const informationSchemaSetReturningNames: ReadonlySet<string> = new Set(['_pg_expandarray']);

const noFunction = (name: string, args: readonly CompiledExpr[]): SqlError =>
  new SqlError('42883', `function ${name}(${args.map((arg) => (isOpen(arg) ? 'unknown' : formatType(arg.type))).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });

/** Resolves `name(args)` to a call; 42883 where PostgreSQL has no such overload. */
export function setReturningCall(name: string, args: readonly CompiledExpr[], paramTypes: (SqlType | undefined)[], argNames?: readonly (string | null)[]): SetReturningCall {
  // Only jsonb_path_query declares parameter names; a name matches nothing elsewhere (42883).
  if (argNames !== undefined && name !== 'jsonb_path_query') throw noNamedFunction(name, args, argNames);
  switch (name) {
    case 'generate_series':
      return generateSeries(args, paramTypes);
    case 'generate_subscripts':
      return generateSubscriptsCall(args, paramTypes);
    case 'unnest': {
      const array = args.length === 1 ? args[0]! : undefined;
      if (array === undefined || array.type.kind !== 'array') throw noFunction(name, args);
      return { name, type: array.type.element, args: [array], expand: ([value]) => flatten(value as readonly Datum[]) };
    }
    case 'jsonb_array_elements':
    case 'jsonb_array_elements_text': {
      const doc = jsonbArgument(name, args, paramTypes);
      const asText = name === 'jsonb_array_elements_text';
      return { name, type: asText ? textType : jsonbType, args: [doc], expand: ([value]) => arrayElements(value as string, asText) };
    }
    case 'jsonb_object_keys': {
      const doc = jsonbArgument(name, args, paramTypes);
      return { name, type: textType, args: [doc], expand: ([value]) => objectKeys(value as string) };
    }
    case 'json_array_elements':
    case 'json_array_elements_text':
    case 'json_object_keys': {
      const doc = args[0];
      if (args.length !== 1 || doc === undefined || (!isOpen(doc) && doc.type.kind !== 'json')) throw noFunction(name, args);
      const type = name === 'json_array_elements' ? jsonType : textType;
      return { name, type, args: [coerce(doc, jsonType, 'implicit', paramTypes)], expand: ([value]) => jsonSetRows(name, value as string).map((row) => row[0]!)[Symbol.iterator]() };
    }
    case 'jsonb_path_query':
      return jsonPathQueryCall(args, paramTypes, argNames);
    case 'regexp_matches':
    case 'regexp_split_to_table':
      return regexpSetCall(name, args, paramTypes);
    case '_pg_expandarray':
      return expandArray(args);
    default:
      throw new SqlError('0A000', `set-returning function ${name} is not supported in the select list`);
  }
}

/**
 * `information_schema._pg_expandarray(anyarray, OUT x anyelement, OUT n int)`: one record per
 * element, `(element, its 1-based position)` — PostgreSQL defines it in SQL as `select $1[s],
 * s - array_lower($1, 1) + 1 from generate_series(array_lower($1, 1), array_upper($1, 1)) s`, so
 * n counts from 1 whatever the lower bound (an int2vector's is 0).
 */
function expandArray(args: readonly CompiledExpr[]): SetReturningCall {
  const array = args.length === 1 ? args[0]! : undefined;
  const name = 'information_schema._pg_expandarray';
  if (array !== undefined && isOpen(array)) throw new SqlError('42804', 'could not determine polymorphic type because input has type unknown');
  if (array === undefined || array.type.kind !== 'array') throw noFunction(name, args);
  const type = recordType([
    { name: 'x', type: array.type.element },
    { name: 'n', type: int4Type },
  ]);
  return { name, type, args: [array], expand: ([value]) => expandArrayRows(value as readonly Datum[]) };
}

function* expandArrayRows(array: readonly Datum[]): Iterator<Datum> {
  for (let index = 0; index < array.length; index++) yield Object.freeze([array[index] ?? null, index + 1]);
}

/**
 * `regexp_matches(string, pattern [, flags])`, a text[] per match, and
 * `regexp_split_to_table(string, pattern [, flags])`, a text per piece (regex-functions.ts).
 */
export function regexpSetCall(name: 'regexp_matches' | 'regexp_split_to_table', args: readonly CompiledExpr[], paramTypes: (SqlType | undefined)[]): SetReturningCall {
  if (args.length < 2 || args.length > 3 || args.some((arg) => !isOpen(arg) && !canCoerce(arg.type, textType, 'implicit'))) throw noFunction(name, args);
  const coerced = args.map((arg) => coerce(arg, textType, 'implicit', paramTypes));
  if (name === 'regexp_matches') {
    return { name, type: regexpMatchesType, args: coerced, expand: ([source, pattern, flags]) => regexpMatchesRows(source as string, pattern as string, (flags as string | undefined) ?? '') };
  }
  return { name, type: textType, args: coerced, expand: ([source, pattern, flags]) => regexpSplit(source as string, pattern as string, (flags as string | undefined) ?? '', name)[Symbol.iterator]() };
}

function jsonbArgument(name: string, args: readonly CompiledExpr[], paramTypes: (SqlType | undefined)[]): CompiledExpr {
  const doc = args[0];
  if (args.length !== 1 || doc === undefined || (!isOpen(doc) && doc.type.kind !== 'jsonb')) throw noFunction(name, args);
  return coerce(doc, jsonbType, 'implicit', paramTypes);
}

function generateSeries(args: readonly CompiledExpr[], paramTypes: (SqlType | undefined)[]): SetReturningCall {
  if (args.length < 2 || args.length > 3) throw noFunction('generate_series', args);
  const datetime = datetimeSeriesType(args);
  if (datetime !== undefined) {
    const coerced = args.map((arg, index) => coerce(arg, index === 2 ? datetime.stepType : datetime.type, 'implicit', paramTypes));
    return { name: 'generate_series', type: datetime.type, args: coerced, expand: ([start, stop, step], ctx) => seriesValues(start!, stop!, seriesStepper(datetime.type, step!, ctx.textContext.timeZone)) };
  }
  let type = commonType(args, 'generate_series');
  if (type.kind === 'text' || type.kind === 'int2') type = int4Type;
  if (type.kind !== 'int4' && type.kind !== 'int8' && type.kind !== 'numeric') throw noFunction('generate_series', args);
  const seriesType = type;
  const coerced = args.map((arg) => coerce(arg, seriesType, 'implicit', paramTypes));
  return { name: 'generate_series', type: seriesType, args: coerced, expand: ([start, stop, step], ctx) => seriesValues(start!, stop!, seriesStepper(seriesType, step ?? null, ctx.textContext.timeZone)) };
}

/** unnest flattens a multidimensional array in storage order. */
function* flatten(array: readonly Datum[]): Iterator<Datum> {
  for (const element of array) {
    if (Array.isArray(element)) yield* { [Symbol.iterator]: () => flatten(element as readonly Datum[]) };
    else yield element as Datum;
  }
}

function* arrayElements(doc: string, asText: boolean): Iterator<Datum> {
  const node = parseJsonb(doc);
  if (node.kind !== 'array') throw new SqlError('22023', node.kind === 'object' ? 'cannot extract elements from an object' : 'cannot extract elements from a scalar');
  for (const item of node.items) yield asText ? scalarText(item) : printJsonb(item);
}

/** `->>`'s text of a jsonb value: a string unquoted, null as NULL, anything else as printed. */
function scalarText(node: JsonNode): Datum {
  if (node.kind !== 'scalar') return printJsonb(node);
  if (node.text === 'null') return null;
  return node.text.startsWith('"') ? (JSON.parse(node.text) as string) : node.text;
}

function* objectKeys(doc: string): Iterator<Datum> {
  const node = parseJsonb(doc);
  if (node.kind !== 'object') throw new SqlError('22023', `cannot call jsonb_object_keys on ${node.kind === 'array' ? 'an array' : 'a scalar'}`);
  yield* [...node.entries.keys()].sort(jsonbKeyOrder);
}

/** jsonb's key order (shorter keys first, then bytewise), the order jsonb_object_keys returns them. */
function jsonbKeyOrder(left: string, right: string): number {
  const a = Buffer.from(left, 'utf8');
  const b = Buffer.from(right, 'utf8');
  return a.length !== b.length ? a.length - b.length : Buffer.compare(a, b);
}
