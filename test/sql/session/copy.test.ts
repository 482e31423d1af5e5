// COPY's text and CSV formats: PostgreSQL's escapes and quoting, and a property — any rows
// written by formatCopyLine read back unchanged by parseCopyData, in both formats.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyOptions, formatCopyLine, parseCopyData } from '../../../sql/session/copy.js';

const text = copyOptions('text', null, null, false);
const csv = copyOptions('csv', null, null, false);

describe('COPY formats', () => {
  it('text: escapes, \\N, octal and hex, the end marker, CRLF', () => {
    expect(parseCopyData('a\\tb\tx\\\\y\t\\N\n\\101\\x42\t\t\r\n\\.\nignored\n', { ...text })).toEqual([
      ['a\tb', 'x\\y', null],
      ['AB', '', ''],
    ]);
    expect(formatCopyLine(['a\tb', null, 'line\nbreak', 'back\\slash'], text)).toBe('a\\tb\t\\N\tline\\nbreak\tback\\\\slash\n');
  });

  it('csv: quotes, doubled quotes, quoted line breaks, empty string vs NULL, header', () => {
    expect(parseCopyData('h1,h2\n"a,b","say ""hi"""\n"multi\nline",\n"",x\n', copyOptions('csv', null, null, true))).toEqual([
      ['a,b', 'say "hi"'],
      ['multi\nline', null],
      ['', 'x'],
    ]);
    expect(formatCopyLine(['a,b', '', null, 'q"'], csv)).toBe('"a,b","",,"q"""\n');
  });

  it('round-trips any rows in both formats', () => {
    const field = fc.option(fc.string({ unit: 'grapheme' }), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }), fc.boolean(), (rows, useCsv) => {
        const options = useCsv ? csv : text;
        const width = rows[0]!.length;
        const even = rows.map((row) => Array.from({ length: width }, (_, i) => row[i] ?? null));
        const input = even.map((row) => formatCopyLine(row, options)).join('');
        expect(parseCopyData(input, options)).toEqual(even);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
