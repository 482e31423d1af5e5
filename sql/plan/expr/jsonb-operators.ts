/**
 * jsonb's operators, as PostgreSQL 15 defines them (jsonfuncs.c, jsonb_op.c):
 *
 * - `->` field (text) or element (int; negative counts from the end) as jsonb, `->>` as text;
 *   `#>` / `#>>` the same along a path (text[]). A missing key, an index out of range or a step
 *   into a scalar gives NULL; `->>` of JSON null is SQL NULL.
 * - `@>` / `<@` containment (JsonbDeepContains): an object contains an object whose every key it
 *   has with a contained value; an array contains an array whose every element matches one of
 *   its own (scalars equal, containers contained); a top-level array contains a bare scalar it
 *   holds.
 * - `?` key exists (an object's key, or a string element of an array, or the string itself);
 *   `?|` any of, `?&` all of the keys of a text[].
 *
 * jsonb datums are normalized text (sql/types/jsonb-text.ts); each operator parses its operand
 * into a tree, which is cheap next to the I/O that brought it and keeps one representation.
 */
import { SqlError } from '../../catalog/errors.js';
import { compareJsonb, parseJsonb, printJsonb, type JsonNode } from '../../types/jsonb-text.js';
import type { Datum } from '../../types/datum.js';
import { arrayType, boolType, formatType, int4Type, jsonbType, jsonpathType, textType, typeCategory, type SqlType } from '../../types/sql-type.js';
import { coerce, isOpen } from './coerce.js';
import type { CompiledExpr } from './compiled.js';
import { strictBinary } from './strict.js';
import { jsonPathOperator } from './jsonpath-functions.js';

export const jsonbOperatorNames: ReadonlySet<string> = new Set(['->', '->>', '#>', '#>>', '@>', '<@', '?', '?|', '?&', '||', '-', '#-', '@?', '@@']);

const textArrayType = arrayType(textType);


/** A JSON string scalar's value (its text is the escaped, quoted form), or undefined for other nodes. */
function stringValue(node: JsonNode): string | undefined {
  return node.kind === 'scalar' && node.text.startsWith('"') ? (JSON.parse(node.text) as string) : undefined;
}

/** `->>`'s text of a node: a string's value, JSON null as SQL NULL, anything else as jsonb prints it. */
function asText(node: JsonNode | undefined): Datum {
  if (node === undefined) return null;
  if (node.kind === 'scalar' && node.text === 'null') return null;
  return stringValue(node) ?? printJsonb(node);
}

function field(node: JsonNode, key: string): JsonNode | undefined {
  return node.kind === 'object' ? node.entries.get(key) : undefined;
}

function element(node: JsonNode, index: number): JsonNode | undefined {
  if (node.kind !== 'array') return undefined;
  const at = index < 0 ? node.items.length + index : index;
  return at >= 0 && at < node.items.length ? node.items[at] : undefined;
}

/** One `#>` step: a key into an object, an integer (text) into an array. */
function step(node: JsonNode, key: string): JsonNode | undefined {
  if (node.kind === 'object') return node.entries.get(key);
  if (node.kind === 'array') return /^\s*-?\d+\s*$/.test(key) ? element(node, Number(key)) : undefined;
  return undefined;
}

function path(node: JsonNode, keys: readonly Datum[]): JsonNode | undefined {
  let current: JsonNode | undefined = node;
  for (const key of keys) {
    if (current === undefined || key === null) return undefined;
    current = step(current, key as string);
  }
  return current;
}

function scalarEqual(left: JsonNode, right: JsonNode): boolean {
  return left.kind === 'scalar' && right.kind === 'scalar' && compareJsonb(left.text, right.text) === 0;
}

/** PostgreSQL's JsonbDeepContains. */
function contains(left: JsonNode, right: JsonNode, topLevel: boolean): boolean {
  if (left.kind === 'object') {
    if (right.kind !== 'object') return false;
    for (const [key, value] of right.entries) {
      const mine = left.entries.get(key);
      if (mine === undefined) return false;
      if (value.kind === 'scalar' ? !scalarEqual(mine, value) : mine.kind !== value.kind || !contains(mine, value, false)) return false;
    }
    return true;
  }
  if (left.kind === 'array') {
    // A top-level array contains a bare scalar it holds (jsonb's "raw scalar" special case).
    if (right.kind === 'scalar') return topLevel && left.items.some((item) => scalarEqual(item, right));
    if (right.kind !== 'array') return false;
    return right.items.every((wanted) => (wanted.kind === 'scalar' ? left.items.some((item) => scalarEqual(item, wanted)) : left.items.some((item) => item.kind === wanted.kind && contains(item, wanted, false))));
  }
  return right.kind === 'scalar' && scalarEqual(left, right);
}

function hasKey(node: JsonNode, key: string): boolean {
  if (node.kind === 'object') return node.entries.has(key);
  if (node.kind === 'array') return node.items.some((item) => stringValue(item) === key);
  return stringValue(node) === key;
}

