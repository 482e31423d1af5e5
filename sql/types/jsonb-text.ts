/**
 * jsonb text I/O: the datum is the normalized text PostgreSQL's `jsonb_out` prints — object keys
 * unique (the last duplicate wins) and sorted shorter-first then bytewise, `": "` and `", "`
 * separators, numbers as `numeric` prints them (`1.50` stays, `1e2` becomes `100`), strings
 * re-escaped as `escape_json` does. Keeping text (not a tree) is the simple first step: equality
 * of normalized text is jsonb equality; containment and path operators will want a tree.
 */
import { Numeric } from './numeric.js';
import { InvalidTextRepresentationError } from './errors.js';
import { checkJsonStringEscapes } from './json-escapes.js';

export type JsonNode =
  | { readonly kind: 'scalar'; readonly text: string }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'object'; readonly entries: ReadonlyMap<string, JsonNode> };

class JsonReader {
  index = 0;
  constructor(readonly text: string) {}

  fail(): never {
    // PostgreSQL's message names the type json for jsonb too, and quotes the input only in DETAIL.
    throw new InvalidTextRepresentationError('invalid input syntax for type json');
  }

  skipBlanks(): void {
    while (this.index < this.text.length && ' \t\n\r'.includes(this.text[this.index]!)) this.index++;
  }

  value(depth: number): JsonNode {
    if (depth > 6400) this.fail();
    this.skipBlanks();
    const char = this.text[this.index];
    if (char === '{') return this.object(depth);
    if (char === '[') return this.array(depth);
    if (char === '"') return { kind: 'scalar', text: escapeJson(this.string()) };
    const literal = /^(true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(this.index));
    if (literal === null) this.fail();
    this.index += literal[0].length;
    const word = literal[0];
    return { kind: 'scalar', text: /^[tfn]/.test(word) ? word : Numeric.parse(word).toString() };
  }

  string(): string {
    const match = /^"((?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*)"/.exec(this.text.slice(this.index));
    if (match === null) this.fail();
    this.index += match[0].length;
    checkJsonStringEscapes(match[0]);
    try {
      return JSON.parse(match[0]) as string;
    } catch {
      return this.fail();
    }
  }

  array(depth: number): JsonNode {
    this.index++;
    const items: JsonNode[] = [];
    this.skipBlanks();
    if (this.text[this.index] === ']') {
      this.index++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipBlanks();
      const next = this.text[this.index++];
      if (next === ']') return { kind: 'array', items };
      if (next !== ',') this.fail();
    }
  }

  object(depth: number): JsonNode {
    this.index++;
    const entries = new Map<string, JsonNode>();
    this.skipBlanks();
    if (this.text[this.index] === '}') {
      this.index++;
      return { kind: 'object', entries };
    }
    for (;;) {
      this.skipBlanks();
      if (this.text[this.index] !== '"') this.fail();
      const key = this.string();
      this.skipBlanks();
      if (this.text[this.index++] !== ':') this.fail();
      entries.set(key, this.value(depth + 1));
      this.skipBlanks();
      const next = this.text[this.index++];
      if (next === '}') return { kind: 'object', entries };
      if (next !== ',') this.fail();
    }
  }
}

