/**
 * Text input of a row value, as PostgreSQL 15's `record_in` (utils/adt/rowtypes.c) reads it:
 * `(1,abc)`, one field per column of the row type, in order.
 *
 * - Blanks before `(` and after `)` are skipped; nothing else may come outside them.
 * - A field that is completely empty (`(,)`) is NULL; `""` is the empty string.
 * - Inside a field, `"…"` quotes (`,` and `)` are then data; `""` inside quotes is one `"`),
 *   `\x` is `x` anywhere; blanks are data (`( 1 , abc )` gives ` 1 ` and ` abc `: the field's
 *   own input function decides — int4 skips them, text keeps them).
 * - Every error is 22P02 `malformed record literal: "<the text>"` with PostgreSQL's DETAIL:
 *   Missing left parenthesis, Too few columns, Too many columns, Unexpected end of input, Junk
 *   after right parenthesis. A field its type does not accept fails with that type's error.
 *
 * This is the input function: which row types have names (a table's row type, CREATE TYPE …
 * AS) is the catalog's business; rangedb's `record` values so far are anonymous, whose input
 * PostgreSQL does not implement either (0A000, text-io.ts).
 */
import { InvalidTextRepresentationError, withDetail } from './errors.js';
import type { Datum } from './datum.js';
import type { RecordType } from './sql-type.js';
import { parseText, type TextContext } from './text-io.js';

/** A row value of `type` from its text: each field read by its type's input function. */
export function parseRowText(type: RecordType, text: string, context?: TextContext): Datum[] {
  return parseRecordText(text, type.fields.length, (index, fieldText) => (fieldText === null ? null : parseText(type.fields[index]!.type, fieldText, context)));
}

/**
 * The fields of `text` as a row of `fieldCount` columns, each turned into a value by
 * `parseField(index, fieldText)` (`fieldText` null for a NULL field), in order — so the first
 * bad field fails first, as in PostgreSQL.
 */
export function parseRecordText(text: string, fieldCount: number, parseField: (index: number, fieldText: string | null) => Datum): Datum[] {
  const malformed = (detail: string): InvalidTextRepresentationError => withDetail(new InvalidTextRepresentationError(`malformed record literal: "${text}"`), detail);
  let at = skipBlanks(text, 0);
  if (text[at] !== '(') throw malformed('Missing left parenthesis.');
  at++;
  const values: Datum[] = [];
  for (let index = 0; index < fieldCount; index++) {
    if (index > 0) {
      // The previous field ended at `,` or `)`: a `)` here means the row has fewer fields.
      if (text[at] !== ',') throw malformed('Too few columns.');
      at++;
    }
    if (text[at] === ',' || text[at] === ')') {
      values.push(parseField(index, null));
      continue;
    }
    let field = '';
    let quoted = false;
    while (quoted || (text[at] !== ',' && text[at] !== ')')) {
      const ch = text[at++];
      if (ch === undefined) throw malformed('Unexpected end of input.');
      if (ch === '\\') {
        const escaped = text[at++];
        if (escaped === undefined) throw malformed('Unexpected end of input.');
        field += escaped;
      } else if (ch === '"') {
        if (!quoted) quoted = true;
        else if (text[at] === '"') field += text[at++]!; // a doubled quote inside quotes
        else quoted = false;
      } else {
        field += ch;
      }
    }
    values.push(parseField(index, field));
  }
  if (text[at] !== ')') throw malformed('Too many columns.');
  at = skipBlanks(text, at + 1);
  if (at < text.length) throw malformed('Junk after right parenthesis.');
  return values;
}

/** The position of the first character at or after `at` that is not a blank (C's isspace). */
function skipBlanks(text: string, at: number): number {
  let position = at;
  while (position < text.length && ' \t\n\r\v\f'.includes(text[position]!)) position++;
  return position;
}
