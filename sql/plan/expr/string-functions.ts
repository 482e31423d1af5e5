/**
 * PostgreSQL's string functions (varlena.c, oracle_compat.c) over code points, not UTF-16 units:
 * `lpad`/`rpad`, `split_part`, `reverse`, `initcap`, `md5`, `btrim`/`ltrim`/`rtrim` with a set
 * of characters, `translate`, `chr`, `ascii`, and `repeat` with its size check. A result larger
 * than one value may be (`limits.valueBytesMax`) fails with 54000 before it is built, as
 * PostgreSQL's "requested length too large" does past its 1 GB allocation limit.
 */
import { createHash } from 'node:crypto';
import { limits } from '../../../src/base/limits.js';
import { SqlError } from '../../catalog/errors.js';
import { lowerChar, upperChar } from '../../types/case-map.js';

const codePoints = (text: string): string[] => [...text];

function tooLarge(): SqlError {
  return new SqlError('54000', 'requested length too large');
}

/** Refuses a result of `count` characters of at most `bytesPerChar` UTF-8 bytes each when it could pass the value limit. */
function checkResultSize(count: number, bytesPerChar: number): void {
  if (count * bytesPerChar > limits.valueBytesMax) throw tooLarge();
}

function maxCharBytes(chars: readonly string[]): number {
  return chars.reduce((max, char) => Math.max(max, Buffer.byteLength(char, 'utf8')), 1);
}

/** `lpad`/`rpad`: to `length` characters, cut or filled with repetitions of `fill` (no fill when `fill` is empty). */
export function pad(text: string, length: number, fill: string, left: boolean): string {
  const chars = codePoints(text);
  if (length <= 0) return '';
  if (chars.length >= length) return chars.slice(0, length).join('');
  const fillChars = codePoints(fill);
  if (fillChars.length === 0) return text;
  checkResultSize(length, Math.max(maxCharBytes(chars), maxCharBytes(fillChars)));
  const needed = length - chars.length;
  const padding: string[] = [];
  for (let i = 0; i < needed; i++) padding.push(fillChars[i % fillChars.length]!);
  return left ? padding.join('') + text : text + padding.join('');
}

export function repeat(text: string, count: number): string {
  if (count <= 0 || text === '') return '';
  checkResultSize(count, Buffer.byteLength(text, 'utf8'));
  return text.repeat(count);
}

/** `split_part(text, delimiter, n)`: the n-th field (from the end when negative); '' past the fields. */
export function splitPart(text: string, delimiter: string, field: number): string {
  if (field === 0) throw new SqlError('22023', 'field position must not be zero');
  if (delimiter === '') return field === 1 || field === -1 ? text : '';
  const fields = text.split(delimiter);
  const index = field > 0 ? field - 1 : fields.length + field;
  return fields[index] ?? '';
}

export function reverse(text: string): string {
  return codePoints(text).reverse().join('');
}

/** `initcap`: the first letter of each run of letters and digits upper case, the rest lower case. */
export function initcap(text: string): string {
  let wordStarted = false;
  let out = '';
  for (const char of text) {
    const alphanumeric = /[\p{L}\p{N}]/u.test(char);
    out += alphanumeric && !wordStarted ? upperChar(char) : lowerChar(char);
    wordStarted = alphanumeric;
  }
  return out;
}

export function md5(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/** `btrim`/`ltrim`/`rtrim(text, characters)`: strips any of `characters` from the chosen ends. */
export function trimCharacters(text: string, characters: string, leading: boolean, trailing: boolean): string {
  const set = new Set(codePoints(characters));
  const chars = codePoints(text);
  let start = 0;
  let end = chars.length;
  if (leading) while (start < end && set.has(chars[start]!)) start++;
  if (trailing) while (end > start && set.has(chars[end - 1]!)) end--;
  return chars.slice(start, end).join('');
}

/** `translate(text, from, to)`: each character of `from` becomes the one at its (first) position in `to`, or is dropped. */
export function translate(text: string, from: string, to: string): string {
  const fromChars = codePoints(from);
  const toChars = codePoints(to);
  const map = new Map<string, string>();
  fromChars.forEach((char, index) => {
    if (!map.has(char)) map.set(char, toChars[index] ?? '');
  });
  return codePoints(text)
    .map((char) => map.get(char) ?? char)
    .join('');
}

/** `strpos`/`position`: 1-based character position of the first occurrence, 0 when absent. */
export function strpos(text: string, sub: string): number {
  const at = text.indexOf(sub);
  return at < 0 ? 0 : codePoints(text.slice(0, at)).length + 1;
}

/** `chr(n)`: the character with code point n (UTF-8 database). */
export function chr(code: number): string {
  if (code === 0) throw new SqlError('54000', 'null character not permitted');
  if (code < 0) throw new SqlError('22023', 'character number must be positive');
  if (code > 0x10ffff) throw new SqlError('54000', `requested character too large for encoding: ${code}`);
  if (code >= 0xd800 && code <= 0xdfff) throw new SqlError('54000', `requested character not valid for encoding: ${code}`);
  return String.fromCodePoint(code);
}

/** `ascii(text)`: the code point of the first character, 0 for ''. */
export function ascii(text: string): number {
  return text.codePointAt(0) ?? 0;
}