/** `||` (jsonb_concat): two objects merge (the right's keys win); otherwise both as arrays (a non-array wrapped in one), concatenated. */
function concat(left: JsonNode, right: JsonNode): JsonNode {
  if (left.kind === 'object' && right.kind === 'object') return { kind: 'object', entries: new Map([...left.entries, ...right.entries]) };
  const items = (node: JsonNode): readonly JsonNode[] => (node.kind === 'array' ? node.items : [node]);
  return { kind: 'array', items: [...items(left), ...items(right)] };
}

/** `- text` / `- text[]`: an object without those keys, an array without those string elements. */
function deleteKeys(node: JsonNode, keys: readonly string[]): JsonNode {
  if (node.kind === 'scalar') throw new SqlError('22023', 'cannot delete from scalar');
  if (node.kind === 'object') return { kind: 'object', entries: new Map([...node.entries].filter(([key]) => !keys.includes(key))) };
  return { kind: 'array', items: node.items.filter((item) => { const text = stringValue(item); return text === undefined || !keys.includes(text); }) };
}

/** `- int`: an array without the element at the index (from the end when negative). */
function deleteIndex(node: JsonNode, index: number): JsonNode {
  if (node.kind === 'scalar') throw new SqlError('22023', 'cannot delete from scalar');
  if (node.kind === 'object') throw new SqlError('22023', 'cannot delete from object using integer index');
  const at = index < 0 ? node.items.length + index : index;
  return { kind: 'array', items: node.items.filter((_item, position) => position !== at) };
}

/** `#-` (jsonb_delete_path): the document without the value at the path; a path that leads nowhere changes nothing. */
function deletePath(node: JsonNode, keys: readonly Datum[], depth: number): JsonNode {
  if (node.kind === 'scalar') {
    if (depth === 0) throw new SqlError('22023', 'cannot delete path in scalar');
    return node;
  }
  if (depth >= keys.length) return node;
  const key = keys[depth];
  if (key === null || key === undefined) throw new SqlError('22004', `path element at position ${depth + 1} is null`);
  const last = depth === keys.length - 1;
  if (node.kind === 'object') {
    const child = node.entries.get(key as string);
    if (child === undefined) return node;
    const entries = new Map(node.entries);
    if (last) entries.delete(key as string);
    else entries.set(key as string, deletePath(child, keys, depth + 1));
    return { kind: 'object', entries };
  }
  if (!/^\s*-?\d+\s*$/.test(key as string)) throw new SqlError('22P02', `path element at position ${depth + 1} is not an integer: "${key as string}"`);
  const index = Number(key);
  const at = index < 0 ? node.items.length + index : index;
  if (at < 0 || at >= node.items.length) return node;
  const items = last ? node.items.filter((_item, position) => position !== at) : node.items.map((item, position) => (position === at ? deletePath(item, keys, depth + 1) : item));
  return { kind: 'array', items };
}

