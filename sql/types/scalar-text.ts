/**
 * Text I/O of the small types, as PostgreSQL 15: boolean (`t`/`f` out; `true`, `yes`, `on`,
 * `1` and their unambiguous prefixes in), bytea (`\x…` hex out; hex and escape formats in),
 * uuid (canonical lowercase out; hyphens after any group of four hex digits and braces in).
 */
import { InvalidParameterValueError, InvalidTextRepresentationError, invalidSyntax } from './errors.js';

export function formatBool(value: boolean): string {
  return value ? 't' : 'f';
}

/** PostgreSQL's `parse_bool_with_len`: blanks around, any case. */
export function parseBool(text: string): boolean {
  const word = text.trim().toLowerCase();
  if (word.length > 0) {
    if ('true'.startsWith(word) || 'yes'.startsWith(word) || word === '1') return true;
    if ('false'.startsWith(word) || word === 'no' || word === 'n' || word === '0') return false;
    if (word.length >= 2 && 'on'.startsWith(word)) return true;
    if (word.length >= 2 && 'off'.startsWith(word)) return false;
  }
  throw invalidSyntax('boolean', text);
}

const hexDigits = '0123456789abcdef';

/** PostgreSQL's `byteaout` with `bytea_output = 'hex'`. */
export function formatBytea(value: Uint8Array): string {
  let out = '\\x';
  for (const byte of value) out += hexDigits[byte >> 4]! + hexDigits[byte & 15]!;
  return out;
}

function hexValue(char: string, text: string): number {
  const value = parseInt(char, 16);
  if (Number.isNaN(value) || !/^[0-9a-f]$/i.test(char)) throw new InvalidParameterValueError(`invalid hexadecimal digit: "${char}"`);
  void text;
  return value;
}

/** PostgreSQL's `byteain`: `\x` hex (blanks allowed between digit pairs) or the escape format. */
export function parseBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) return parseHexBytea(text);
  const out: number[] = [];
  for (let index = 0; index < text.length; ) {
    const char = text[index]!;
    if (char !== '\\') {
      for (const byte of Buffer.from(char, 'utf8')) out.push(byte);
      index++;
      continue;
    }
    if (text[index + 1] === '\\') {
      out.push(0x5c);
      index += 2;
      continue;
    }
    const octal = /^[0-3][0-7]{2}$/.exec(text.slice(index + 1, index + 4));
    if (octal === null) throw new InvalidTextRepresentationError('invalid input syntax for type bytea');
    out.push(parseInt(octal[0], 8));
    index += 4;
  }
  return Uint8Array.from(out);
}

function parseHexBytea(text: string): Uint8Array {
  const out: number[] = [];
  for (let index = 2; index < text.length; ) {
    const char = text[index]!;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      index++;
      continue;
    }
    // PostgreSQL skips blanks only between digit pairs; a blank inside a pair is a bad digit.
    const high = hexValue(char, text);
    if (index + 1 >= text.length) throw new InvalidParameterValueError('invalid hexadecimal data: odd number of digits');
    const low = hexValue(text[index + 1]!, text);
    out.push((high << 4) | low);
    index += 2;
  }
  return Uint8Array.from(out);
}

const uuidPattern = /^\{?([0-9a-f]{4}-?){7}[0-9a-f]{4}\}?$/i;

/** PostgreSQL's `uuid_in`, returning the canonical lowercase form. */
export function parseUuid(text: string): string {
  if (!uuidPattern.test(text) || text.startsWith('{') !== text.endsWith('}') || text.includes('--')) throw invalidSyntax('uuid', text);
  const hex = text.replace(/[{}-]/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A uuid's 16 bytes from its canonical text. */
export function uuidBytes(canonical: string): Uint8Array {
  return Uint8Array.from(Buffer.from(canonical.replace(/-/g, ''), 'hex'));
}

/** The canonical text of 16 uuid bytes. */
export function uuidFromBytes(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
