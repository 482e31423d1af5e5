// A hostile regular expression must not freeze the node (review F1 of session 12): the shapes
// that make a backtracking engine take exponential time answer correctly through every entry
// point (sql/plan/expr/user-regex.ts turns on V8's linear-time fallback; case-expansion.ts keeps
// case-insensitive patterns eligible for it). Before the fix each of these took minutes to days
// on the node's only thread; a regression fails by vitest's test timeout, no time is asserted.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { regexMatch, similarToRegex, translatePattern } from '../../../sql/plan/expr/regex.js';
import { regexpCount, regexpInstr, regexpLike, regexpMatchesRows, regexpReplaceFrom, regexpSplit, regexpSubstr } from '../../../sql/plan/expr/regex-functions.js';
import { jsonPathRegex } from '../../../sql/types/jsonpath-regex.js';

/** n a's and a character that makes every way of splitting them fail at the end. */
const runOfA = (n: number, last = '!'): string => `${'a'.repeat(n)}${last}`;

describe('hostile patterns answer (linear-time fallback)', () => {
  it('nested quantifiers: (a+)+$, (a*)*$, (.+)+b', () => {
    expect(regexMatch(runOfA(40), '(a+)+$', false)).toBe(false);
    expect(regexMatch(runOfA(40), '^(a*)*$', false)).toBe(false);
    expect(regexMatch(runOfA(40), '(.+)+b', false)).toBe(false);
    expect(regexMatch(runOfA(40, ''), '(a+)+$', false)).toBe(true);
  });

  it('overlapping alternation: ^(a|aa)+$ and ^(a|a?)+$', () => {
    expect(regexMatch(runOfA(80), '^(a|aa)+$', false)).toBe(false);
    expect(regexMatch(runOfA(40), '^(a|a?)+$', false)).toBe(false);
    expect(regexMatch(runOfA(80, ''), '^(a|aa)+$', false)).toBe(true);
  });

  it('case-insensitive (~*): the pattern is case-expanded, not the i flag', () => {
    expect(regexMatch(runOfA(40), '(A+)+$', true)).toBe(false);
    expect(regexMatch(runOfA(80).toUpperCase(), '^(a|aa)+$', true)).toBe(false);
    expect(regexMatch(`${'aA'.repeat(20)}!`, '([a-c]+)+$', true)).toBe(false);
    expect(regexMatch(`${'aA'.repeat(20)}`, '^([[:lower:]]+)+$', true)).toBe(true);
  });

  it('SIMILAR TO: (a|aa)* and (a%)* shapes', () => {
    expect(regexMatch(runOfA(80), similarToRegex('(a|aa)*', null), false)).toBe(false);
    expect(regexMatch(runOfA(40), similarToRegex('(a%)*b', null), false)).toBe(false);
    expect(regexMatch(runOfA(40, 'b'), similarToRegex('(a%)*b', null), false)).toBe(true);
  });

  it("regexp_replace and regexp_matches with 'gi', and the other regexp_* functions", () => {
    const source = `${runOfA(40)} ${runOfA(40, '').toUpperCase()}`;
    expect(regexpReplaceFrom(source, '(a+)+$', 'X', 1, 0, 'gi')).toBe(`${runOfA(40)} X`);
    expect([...regexpMatchesRows(source, '^(a|aa)+$', 'gi')]).toEqual([]);
    expect([...regexpMatchesRows(source, '(a+)+$', 'gi')]).toEqual([[runOfA(40, '').toUpperCase()]]);
    expect(regexpCount({ source, pattern: '(a+)+$', start: 1, flags: 'i' })).toBe(1);
    expect(regexpLike(runOfA(40), '(a+)+$', 'i')).toBe(false);
    expect(regexpSubstr({ source: runOfA(40), pattern: '(a+)+b', start: 1, flags: '' }, 1, 0)).toBe(null);
    expect(regexpInstr({ source: runOfA(40), pattern: '(a+)+b', start: 1, flags: 'i' }, 1, 0, 0)).toBe(0);
    expect(regexpSplit(runOfA(40), '(a+)+b', 'i', 'regexp_split_to_array')).toEqual([runOfA(40)]);
  });

  it('jsonpath like_regex, with and without flag "i"', () => {
    expect(jsonPathRegex('(a+)+$', undefined).test(runOfA(40))).toBe(false);
    expect(jsonPathRegex('^(a|aa)+$', { caseInsensitive: true, dotAll: false, multiLine: false, quoted: false }).test(runOfA(80).toUpperCase())).toBe(false);
  });

  it('\\m and \\M next to a word character translate to \\b (no lookaround), elsewhere keep their meaning', () => {
    expect(translatePattern('\\mfoo\\M')).toBe('\\bfoo\\b');
    expect(translatePattern('\\m\\w+\\M')).toBe('\\b\\w+\\b(?<=\\w)');
    expect(translatePattern('\\ma?b')).toBe('\\b(?=\\w)a?b');
    expect(translatePattern('\\x2a\\M')).toBe('\\x2a\\b(?<=\\w)');
    expect(regexMatch(`${'a'.repeat(40)} !`, '\\ma(a+)+b\\M', false)).toBe(false);
    expect(regexMatch('foo bar', '\\mbar\\M', false)).toBe(true);
    expect(regexMatch('foobar', '\\mbar\\M', false)).toBe(false);
    expect(regexMatch('bar!', '\\m.', false)).toBe(true);
    expect(regexMatch(' !', '\\m.', false)).toBe(false);
  });
});

describe('patterns outside the linear engine keep their meaning', () => {
  it('a case-insensitive backreference keeps the i flag and compares case-insensitively', () => {
    expect(regexMatch('aA', '^(a)\\1$', true)).toBe(true);
    expect(regexMatch('aB', '^(a)\\1$', true)).toBe(false);
  });
});

describe('every client pattern compiles through user-regex.ts', () => {
  it('no other file under sql/ constructs a RegExp, except fixed patterns of our own', () => {
    const fixedPatternFiles = new Set(['sql/types/datetime-text.ts']);
    const constructing = readdirSync('sql', { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('.ts'))
      .map((path) => join('sql', path))
      .filter((path) => /new RegExp\(/.test(readFileSync(path, 'utf8')));
    expect(constructing.filter((path) => !fixedPatternFiles.has(path)).sort()).toEqual(['sql/plan/expr/user-regex.ts']);
  });
});
