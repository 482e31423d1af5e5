/**
 * One-dimensional array text I/O as PostgreSQL's `array_out`/`array_in`: `{1,2,NULL}`, elements
 * double-quoted when empty, equal to `NULL` (any case), or containing `{`, `}`, `,`, `"`, `\` or
 * blanks, with `"` and `\` backslash-escaped inside quotes. Multi-dimensional arrays and explicit
 * bounds (`[0:1]={…}`) are not read yet.
 */
import { InvalidTextRepresentationError, withDetail } from './errors.js';

/** Formats elements already turned to text (`undefined` for a NULL element). */
export function formatArrayText(elements: readonly (string | undefined)[]): string {
  return `{${elements.map((element) => (element === undefined ? 'NULL' : quoteElement(element))).join(',')}}`;
}

function quoteElement(text: string): string {
  if (text.length > 0 && !/[{}",\\\s]/.test(text) && text.toUpperCase() !== 'NULL') return text;
  return `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

function malformed(text: string, detail: string): InvalidTextRepresentationError {
  return withDetail(new InvalidTextRepresentationError(`malformed array literal: "${text}"`), detail);
}

/** Splits `{…}` into element texts (`undefined` for an unquoted NULL). */
export function parseArrayText(text: string): (string | undefined)[] {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) throw malformed(text, 'Array value must start with "{" or dimension information.');
  const body = trimmed.slice(1, -1);
  const elements: (string | undefined)[] = [];
  if (body.trim() === '') return elements;
  let index = 0;
  for (;;) {
    while (/\s/.test(body[index] ?? '')) index++;
    let value = '';
    let quoted = false;
    if (body[index] === '"') {
      quoted = true;
      index++;
      while (index < body.length && body[index] !== '"') {
        if (body[index] === '\\') index++;
        value += body[index] ?? '';
        index++;
      }
      if (body[index] !== '"') throw malformed(text, 'Unexpected end of input.');
      index++;
      while (/\s/.test(body[index] ?? '')) index++;
    } else {
      while (index < body.length && body[index] !== ',') {
        if ('{}"'.includes(body[index]!)) throw malformed(text, 'Unexpected array element.');
        if (body[index] === '\\') index++;
        value += body[index] ?? '';
        index++;
      }
      value = value.trim();
      if (value === '') throw malformed(text, 'Unexpected "," character.');
    }
    elements.push(!quoted && value.toUpperCase() === 'NULL' ? undefined : value);
    if (index >= body.length) return elements;
    if (body[index] !== ',') throw malformed(text, 'Unexpected array element.');
    index++;
  }
}
