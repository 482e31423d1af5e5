/**
 * jsonb's scalar functions (PostgreSQL 15's jsonfuncs.c and jsonb.c; the operators are in
 * jsonb-operators.ts): `to_jsonb`, `jsonb_build_object`, `jsonb_build_array`,
 * `jsonb_array_length`, `jsonb_typeof`, `jsonb_set`, `jsonb_insert`, `jsonb_strip_nulls` and
 * `jsonb_pretty`.
 *
 * SQL values become JSON as `to_jsonb` makes them: numbers as JSON numbers (NaN and the
 * infinities as strings), booleans as booleans, jsonb as itself, arrays as arrays, records
 * (`ROW(…)`, a table's row `t`) as objects keyed by their field names, timestamps in ISO 8601
 * with a `T`, anything else as the string of its text.
 */
import { SqlError } from '../../catalog/errors.js';
import type { Datum } from '../../types/datum.js';
import { arrayShape } from '../../types/array-shape.js';
import { compareKeys, escapeJson, parseJsonb, printJsonb, type JsonNode } from '../../types/jsonb-text.js';
import { arrayType, boolType, int4Type, jsonbType, textType, type SqlType } from '../../types/sql-type.js';
import { formatText } from '../../types/text-io.js';
import { nestByDimensions } from './array-build.js';
import type { EvalContext } from './compiled.js';
import type { FunctionOverload } from './function-overload.js';

const nullNode: JsonNode = { kind: 'scalar', text: 'null' };

/**
 * A SQL value as a JSON node (to_jsonb's rules); SQL NULL is JSON null. Needs the evaluation
 * context because a value's text depends on the session (a timestamptz's zone, DateStyle).
 */
export function toJsonNode(type: SqlType, value: Datum, ctx: EvalContext): JsonNode {
  if (value === null) return nullNode;
  switch (type.kind) {
    case 'array':
      return nestByDimensions((value as readonly Datum[]).map((item) => toJsonNode(type.element, item, ctx)), arrayShape(value as readonly Datum[]).lengths, (items): JsonNode => ({ kind: 'array', items }));
    case 'record': {
      // A repeated field name keeps its last value, as a jsonb object built from the record does.
      const entries = new Map<string, JsonNode>();
      type.fields.forEach((field, index) => entries.set(field.name, toJsonNode(field.type, (value as readonly Datum[])[index] ?? null, ctx)));
      return { kind: 'object', entries };
    }
    case 'json':
    case 'jsonb':
      return parseJsonb(value as string);
    case 'bool':
      return { kind: 'scalar', text: value === true ? 'true' : 'false' };
    case 'int2':
    case 'int4':
    case 'int8':
    case 'float4':
    case 'float8':
    case 'numeric': {
      const text = formatText(type, value, ctx.textContext);
      return /^-?(?:Infinity|NaN)$/.test(text) ? { kind: 'scalar', text: escapeJson(text) } : { kind: 'scalar', text };
    }
    case 'timestamp':
    case 'timestamptz': {
      const text = formatText(type, value, ctx.textContext).replace(' ', 'T');
      // JSON's timestamps carry a full ±hh:mm offset (XSD), where the text output may print ±hh.
      return { kind: 'scalar', text: escapeJson(type.kind === 'timestamptz' ? text.replace(/([+-]\d\d)$/, '$1:00') : text) };
    }
    default:
      return { kind: 'scalar', text: escapeJson(formatText(type, value, ctx.textContext)) };
  }
}

function buildObject(args: readonly Datum[], types: readonly SqlType[], ctx: EvalContext): string {
  if (args.length % 2 !== 0) throw new SqlError('22023', 'argument list must have even number of elements', { hint: 'The arguments of jsonb_build_object() must consist of alternating keys and values.' });
  const entries = new Map<string, JsonNode>();
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i]!;
    if (key === null) throw new SqlError('22004', `argument ${i + 1}: key must not be null`);
    entries.set(formatText(types[i]!, key, ctx.textContext), toJsonNode(types[i + 1]!, args[i + 1] ?? null, ctx));
  }
  return printJsonb({ kind: 'object', entries });
}

