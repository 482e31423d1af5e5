/**
 * jsonpath's tokens (PostgreSQL's jsonpath_scan.l): punctuation and operators, unquoted words
 * (keys and keywords, keywords matched case-insensitively), double-quoted strings with JSON's
 * escapes plus `\v`, `\xHH`, `\u{…}` and `\c` for any other c, numbers (a junk character glued
 * to one is 42601 `trailing junk after numeric literal`), `$name` / `$"name"` variables.
 *
 * Each token remembers the text PostgreSQL's parser names in `syntax error at or near "…"`:
 * its own text, `"` for a quoted string (the scanner's last match is the closing quote), and for
 * an unquoted word the blanks after it, or the end of input when no blank follows.
 */
import { RangedbError } from '../../src/base/errors.js';
import { Numeric } from './numeric.js';

/** 42601 syntax_error, with PostgreSQL's `… at or near "x" of jsonpath input` wording. */
export class JsonPathSyntaxError extends RangedbError {
  readonly code = 'JSONPATH_SYNTAX_ERROR';
  readonly errorClass = 'input';
  override readonly sqlState = '42601';
}

export type JsonPathToken =
  | { readonly kind: 'punct'; readonly text: string; readonly near: string | undefined }
  | { readonly kind: 'word'; readonly text: string; readonly keyword: string; readonly near: string | undefined }
  | { readonly kind: 'string'; readonly value: string; readonly near: string | undefined }
  | { readonly kind: 'variable'; readonly name: string; readonly near: string | undefined }
  | { readonly kind: 'number'; readonly value: Numeric; readonly integer: boolean; readonly near: string | undefined }
  | { readonly kind: 'end'; readonly near: undefined };

const blanks = ' \t\n\r\f';
const specials = '?%$.[]{}()|&!=<>@#,*:-+/\\"';
const operators = ['&&', '||', '==', '!=', '<>', '<=', '>=', '**'];
const numberPattern = /^(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;

/** `message at or near "near" of jsonpath input`, or `at end of jsonpath input`. */
export function jsonPathSyntaxError(message: string, near: string | undefined): JsonPathSyntaxError {
  return new JsonPathSyntaxError(near === undefined ? `${message} at end of jsonpath input` : `${message} at or near "${near}" of jsonpath input`);
}

const isWordChar = (char: string | undefined): boolean => char !== undefined && !blanks.includes(char) && !specials.includes(char);

/** The tokens of `text`, ending with one `end` token. Throws 42601 on a lexical error. */
export function tokenizeJsonPath(text: string): JsonPathToken[] {
  const tokens: JsonPathToken[] = [];
  let index = 0;
  for (;;) {
    while (index < text.length && blanks.includes(text[index]!)) index++;
    if (index >= text.length) break;
    const token = scanToken(text, index);
    tokens.push(token.token);
    index = token.end;
  }
  tokens.push({ kind: 'end', near: undefined });
  return tokens;
}

function scanToken(text: string, start: number): { token: JsonPathToken; end: number } {
  const char = text[start]!;
  if (char === '"') return scanString(text, start);
  if (/\d/.test(char) || (char === '.' && /\d/.test(text[start + 1] ?? ''))) return scanNumber(text, start);
  if (char === '$') {
    if (text[start + 1] === '"') {
      const quoted = scanString(text, start + 1);
      return { token: { kind: 'variable', name: (quoted.token as { value: string }).value, near: '"' }, end: quoted.end };
    }
    if (isWordChar(text[start + 1])) {
      const word = scanWord(text, start + 1);
      return { token: { kind: 'variable', name: word.text, near: `$${word.text}` }, end: word.end };
    }
  }
  const operator = operators.find((candidate) => text.startsWith(candidate, start));
  if (operator !== undefined) return { token: { kind: 'punct', text: operator, near: operator }, end: start + operator.length };
  if (specials.includes(char)) return { token: { kind: 'punct', text: char, near: char }, end: start + 1 };
  const word = scanWord(text, start);
  const after = /^[ \t\n\r\f]+/.exec(text.slice(word.end));
  return { token: { kind: 'word', text: word.text, keyword: word.text.toLowerCase(), near: after?.[0] }, end: word.end };
}

function scanWord(text: string, start: number): { text: string; end: number } {
  let end = start;
  while (isWordChar(text[end])) end++;
  return { text: text.slice(start, end), end };
}

function scanNumber(text: string, start: number): { token: JsonPathToken; end: number } {
  const match = numberPattern.exec(text.slice(start))![0];
  const end = start + match.length;
  const rest = text.slice(end);
  if (/^[eE][+-](?!\d)/.test(rest)) throw jsonPathSyntaxError('invalid numeric literal', match + rest.slice(0, 2));
  if (/^[\p{L}\p{N}_\u0080-\uffff]/u.test(rest)) throw jsonPathSyntaxError('trailing junk after numeric literal', match + String.fromCodePoint(rest.codePointAt(0)!));
  const integer = /^(?:0|[1-9]\d*)$/.test(match);
  return { token: { kind: 'number', value: Numeric.parse(match), integer, near: match }, end };
}

const simpleEscapes: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function scanString(text: string, start: number): { token: JsonPathToken; end: number } {
  let value = '';
  let index = start + 1;
  for (;;) {
    if (index >= text.length) throw jsonPathSyntaxError('unexpected end of quoted string', undefined);
    const char = text[index]!;
    if (char === '"') return { token: { kind: 'string', value, near: '"' }, end: index + 1 };
    if (char !== '\\') {
      value += char;
      index++;
      continue;
    }
    const escape = scanEscape(text, index);
    value += escape.value;
    index = escape.end;
  }
}

function scanEscape(text: string, start: number): { value: string; end: number } {
  const kind = text[start + 1];
  if (kind === undefined) throw jsonPathSyntaxError('unexpected end after backslash', '\\');
  if (simpleEscapes[kind] !== undefined) return { value: simpleEscapes[kind], end: start + 2 };
  if (kind === 'x') {
    const hex = /^[0-9A-Fa-f]{2}/.exec(text.slice(start + 2));
    if (hex === null) throw jsonPathSyntaxError('invalid hex character sequence', `\\x${/^[0-9A-Fa-f]*/.exec(text.slice(start + 2))![0]}`);
    return { value: String.fromCharCode(parseInt(hex[0], 16)), end: start + 4 };
  }
  if (kind === 'u') {
    const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(text.slice(start + 2));
    if (braced !== null && parseInt(braced[1]!, 16) <= 0x10ffff) return { value: String.fromCodePoint(parseInt(braced[1]!, 16)), end: start + 2 + braced[0].length };
    const four = /^[0-9A-Fa-f]{4}/.exec(text.slice(start + 2));
    if (four === null) throw jsonPathSyntaxError('invalid unicode sequence', '\\u');
    return { value: String.fromCharCode(parseInt(four[0], 16)), end: start + 6 };
  }
  return { value: kind, end: start + 2 };
}
