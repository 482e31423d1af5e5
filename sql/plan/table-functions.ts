/**
 * Set-returning functions in FROM: `generate_series(start, stop [, step])` over integers
 * (int4 or int8 by its arguments) and numeric, and over timestamp / timestamptz with an
 * interval step (sql/plan/expr/series.ts), as PostgreSQL; `unnest(array [, …])` (one row per
 * element, none for NULL or an empty array). Each may be written `WITH ORDINALITY`.
 * json_to_record(set) and jsonb_to_record(set), which take a column definition list, are in
 * json-to-record.ts; any other function given one is refused as PostgreSQL refuses it (42601).
 */
import type * as ast from '../parser/ast.js';
import { SqlError } from '../catalog/errors.js';
import { commonType, coerce, isOpen } from './expr/coerce.js';
import { inOrder, type ExprCompiler } from './expr/compile.js';
import type { CompiledExpr } from './expr/compiled.js';
import { regexpSetCall } from './expr/set-returning.js';
import { jsonPathQueryCall } from './expr/jsonpath-functions.js';
import { generateSubscriptsCall } from './expr/generate-subscripts.js';
import { datetimeSeriesType } from './expr/series.js';
import type { FromResult } from './context.js';
import { Scope } from './scope.js';
import { jsonSetRows } from './expr/json-functions.js';
import { planJsonToRecord, recordFunctionNames, refuseColumnDefinitions } from './json-to-record.js';
import { formatType, int4Type, int8Type, jsonType, jsonbType, regclassType, textType, type SqlType } from '../types/sql-type.js';
import { compareKeys, parseJsonb, printJsonb, type JsonNode } from '../types/jsonb-text.js';
import type { Datum } from '../types/datum.js';

export async function planGenerateSeries(compiler: ExprCompiler, item: ast.FunctionRef): Promise<FromResult> {
  if (!item.withOrdinality) return planFunction(compiler, item);
  // WITH ORDINALITY: the function's columns, then a bigint numbering its rows from 1, named by
  // the alias's next column name or "ordinality" (PostgreSQL's nodeFunctionscan.c).
  const planned = await planFunction(compiler, item);
  const width = planned.node.width;
  const table = planned.scope.columns[0]?.table ?? '';
  const ordinality = { name: item.alias?.columns[width] ?? 'ordinality', table, type: int8Type, hidden: false, tableOid: 0, columnNumber: 0 };
  return { ...planned, node: { kind: 'ordinality', input: planned.node, width: width + 1 }, scope: new Scope([...planned.scope.columns, ordinality]) };
}