function noOperator(operator: string, left: SqlType, right: SqlType): SqlError {
  return new SqlError('42883', `operator does not exist: ${formatType(left)} ${operator} ${formatType(right)}`, { hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.' });
}

const isInteger = (type: SqlType): boolean => type.kind === 'int2' || type.kind === 'int4' || type.kind === 'int8';

/**
 * `left operator right` for jsonb's operators, or undefined when `left` is not jsonb (nor an
 * untyped literal or parameter the other side makes jsonb), so other operators may apply.
 * An untyped right side takes the operator's usual type: text for `->`/`?`, text[] for
 * `#>`/`?|`/`?&`, jsonb for `@>`/`<@` (PostgreSQL picks the same: unknown prefers text, and
 * the jsonb overload is the only one of `@>` with a jsonb left).
 */
export function jsonbOperator(operator: string, leftIn: CompiledExpr, rightIn: CompiledExpr, paramTypes: (SqlType | undefined)[]): CompiledExpr | undefined {
  const leftJsonb = leftIn.type.kind === 'jsonb' && !isOpen(leftIn);
  const rightJsonb = rightIn.type.kind === 'jsonb' && !isOpen(rightIn);
  if (operator === '<@') {
    if (!rightJsonb && !(leftJsonb && isOpen(rightIn))) return undefined;
  } else if (!leftJsonb) {
    if (!(isOpen(leftIn) && (operator === '@>' ? rightJsonb : false))) return undefined;
  }
  const left = coerce(leftIn, jsonbType, 'implicit', paramTypes);
  const parsed = (value: Datum): JsonNode => parseJsonb(value as string);
  switch (operator) {
    case '->':
    case '->>': {
      const asJsonb = operator === '->';
      if (!isOpen(rightIn) && isInteger(rightIn.type)) {
        const right = coerce(rightIn, int4Type, 'implicit', paramTypes);
        return strictBinary(asJsonb ? jsonbType : textType, left, right, (a, b) => {
          const root = parsed(a);
          // PostgreSQL stores a top-level scalar as a one-element array: `'"s"'::jsonb -> 0` is "s".
          const node = element(root.kind === 'scalar' ? { kind: 'array', items: [root] } : root, b as number);
          return asJsonb ? (node === undefined ? null : printJsonb(node)) : asText(node);
        });
      }
      if (!isOpen(rightIn) && typeCategory(rightIn.type) !== 'S') throw noOperator(operator, jsonbType, rightIn.type);
      const right = coerce(rightIn, textType, 'implicit', paramTypes);
      return strictBinary(asJsonb ? jsonbType : textType, left, right, (a, b) => {
        const node = field(parsed(a), b as string);
        return asJsonb ? (node === undefined ? null : printJsonb(node)) : asText(node);
      });
    }
    case '#>':
    case '#>>': {
      if (!isOpen(rightIn) && !(rightIn.type.kind === 'array' && typeCategory(rightIn.type.element) === 'S')) throw noOperator(operator, jsonbType, rightIn.type);
      const right = coerce(rightIn, textArrayType, 'implicit', paramTypes);
      const asJsonb = operator === '#>';
      return strictBinary(asJsonb ? jsonbType : textType, left, right, (a, b) => {
        const node = path(parsed(a), b as readonly Datum[]);
        return asJsonb ? (node === undefined ? null : printJsonb(node)) : asText(node);
      });
    }
    case '@>':
    case '<@': {
      if (!isOpen(rightIn) && !rightJsonb) throw noOperator(operator, jsonbType, rightIn.type);
      const right = coerce(rightIn, jsonbType, 'implicit', paramTypes);
      const flip = operator === '<@';
      return strictBinary(boolType, left, right, (a, b) => (flip ? contains(parsed(b), parsed(a), true) : contains(parsed(a), parsed(b), true)));
    }
    case '?': {
      if (!isOpen(rightIn) && typeCategory(rightIn.type) !== 'S') throw noOperator(operator, jsonbType, rightIn.type);
      const right = coerce(rightIn, textType, 'implicit', paramTypes);
      return strictBinary(boolType, left, right, (a, b) => hasKey(parsed(a), b as string));
    }
    case '?|':
    case '?&': {
      if (!isOpen(rightIn) && !(rightIn.type.kind === 'array' && typeCategory(rightIn.type.element) === 'S')) throw noOperator(operator, jsonbType, rightIn.type);
      const right = coerce(rightIn, textArrayType, 'implicit', paramTypes);
      const all = operator === '?&';
      return strictBinary(boolType, left, right, (a, b) => {
        const node = parsed(a);
        const keys = (b as readonly Datum[]).filter((key): key is string => key !== null);
        return all ? keys.every((key) => hasKey(node, key)) : keys.some((key) => hasKey(node, key));
      });
    }
    case '||': {
      if (!isOpen(rightIn) && !rightJsonb) return undefined;
      const right = coerce(rightIn, jsonbType, 'implicit', paramTypes);
      return strictBinary(jsonbType, left, right, (a, b) => printJsonb(concat(parsed(a), parsed(b))));
    }
    case '-': {
      if (!isOpen(rightIn) && isInteger(rightIn.type)) {
        const right = coerce(rightIn, int4Type, 'implicit', paramTypes);
        return strictBinary(jsonbType, left, right, (a, b) => printJsonb(deleteIndex(parsed(a), b as number)));
      }
      if (!isOpen(rightIn) && rightIn.type.kind === 'array' && typeCategory(rightIn.type.element) === 'S') {
        const right = coerce(rightIn, textArrayType, 'implicit', paramTypes);
        return strictBinary(jsonbType, left, right, (a, b) => printJsonb(deleteKeys(parsed(a), (b as readonly Datum[]).filter((key): key is string => key !== null))));
      }
      if (!isOpen(rightIn) && typeCategory(rightIn.type) !== 'S') throw noOperator(operator, jsonbType, rightIn.type);
      const right = coerce(rightIn, textType, 'implicit', paramTypes);
      return strictBinary(jsonbType, left, right, (a, b) => printJsonb(deleteKeys(parsed(a), [b as string])));
    }
    case '@?':
    case '@@': {
      if (!isOpen(rightIn) && rightIn.type.kind !== 'jsonpath') throw noOperator(operator, jsonbType, rightIn.type);
      const right = coerce(rightIn, jsonpathType, 'implicit', paramTypes);
      return strictBinary(boolType, left, right, (a, b) => jsonPathOperator(operator, a, b));
    }
    case '#-': {
      if (!isOpen(rightIn) && !(rightIn.type.kind === 'array' && typeCategory(rightIn.type.element) === 'S')) throw noOperator(operator, jsonbType, rightIn.type);
      const right = coerce(rightIn, textArrayType, 'implicit', paramTypes);
      return strictBinary(jsonbType, left, right, (a, b) => printJsonb(deletePath(parsed(a), b as readonly Datum[], 0)));
    }
    default:
      return undefined;
  }
}
