/**
 * LIKE beyond the golden cases (pg-golden.test.ts checks 484 patterns against PostgreSQL 15):
 * NULL handling, and patterns that make a backtracking matcher explode still finish (a pattern
 * is user input). No timing assertions: an exponential matcher would hit the test timeout.
 */
import { describe, expect, it } from 'vitest';
import { like } from '../../../sql/types/index.js';

describe('like', () => {
  it('is NULL when any operand is NULL', () => {
    expect(like(null, 'a')).toBeNull();
    expect(like('a', null)).toBeNull();
    expect(like('a', 'a', { escape: null })).toBeNull();
  });

  it('matches adversarial patterns in polynomial time', () => {
    const text = 'a'.repeat(20_000);
    expect(like(text, `${'%a'.repeat(30)}%b`)).toBe(false);
    expect(like(text, `${'%a'.repeat(30)}%`)).toBe(true);
    expect(like(`${text}b`, `${'%_'.repeat(30)}b`)).toBe(true);
  });

  it('handles astral characters as one character each', () => {
    expect(like('😀x', '_x')).toBe(true);
    expect(like('😀', '__')).toBe(false);
  });
});