function typeOf(node: JsonNode): string {
  if (node.kind !== 'scalar') return node.kind;
  if (node.text === 'null') return 'null';
  if (node.text === 'true' || node.text === 'false') return 'boolean';
  return node.text.startsWith('"') ? 'string' : 'number';
}

function arrayLength(text: string): number {
  const node = parseJsonb(text);
  if (node.kind === 'array') return node.items.length;
  throw new SqlError('22023', node.kind === 'scalar' ? 'cannot get array length of a scalar' : 'cannot get array length of a non-array');
}

/** jsonb_set: replaces (or, with createMissing, adds as the last step) the value at `path`; a path through a scalar changes nothing. */
function setPath(node: JsonNode, path: readonly string[], value: JsonNode, createMissing: boolean, depth: number): JsonNode {
  if (depth >= path.length) return value;
  const step = path[depth]!;
  const last = depth === path.length - 1;
  if (node.kind === 'object') {
    const child = node.entries.get(step);
    if (child === undefined && !(last && createMissing)) return node;
    const entries = new Map(node.entries);
    entries.set(step, child === undefined ? value : setPath(child, path, value, createMissing, depth + 1));
    return { kind: 'object', entries };
  }
  if (node.kind === 'array') {
    const index = arrayStep(step, depth, node.items.length);
    const items = [...node.items];
    if (index >= 0 && index < items.length) items[index] = setPath(items[index]!, path, value, createMissing, depth + 1);
    else if (last && createMissing) {
      if (index < 0) items.unshift(value);
      else items.push(value);
    } else return node;
    return { kind: 'array', items };
  }
  if (depth === 0) throw new SqlError('22023', 'cannot set path in scalar');
  return node;
}

/**
 * jsonb_insert: adds `value` at `path` — into an array before the element the last step names
 * (after it with `insertAfter`; an index past either end adds at that end), into an object as a
 * new key (an existing one is 22023: jsonb_set replaces). A path that leads nowhere changes
 * nothing; a scalar at the top is 22023.
 */
function insertPath(node: JsonNode, path: readonly string[], value: JsonNode, insertAfter: boolean, depth: number): JsonNode {
  if (depth >= path.length) return node;
  const step = path[depth]!;
  const last = depth === path.length - 1;
  if (node.kind === 'object') {
    const child = node.entries.get(step);
    if (last && child !== undefined) throw new SqlError('22023', 'cannot replace existing key', { hint: 'Try using the function jsonb_set to replace key value.' });
    if (!last && child === undefined) return node;
    const entries = new Map(node.entries);
    entries.set(step, last ? value : insertPath(child!, path, value, insertAfter, depth + 1));
    return { kind: 'object', entries };
  }
  if (node.kind === 'array') {
    const index = arrayStep(step, depth, node.items.length);
    const items = [...node.items];
    if (!last) {
      if (index < 0 || index >= items.length) return node;
      items[index] = insertPath(items[index]!, path, value, insertAfter, depth + 1);
    } else if (index < 0) items.unshift(value);
    else if (index >= items.length) items.push(value);
    else items.splice(insertAfter ? index + 1 : index, 0, value);
    return { kind: 'array', items };
  }
  if (depth === 0) throw new SqlError('22023', 'cannot set path in scalar');
  return node;
}

/** An array path step as an index (a negative one counts from the end); 22P02 when it is no integer. */
function arrayStep(step: string, depth: number, length: number): number {
  if (!/^\s*[+-]?\d+$/.test(step)) throw new SqlError('22P02', `path element at position ${depth + 1} is not an integer: "${step}"`);
  const index = Number(step);
  return index < 0 ? index + length : index;
}

function stripNulls(node: JsonNode): JsonNode {
  if (node.kind === 'array') return { kind: 'array', items: node.items.map(stripNulls) };
  if (node.kind === 'object') {
    const entries = new Map<string, JsonNode>();
    for (const [key, child] of node.entries) if (!(child.kind === 'scalar' && child.text === 'null')) entries.set(key, stripNulls(child));
    return { kind: 'object', entries };
  }
  return node;
}

