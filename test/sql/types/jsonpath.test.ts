// jsonpath's text I/O (sql/types/jsonpath-parse.ts, jsonpath-print.ts): the canonical text a path
// prints as parses back to the same path, except where PostgreSQL's printer itself loses the
// parentheses of an accessor on an operator — which is why the datum keeps the path as written.
// The exact texts against PostgreSQL 15 are in test/logic/testdata/jsonpath.slt.
import { describe, expect, it } from 'vitest';
import { cachedJsonPath, checkJsonPath, formatJsonPath, normalizeJsonPath, parseJsonPath } from '../../../sql/types/jsonpath-parse.js';
import { printJsonPath } from '../../../sql/types/jsonpath-print.js';

const paths = [
  '$',
  'strict $.a.**{2 to last}.b',
  'lax $.a[*] ? (@ > 1 && @.b == "x" || !(@ < 0))',
  '$.a + 1 * 2 - (3 - 4) / -$.b % +$.c',
  '-(-1)',
  '- - $.a',
  '($.a + 1).type()',
  '$ ? ((@ > 1) is unknown)',
  '$ ? (exists (@.a ? (@ like_regex "^a.\\\\d" flag "ism")))',
  '$ ? (@ starts with $"x y" && @ starts with "q\\"\\n")',
  '$[1, 2 to last - 1, $.size() - 1]',
  '$.*.**.**{last}.**{3}.**{1 to 2}',
  '$."key with \\"quotes\\"".last.true.size',
  '$.datetime("HH24:MI").keyvalue().double().abs().floor().ceiling()',
  '1.50e2 + .5 + 0.0010',
  '"é\\u00e9\\x41\\u{1F600}"',
  '$v ? (@ == null || @ != true || @ <> false)',
];

describe('jsonpath text I/O', () => {
  it.each(paths)('prints %s as text that parses back to itself', (path) => {
    const canonical = normalizeJsonPath(path);
    expect(normalizeJsonPath(canonical)).toBe(canonical);
    expect(parseJsonPath(canonical)).toEqual(parseJsonPath(path));
  });

  it('keeps a path whose printed text does not parse back as written, and evaluates that', () => {
    const written = '$ ? ((@ + 1).size() == 2)';
    // PostgreSQL 15 prints this (a text it cannot read back: `1.s` is junk after a number).
    expect(formatJsonPath(checkJsonPath(written))).toBe('$?(@ + 1.size() == 2)');
    expect(() => parseJsonPath('$?(@ + 1.size() == 2)')).toThrow(expect.objectContaining({ sqlState: '42601' }));
    expect(checkJsonPath(written)).toBe(written);
    expect(cachedJsonPath(written)).toEqual(parseJsonPath(written));
  });

  it('prints PostgreSQL 15’s canonical forms', () => {
    expect(normalizeJsonPath('$.a[*] ? (@ > 1)')).toBe('$."a"[*]?(@ > 1)');
    expect(normalizeJsonPath('1 + 2')).toBe('(1 + 2)');
    expect(normalizeJsonPath('- $.a')).toBe('(-$."a")');
    expect(normalizeJsonPath('$ ? (@ > 1 || @ < 2 && @ == 3)')).toBe('$?(@ > 1 || @ < 2 && @ == 3)');
    expect(normalizeJsonPath('$ ? ((@ > 1 || @ < 2) && @ == 3)')).toBe('$?((@ > 1 || @ < 2) && @ == 3)');
    expect(printJsonPath(parseJsonPath('STRICT $'))).toBe('strict $');
  });

  it.each([
    ['$.a[', '42601', 'syntax error at end of jsonpath input'],
    ['$ b  c', '42601', 'syntax error at or near "  " of jsonpath input'],
    ['$ ? (@.a)', '42601', 'syntax error at or near ")" of jsonpath input'],
    ['true && false', '42601', 'syntax error at or near "&&" of jsonpath input'],
    ['1.type()', '42601', 'trailing junk after numeric literal at or near "1.t" of jsonpath input'],
    ['@', '42601', '@ is not allowed in root expressions'],
    ['$ ? (last > 1)', '42601', 'LAST is allowed only in array subscripts'],
    ['  ', '22P02', 'invalid input syntax for type jsonpath: "  "'],
    ['$ ? (@ like_regex "a" flag "x")', '0A000', 'XQuery "x" flag (expanded regular expressions) is not implemented'],
  ])('refuses %s with %s', (path, sqlState, message) => {
    expect(() => parseJsonPath(path)).toThrow(expect.objectContaining({ sqlState, message }));
  });
});
