/**
 * json text I/O (PostgreSQL's `json_in` / `json_out`): the datum is the input text itself,
 * checked against the JSON grammar (22P02 as jsonb's, whose grammar it shares) and then kept
 * verbatim — whitespace, key order, duplicate keys and number spellings (`1e2`, `1.50`) all stay.
 * Unlike jsonb, a `\u0000` escape is valid json: `json_in` does not de-escape. A function that
 * reads string values parses with `deescape` (json-escapes.ts), as PostgreSQL's lexer with a
 * `strval` does, and refuses it there (22P05) — even in a string the function never returns.
 *
 * `parseJson` gives a tree whose every node keeps its verbatim source text, so the operators
 * (`->` returns the value's own text) and functions that walk json need not print anything.
 * An object's pairs stay a list in document order: duplicates are kept, a lookup takes the last.
 */
import { InvalidTextRepresentationError } from './errors.js';
import { checkJsonStringEscapes } from './json-escapes.js';

/** A json value with its verbatim text; `text` of a scalar is its token as written. */
export type JsonValue =
  | { readonly kind: 'scalar'; readonly text: string }
  | { readonly kind: 'array'; readonly text: string; readonly items: readonly JsonValue[] }
  | { readonly kind: 'object'; readonly text: string; readonly entries: readonly JsonEntry[] };

export interface JsonEntry {
  readonly key: string;
  readonly value: JsonValue;
}

/** PostgreSQL's JSON nesting limit is the stack's; this bounds recursion the same way jsonb-text.ts does. */
const jsonDepthMax = 6400;

const literalPattern = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const stringPattern = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class JsonScanner {
  index = 0;
  constructor(
    readonly text: string,
    readonly deescape: boolean,
  ) {}

  fail(): never {
    throw new InvalidTextRepresentationError('invalid input syntax for type json');
  }

  skipBlanks(): void {
    while (this.index < this.text.length && ' \t\n\r'.includes(this.text[this.index]!)) this.index++;
  }

  value(depth: number): JsonValue {
    if (depth > jsonDepthMax) this.fail();
    this.skipBlanks();
    const char = this.text[this.index];
    if (char === '{') return this.object(depth);
    if (char === '[') return this.array(depth);
    if (char === '"') return { kind: 'scalar', text: this.stringToken() };
    return { kind: 'scalar', text: this.token(literalPattern) };
  }

  token(pattern: RegExp): string {
    pattern.lastIndex = this.index;
    const match = pattern.exec(this.text);
    if (match === null) this.fail();
    this.index += match[0].length;
    return match[0];
  }

  stringToken(): string {
    const token = this.token(stringPattern);
    if (this.deescape) checkJsonStringEscapes(token);
    return token;
  }

  array(depth: number): JsonValue {
    const start = this.index++;
    const items: JsonValue[] = [];
    this.skipBlanks();
    if (this.text[this.index] !== ']') {
      for (;;) {
        items.push(this.value(depth + 1));
        this.skipBlanks();
        if (this.text[this.index] !== ',') break;
        this.index++;
      }
    }
    if (this.text[this.index++] !== ']') this.fail();
    return { kind: 'array', text: this.text.slice(start, this.index), items };
  }

  object(depth: number): JsonValue {
    const start = this.index++;
    const entries: JsonEntry[] = [];
    this.skipBlanks();
    if (this.text[this.index] !== '}') {
      for (;;) {
        this.skipBlanks();
        if (this.text[this.index] !== '"') this.fail();
        const key = jsonStringValue(this.stringToken());
        this.skipBlanks();
        if (this.text[this.index++] !== ':') this.fail();
        entries.push({ key, value: this.value(depth + 1) });
        this.skipBlanks();
        if (this.text[this.index] !== ',') break;
        this.index++;
      }
    }
    if (this.text[this.index++] !== '}') this.fail();
    return { kind: 'object', text: this.text.slice(start, this.index), entries };
  }
}

/** The value of a JSON string token (quotes and escapes removed). */
export function jsonStringValue(token: string): string {
  return JSON.parse(token) as string;
}

/**
 * The tree of a json text; 22P02 when the text is not JSON. `deescape` (the default: what a
 * function reading string values needs) also checks every string's escapes in document order
 * (json-escapes.ts); json_in, json_typeof, json_array_length and json_array_elements pass false.
 */
export function parseJson(text: string, deescape = true): JsonValue {
  const scanner = new JsonScanner(text, deescape);
  const value = scanner.value(0);
  scanner.skipBlanks();
  if (scanner.index !== text.length) scanner.fail();
  return value;
}

/** `json_in`: the text itself, once it is known to be JSON. */
export function validateJson(text: string): string {
  parseJson(text, false);
  return text;
}

/** The value of an object's key: the last pair with that key, as PostgreSQL's json lookups take it. */
export function jsonField(value: JsonValue, key: string): JsonValue | undefined {
  if (value.kind !== 'object') return undefined;
  for (let index = value.entries.length - 1; index >= 0; index--) if (value.entries[index]!.key === key) return value.entries[index]!.value;
  return undefined;
}

/** The kind `json_typeof` names. */
export function jsonTypeName(value: JsonValue): 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' {
  if (value.kind !== 'scalar') return value.kind;
  if (value.text === 'null') return 'null';
  if (value.text === 'true' || value.text === 'false') return 'boolean';
  return value.text.startsWith('"') ? 'string' : 'number';
}

/** `->>`'s text of a json value: a string's value, JSON null as SQL NULL, anything else verbatim. */
export function jsonAsText(value: JsonValue | undefined): string | null {
  if (value === undefined || (value.kind === 'scalar' && value.text === 'null')) return null;
  return value.kind === 'scalar' && value.text.startsWith('"') ? jsonStringValue(value.text) : value.text;
}