/** jsonb_pretty: four spaces per level, one element or field per line, keys in jsonb's order. */
function pretty(node: JsonNode, indent: string): string {
  if (node.kind === 'scalar') return node.text;
  const inner = `${indent}    `;
  if (node.kind === 'array') return `[\n${node.items.map((item) => inner + pretty(item, inner)).join(',\n')}\n${indent}]`;
  const keys = [...node.entries.keys()].sort(compareKeys);
  return `{\n${keys.map((key) => `${inner}${escapeJson(key)}: ${pretty(node.entries.get(key)!, inner)}`).join(',\n')}\n${indent}}`;
}

function strict(args: readonly (SqlType | 'any')[], result: SqlType, impl: FunctionOverload['impl']): FunctionOverload {
  return { args, result, strict: true, immutable: true, impl };
}

/** The jsonb functions, for functions.ts's table. */
export function jsonbFunctions(): [string, readonly FunctionOverload[]][] {
  const textArray = arrayType(textType);
  const pathSteps = (path: Datum): string[] =>
    (path as readonly Datum[]).map((step, index) => {
      if (step === null) throw new SqlError('22004', `path element at position ${index + 1} is null`);
      return step as string;
    });
  const set = (createMissing: boolean) => ([target, path, value]: readonly Datum[]): string =>
    printJsonb(setPath(parseJsonb(target as string), pathSteps(path!), parseJsonb(value as string), createMissing, 0));
  const insert = ([target, path, value, after]: readonly Datum[]): string => printJsonb(insertPath(parseJsonb(target as string), pathSteps(path!), parseJsonb(value as string), after === true, 0));
  return [
    // The text of a timestamptz argument depends on the session's time zone: not immutable.
    ['to_jsonb', [{ args: ['any'], result: jsonbType, strict: true, immutable: false, impl: ([value], types, ctx) => printJsonb(toJsonNode(types[0]!, value ?? null, ctx)) }]],
    ['jsonb_build_object', [{ args: [], result: jsonbType, strict: false, immutable: false, impl: () => '{}' }, { args: ['any'], variadic: true, result: jsonbType, strict: false, immutable: false, impl: buildObject }]],
    [
      'jsonb_build_array',
      [
        { args: [], result: jsonbType, strict: false, immutable: false, impl: () => '[]' },
        { args: ['any'], variadic: true, result: jsonbType, strict: false, immutable: false, impl: (args, types, ctx) => printJsonb({ kind: 'array', items: args.map((value, index) => toJsonNode(types[index]!, value, ctx)) }) },
      ],
    ],
    ['jsonb_array_length', [strict([jsonbType], int4Type, ([value]) => arrayLength(value as string))]],
    ['jsonb_typeof', [strict([jsonbType], textType, ([value]) => typeOf(parseJsonb(value as string)))]],
    [
      'jsonb_set',
      [
        strict([jsonbType, textArray, jsonbType], jsonbType, set(true)),
        // PostgreSQL's names, for jsonb_set(…, create_if_missing => false).
        { ...strict([jsonbType, textArray, jsonbType, boolType], jsonbType, (args) => set(args[3] === true)(args)), params: { names: ['jsonb_in', 'path', 'replacement', 'create_if_missing'], defaults: [true] } },
      ],
    ],
    [
      'jsonb_insert',
      [
        strict([jsonbType, textArray, jsonbType], jsonbType, insert),
        { ...strict([jsonbType, textArray, jsonbType, boolType], jsonbType, insert), params: { names: ['jsonb_in', 'path', 'replacement', 'insert_after'], defaults: [false] } },
      ],
    ],
    ['jsonb_strip_nulls', [strict([jsonbType], jsonbType, ([value]) => printJsonb(stripNulls(parseJsonb(value as string))))]],
    ['jsonb_pretty', [strict([jsonbType], textType, ([value]) => pretty(parseJsonb(value as string), ''))]],
  ];
}
