// PostgreSQL's POSIX regex operators over JavaScript's RegExp (sql/plan/expr/regex.ts): the
// patterns psql builds for \d NAME, the ARE additions translated, and PostgreSQL's error wording.
import { describe, expect, it } from 'vitest';
import { regexMatch, translatePattern } from '../../../sql/plan/expr/regex.js';
import { SqlError } from '../../../sql/catalog/errors.js';

describe('regexMatch', () => {
  it("matches psql's anchored name patterns", () => {
    expect(regexMatch('accounts', '^(accounts)$', false)).toBe(true);
    expect(regexMatch('accounts_pkey', '^(accounts)$', false)).toBe(false);
    expect(regexMatch('accounts_pkey', '^(acc.*)$', false)).toBe(true);
    expect(regexMatch('pg_toast_123', '^pg_toast', false)).toBe(true);
  });

  it('is unanchored unless the pattern anchors, and ~* ignores case', () => {
    expect(regexMatch('xabcx', 'abc', false)).toBe(true);
    expect(regexMatch('ABC', 'abc', false)).toBe(false);
    expect(regexMatch('ABC', 'abc', true)).toBe(true);
  });

  it('translates POSIX bracket classes and ARE word boundaries', () => {
    expect(translatePattern('[[:alpha:]][[:digit:]]')).toBe('[a-zA-Z][0-9]');
    expect(regexMatch('a1', '^[[:alpha:]][[:digit:]]$', false)).toBe(true);
    expect(regexMatch('foo bar', '\\mbar\\M', false)).toBe(true);
    expect(regexMatch('foobar', '\\mbar', false)).toBe(false);
    expect(regexMatch('a cat', '\\ycat\\y', false)).toBe(true);
  });

  it("rejects a malformed pattern with 2201B in PostgreSQL's words", () => {
    const error = (pattern: string): SqlError => {
      try {
        regexMatch('a', pattern, false);
      } catch (caught) {
        return caught as SqlError;
      }
      throw new Error(`pattern ${pattern} compiled`);
    };
    expect(error('(')).toMatchObject({ sqlState: '2201B', message: 'invalid regular expression: parentheses () not balanced' });
    expect(error('[a')).toMatchObject({ sqlState: '2201B', message: 'invalid regular expression: brackets [] not balanced' });
    expect(error('*a')).toMatchObject({ sqlState: '2201B', message: 'invalid regular expression: quantifier operand invalid' });
  });
});
