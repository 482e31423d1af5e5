/**
 * The checks PostgreSQL's json lexer makes when it de-escapes a string (json_lex_string with a
 * `strval`, PostgreSQL 15's jsonapi.c): jsonb input and every json function that reads a string's
 * value (`->`, `->>`, `#>`, json_each, json_object_keys, json_populate_record, …) de-escape every
 * string of the document they parse, in document order, and stop at the first of:
 *
 * - `\u0000`: 22P05 `unsupported Unicode escape sequence` (text cannot hold it);
 * - a low surrogate (`\udc00`–`\udfff`) not right after a high one, or a high surrogate not
 *   followed by a low one: 22P02 `invalid input syntax for type json`;
 * - a high surrogate right after a high one: 22P02 too.
 *
 * json input (`json_in`) and the functions that only look at the document's shape
 * (json_typeof, json_array_length, json_array_elements) do not de-escape: they accept all three.
 */
import { InvalidTextRepresentationError, UntranslatableCharacterError, withDetail } from './errors.js';

const noHighSurrogate = -1;

function surrogateError(detail: string): Error {
  return withDetail(new InvalidTextRepresentationError('invalid input syntax for type json'), detail);
}

const lowSurrogateExpected = 'Unicode low surrogate must follow a high surrogate.';

/** Checks the escapes of one JSON string token (quotes included, already known to be well formed). */
export function checkJsonStringEscapes(token: string): void {
  if (!token.includes('\\')) return;
  let highSurrogate = noHighSurrogate;
  for (let index = 1; index < token.length - 1; index++) {
    const isUnicodeEscape = token[index] === '\\' && token[index + 1] === 'u';
    if (!isUnicodeEscape) {
      if (highSurrogate !== noHighSurrogate) throw surrogateError(lowSurrogateExpected);
      if (token[index] === '\\') index++;
      continue;
    }
    const code = Number.parseInt(token.slice(index + 2, index + 6), 16);
    index += 5;
    if (code >= 0xd800 && code <= 0xdbff) {
      if (highSurrogate !== noHighSurrogate) throw surrogateError('Unicode high surrogate must not follow a high surrogate.');
      highSurrogate = code;
      continue;
    }
    const completesPair = code >= 0xdc00 && code <= 0xdfff;
    if (completesPair !== (highSurrogate !== noHighSurrogate)) throw surrogateError(lowSurrogateExpected);
    highSurrogate = noHighSurrogate;
    if (code === 0) throw withDetail(new UntranslatableCharacterError('unsupported Unicode escape sequence'), '\\u0000 cannot be converted to text.');
  }
  if (highSurrogate !== noHighSurrogate) throw surrogateError(lowSurrogateExpected);
}