/** PostgreSQL's `escape_json`. */
export function escapeJson(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** jsonb's key order: shorter keys first, then bytewise. */
export function compareKeys(left: string, right: string): number {
  const a = Buffer.from(left, 'utf8');
  const b = Buffer.from(right, 'utf8');
  return a.length !== b.length ? a.length - b.length : Buffer.compare(a, b);
}

/** A node's normalized jsonb text (what `jsonb_out` prints). */
export function printJsonb(node: JsonNode): string {
  return print(node);
}

function print(node: JsonNode): string {
  switch (node.kind) {
    case 'scalar':
      return node.text;
    case 'array':
      return `[${node.items.map(print).join(', ')}]`;
    case 'object': {
      const keys = [...node.entries.keys()].sort(compareKeys);
      return `{${keys.map((key) => `${escapeJson(key)}: ${print(node.entries.get(key)!)}`).join(', ')}}`;
    }
  }
}

/** PostgreSQL's `jsonb_in` followed by `jsonb_out`: the normalized text. */
export function normalizeJsonb(text: string): string {
  const reader = new JsonReader(text);
  const node = reader.value(0);
  reader.skipBlanks();
  if (reader.index !== text.length) reader.fail();
  return print(node);
}

/** The tree of jsonb text (normalized or not). */
export function parseJsonb(text: string): JsonNode {
  const reader = new JsonReader(text);
  const node = reader.value(0);
  reader.skipBlanks();
  if (reader.index !== text.length) reader.fail();
  return node;
}

function scalarRank(text: string): number {
  if (text === 'null') return 0;
  if (text.startsWith('"')) return 1;
  if (text === 'true' || text === 'false') return 3;
  return 2;
}

function compareNodes(left: JsonNode, right: JsonNode, topLevel: boolean): number {
  if (left.kind !== right.kind) {
    // Object > array > scalars; a top-level scalar is a "raw scalar" array, below real arrays.
    const rank = (node: JsonNode): number => (node.kind === 'object' ? 2 : node.kind === 'array' ? 1 : 0);
    if (topLevel && left.kind !== 'object' && right.kind !== 'object') return left.kind === 'scalar' ? -1 : 1;
    return Math.sign(rank(left) - rank(right));
  }
  if (left.kind === 'scalar' && right.kind === 'scalar') return compareScalars(left.text, right.text);
  if (left.kind === 'array' && right.kind === 'array') {
    if (left.items.length !== right.items.length) return left.items.length > right.items.length ? 1 : -1;
    for (let index = 0; index < left.items.length; index++) {
      const order = compareNodes(left.items[index]!, right.items[index]!, false);
      if (order !== 0) return order;
    }
    return 0;
  }
  const leftEntries = [...(left as { entries: ReadonlyMap<string, JsonNode> }).entries].sort(([a], [b]) => compareKeys(a, b));
  const rightEntries = [...(right as { entries: ReadonlyMap<string, JsonNode> }).entries].sort(([a], [b]) => compareKeys(a, b));
  if (leftEntries.length !== rightEntries.length) return leftEntries.length > rightEntries.length ? 1 : -1;
  for (let index = 0; index < leftEntries.length; index++) {
    // Pairs are visited in storage order (shorter keys first) but keys compare as strings.
    const keyOrder = compareStrings(leftEntries[index]![0], rightEntries[index]![0]);
    if (keyOrder !== 0) return Math.sign(keyOrder);
    const valueOrder = compareNodes(leftEntries[index]![1], rightEntries[index]![1], false);
    if (valueOrder !== 0) return valueOrder;
  }
  return 0;
}

/** Strings by UTF-8 bytes = code points (the C collation, as text compares here). */
function compareStrings(left: string, right: string): number {
  return left === right ? 0 : Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

function compareScalars(left: string, right: string): number {
  const rankOrder = scalarRank(left) - scalarRank(right);
  if (rankOrder !== 0) return Math.sign(rankOrder);
  switch (scalarRank(left)) {
    case 1:
      return compareStrings(JSON.parse(left) as string, JSON.parse(right) as string);
    case 2:
      return Numeric.parse(left).compare(Numeric.parse(right));
    case 3:
      return Number(left === 'true') - Number(right === 'true');
    default:
      return 0;
  }
}

/**
 * PostgreSQL's jsonb btree order (`compareJsonbContainers`): object > array > boolean > number >
 * string > null; containers with more elements or pairs first by count, then element by element
 * (pairs in jsonb's storage order, key then value, keys compared as strings); a top-level scalar
 * below any array, and an empty top-level array below everything.
 */
export function compareJsonb(left: string, right: string): number {
  if (left === right) return 0;
  // PostgreSQL's documented exception: an empty top-level array sorts below everything, null included.
  if (left === '[]' || right === '[]') return left === '[]' ? -1 : 1;
  return compareNodes(parseJsonb(left), parseJsonb(right), true);
}