async function planFunction(compiler: ExprCompiler, item: ast.FunctionRef): Promise<FromResult> {
  const name = item.call.name[item.call.name.length - 1];
  if (name !== undefined && recordFunctionNames.has(name)) return planJsonToRecord(compiler, item, name);
  refuseColumnDefinitions(item, name);
  if (name === 'unnest') return planUnnest(compiler, item);
  if (name === 'pg_partition_ancestors') return planPartitionAncestors(compiler, item);
  if (name === 'regexp_matches' || name === 'regexp_split_to_table' || name === 'jsonb_path_query' || name === 'generate_subscripts') return planRegexpSet(compiler, item, name);
  if (name !== undefined && jsonbSetFunctions.has(name)) return planJsonbSetFunction(compiler, item, name);
  if (item.call.name.length === 2 && item.call.name[0] === 'information_schema' && name === '_pg_expandarray') return planExpandArray(compiler, item);
  if (name !== 'generate_series') throw new SqlError('0A000', `set-returning function ${item.call.name.join('.')} is not supported in FROM`);
  const args = await inOrder(item.call.args, (arg) => compiler.compile(arg));
  if (args.length < 2 || args.length > 3) throw new SqlError('42883', `function generate_series(${args.map(() => 'unknown').join(', ')}) does not exist`);
  const datetime = datetimeSeriesType(args);
  if (datetime !== undefined) return seriesNode(item, datetime.type, args.map((arg, index) => coerce(arg, index === 2 ? datetime.stepType : datetime.type, 'implicit', compiler.paramTypes)));
  let type = commonType(args, 'generate_series');
  if (type.kind === 'text') type = int4Type;
  if (type.kind !== 'int4' && type.kind !== 'int8' && type.kind !== 'numeric' && type.kind !== 'int2') {
    throw new SqlError('42883', `function generate_series(${args.map((arg) => (isOpen(arg) ? 'unknown' : formatType(arg.type))).join(', ')}) does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  }
  if (type.kind === 'int2') type = int4Type;
  const seriesType = type;
  return seriesNode(item, seriesType, args.map((arg) => coerce(arg, seriesType, 'implicit', compiler.paramTypes)));
}

/** The series node of `generate_series` over `type` with its coerced (start, stop[, step]). */
function seriesNode(item: ast.FunctionRef, type: SqlType, args: readonly CompiledExpr[]): FromResult {
  const [start, stop, step] = args;
  for (const arg of [start, stop, step]) if (arg !== undefined && !arg.rowIndependent) throw new SqlError('0A000', 'generate_series arguments must not reference columns');
  const alias = item.alias?.name ?? 'generate_series';
  const column = item.alias?.columns[0] ?? alias;
  const scope = new Scope([{ name: column, table: alias, type, hidden: false, tableOid: 0, columnNumber: 0 }]);
  return { node: { kind: 'series', type, start: start!, stop: stop!, step: step ?? null, width: 1 }, scope };
}

/**
 * `unnest(array [, array …])` in FROM: one row per element; several arrays are zipped, the shorter
 * padded with NULLs, one column each (PostgreSQL's multi-argument unnest). The arguments are
 * constant for the scan (outer references allowed), so the rows are computed when it runs.
 */
async function planUnnest(compiler: ExprCompiler, item: ast.FunctionRef): Promise<FromResult> {
  if (item.call.args.length === 0) throw new SqlError('42883', 'function unnest() does not exist', { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  const arrays = await inOrder(item.call.args, (arg) => compiler.compile(arg));
  for (const array of arrays) {
    if (array.type.kind !== 'array') throw new SqlError('42883', `function unnest(${arrays.map((each) => formatType(each.type)).join(', ')}) does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
    if (!array.rowIndependent) throw new SqlError('0A000', 'unnest arguments must not reference columns of the same FROM list');
  }
  const alias = item.alias?.name ?? 'unnest';
  // One array: the alias alone names the column too (a bare setof); several: each column "unnest".
  const scope = new Scope(
    arrays.map((array, index) => ({ name: item.alias?.columns[index] ?? (arrays.length === 1 ? alias : 'unnest'), table: alias, type: (array.type as Extract<SqlType, { kind: 'array' }>).element, hidden: false, tableOid: 0, columnNumber: 0 })),
  );
  const values = arrays.map((array) => array.eval);
  const rows = (ctx: Parameters<CompiledExpr['eval']>[1]): Datum[][] => {
    const elements = values.map((value) => (value([], ctx) ?? []) as readonly Datum[]);
    const count = Math.max(...elements.map((each) => each.length));
    const out: Datum[][] = [];
    for (let index = 0; index < count; index++) out.push(elements.map((each) => each[index] ?? null));
    return out;
  };
  return { node: { kind: 'virtual', name: 'unnest', width: arrays.length, rows: async (_txn, ctx) => rows(ctx) }, scope };
}

/**
 * `regexp_matches(string, pattern [, flags])` (a text[] row per match) and
 * `regexp_split_to_table(…)` (a text row per piece) in FROM: the select list's calls
 * (sql/plan/expr/set-returning.ts), no rows when an argument is NULL. The arguments are constant
 * for the scan, as unnest's.
 */
async function planRegexpSet(compiler: ExprCompiler, item: ast.FunctionRef, name: 'regexp_matches' | 'regexp_split_to_table' | 'jsonb_path_query' | 'generate_subscripts'): Promise<FromResult> {
  const args = await inOrder(item.call.args, (arg) => compiler.compile(arg));
  // jsonb_path_query's and generate_subscripts' rows come the same way (sql/plan/expr/jsonpath-functions.ts, generate-subscripts.ts).
  const call =
    name === 'jsonb_path_query' ? jsonPathQueryCall(args, compiler.paramTypes, item.call.argNames) : name === 'generate_subscripts' ? generateSubscriptsCall(args, compiler.paramTypes) : regexpSetCall(name, args, compiler.paramTypes);
  if (call.args.some((arg) => !arg.rowIndependent)) throw new SqlError('0A000', `${name} arguments must not reference columns of the same FROM list`);
  const alias = item.alias?.name ?? call.name;
  const scope = new Scope([{ name: item.alias?.columns[0] ?? alias, table: alias, type: call.type, hidden: false, tableOid: 0, columnNumber: 0 }]);
  const rows = (ctx: Parameters<CompiledExpr['eval']>[1]): Datum[][] => {
    const values = call.args.map((arg) => arg.eval([], ctx));
    if (values.includes(null)) return [];
    const out: Datum[][] = [];
    for (let rows = call.expand(values, ctx), next = rows.next(); next.done !== true; next = rows.next()) out.push([next.value]);
    return out;
  };
  return { node: { kind: 'virtual', name: call.name, width: 1, rows: async (_txn, ctx) => rows(ctx) }, scope };
}

/**
 * `information_schema._pg_expandarray(anyarray)` in FROM: its OUT parameters as columns, x (an
 * element) and n (its 1-based position, whatever the array's lower bound), one row per element —
 * the same rows as in a SELECT list (sql/plan/expr/set-returning.ts), there records (x, n).
 */
async function planExpandArray(compiler: ExprCompiler, item: ast.FunctionRef): Promise<FromResult> {
  const args = await inOrder(item.call.args, (arg) => compiler.compile(arg));
  const array = args.length === 1 ? args[0]! : undefined;
  if (array !== undefined && isOpen(array)) throw new SqlError('42804', 'could not determine polymorphic type because input has type unknown');
  if (array?.type.kind !== 'array') {
    throw new SqlError('42883', `function information_schema._pg_expandarray(${args.map((arg) => formatType(arg.type)).join(', ')}) does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  }
  if (!array.rowIndependent) throw new SqlError('0A000', '_pg_expandarray arguments must not reference columns of the same FROM list');
  const alias = item.alias?.name ?? '_pg_expandarray';
  const types: readonly SqlType[] = [array.type.element, int4Type];
  const scope = new Scope(['x', 'n'].map((column, index) => ({ name: item.alias?.columns[index] ?? column, table: alias, type: types[index]!, hidden: false, tableOid: 0, columnNumber: 0 })));
  const values = array.eval;
  return { node: { kind: 'virtual', name: '_pg_expandarray', width: 2, rows: async (_txn, ctx) => ((values([], ctx) ?? []) as readonly Datum[]).map((value, index) => [value, index + 1]) }, scope };
}

/** The jsonb and json set-returning functions FROM takes, with their columns. */
const jsonbSetFunctions: ReadonlyMap<string, readonly { name: string; type: SqlType }[]> = new Map([
  ['jsonb_each', [{ name: 'key', type: textType }, { name: 'value', type: jsonbType }]],
  ['jsonb_each_text', [{ name: 'key', type: textType }, { name: 'value', type: textType }]],
  ['jsonb_array_elements', [{ name: 'value', type: jsonbType }]],
  ['jsonb_array_elements_text', [{ name: 'value', type: textType }]],
  ['jsonb_object_keys', [{ name: 'jsonb_object_keys', type: textType }]],
  ['json_each', [{ name: 'key', type: textType }, { name: 'value', type: jsonType }]],
  ['json_each_text', [{ name: 'key', type: textType }, { name: 'value', type: textType }]],
  ['json_array_elements', [{ name: 'value', type: jsonType }]],
  ['json_array_elements_text', [{ name: 'value', type: textType }]],
  ['json_object_keys', [{ name: 'json_object_keys', type: textType }]],
]);

/**
 * `jsonb_each[_text]`, `jsonb_array_elements[_text]` and `jsonb_object_keys` in FROM: one row per
 * field or element of one document (so the rows are as many as the document, which one value's
 * size limit bounds), fields in jsonb's key order. Like unnest, the argument must not read the
 * FROM list's columns (no LATERAL yet). 22023 for a document of the wrong shape, as PostgreSQL.
 */
async function planJsonbSetFunction(compiler: ExprCompiler, item: ast.FunctionRef, name: string): Promise<FromResult> {
  const columns = jsonbSetFunctions.get(name)!;
  const args = await inOrder(item.call.args, (arg) => compiler.compile(arg));
  // json_each and the others of json walk the document's own text (json-functions.ts).
  const documentType = name.startsWith('jsonb_') ? jsonbType : jsonType;
  if (args.length !== 1 || (!isOpen(args[0]!) && args[0]!.type.kind !== documentType.kind)) {
    throw new SqlError('42883', `function ${name}(${args.map((arg) => (isOpen(arg) ? 'unknown' : formatType(arg.type))).join(', ')}) does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  }
  const document = coerce(args[0]!, documentType, 'implicit', compiler.paramTypes);
  if (!document.rowIndependent) throw new SqlError('0A000', `${name} arguments must not reference columns of the same FROM list`);
  const alias = item.alias?.name ?? name;
  // jsonb_object_keys returns a bare setof text, so an alias names its column (as unnest's); the others' columns are OUT parameters and keep their names.
  const names = columns.map((column, index) => item.alias?.columns[index] ?? (name === 'jsonb_object_keys' || name === 'json_object_keys' ? alias : column.name));
  const scope = new Scope(columns.map((column, index) => ({ name: names[index]!, table: alias, type: column.type, hidden: false, tableOid: 0, columnNumber: 0 })));
  const asText = (node: JsonNode): Datum => (node.kind === 'scalar' && node.text === 'null' ? null : node.kind === 'scalar' && node.text.startsWith('"') ? (parseJsonbString(node.text)) : printJsonb(node));
  const rows = (text: string): Datum[][] => {
    const node = parseJsonb(text);
    const shape = node.kind === 'scalar' ? 'a scalar' : node.kind === 'array' ? 'an array' : 'an object';
    if (name === 'jsonb_array_elements' || name === 'jsonb_array_elements_text') {
      if (node.kind !== 'array') throw new SqlError('22023', node.kind === 'scalar' ? 'cannot extract elements from a scalar' : 'cannot extract elements from an object');
      return node.items.map((child) => [name === 'jsonb_array_elements' ? printJsonb(child) : asText(child)]);
    }
    if (node.kind !== 'object') throw new SqlError('22023', name === 'jsonb_object_keys' ? `cannot call ${name} on ${shape}` : `cannot call ${name} on a non-object`);
    const keys = [...node.entries.keys()].sort(compareKeys);
    if (name === 'jsonb_object_keys') return keys.map((key) => [key]);
    return keys.map((key) => [key, name === 'jsonb_each' ? printJsonb(node.entries.get(key)!) : asText(node.entries.get(key)!)]);
  };
  const value = document.eval;
  return { node: { kind: 'virtual', name, width: columns.length, rows: async (_txn, ctx) => { const text = value([], ctx); return text === null ? [] : documentType.kind === 'json' ? jsonSetRows(name, text as string) : rows(text as string); } }, scope };
}

/** A JSON string scalar's text (quoted, escaped) as its value. */
function parseJsonbString(text: string): string {
  return JSON.parse(text) as string;
}

/**
 * `pg_partition_ancestors(regclass)` in FROM: the partitioned tables above a partition, the
 * partition first. rangedb has no partitions, so it returns no rows, as PostgreSQL does for a
 * plain table; psql's \d names it (with ORDINALITY, correlated) once a table has triggers — the
 * foreign keys' `relhastriggers`.
 */
async function planPartitionAncestors(compiler: ExprCompiler, item: ast.FunctionRef): Promise<FromResult> {
  if (item.call.args.length !== 1) throw new SqlError('42883', 'function pg_partition_ancestors does not exist', { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  await compiler.compile(item.call.args[0]!); // the argument's names are checked; no relation has ancestors
  const alias = item.alias?.name ?? 'pg_partition_ancestors';
  const scope = new Scope([{ name: item.alias?.columns[0] ?? 'relid', table: alias, type: regclassType, hidden: false, tableOid: 0, columnNumber: 0 }]);
  return { node: { kind: 'virtual', name: 'pg_partition_ancestors', width: 1, rows: () => Promise.resolve([]) }, scope };
}
