/**
 * The ordered-set aggregates' final functions (sql/plan/expr/ordered-set.ts) over a group's sorted
 * values — PostgreSQL's orderedsetaggs.c; end-to-end results are checked against PostgreSQL 15 in
 * test/logic/testdata/ordered-set-aggregates.slt.
 */
import { describe, expect, it } from 'vitest';
import { orderedSetFinal } from '../../../sql/plan/expr/ordered-set.js';
import { float8Type, textType } from '../../../sql/types/sql-type.js';

describe('ordered-set final functions', () => {
  it('percentile_cont interpolates between the rows around fraction × (n − 1)', () => {
    const sorted = [1, 2, 4, 8];
    expect(orderedSetFinal('percentile_cont', sorted, 0, float8Type)).toBe(1);
    expect(orderedSetFinal('percentile_cont', sorted, 1, float8Type)).toBe(8);
    expect(orderedSetFinal('percentile_cont', sorted, 0.5, float8Type)).toBe(3);
    expect(orderedSetFinal('percentile_cont', sorted, 0.25, float8Type)).toBe(1.75);
    expect(orderedSetFinal('percentile_cont', [5], 0.9, float8Type)).toBe(5);
  });

  it('percentile_disc takes the first value whose position reaches fraction × n', () => {
    const sorted = ['a', 'b', 'c', 'd'];
    expect(orderedSetFinal('percentile_disc', sorted, 0, textType)).toBe('a');
    expect(orderedSetFinal('percentile_disc', sorted, 0.25, textType)).toBe('a');
    expect(orderedSetFinal('percentile_disc', sorted, 0.26, textType)).toBe('b');
    expect(orderedSetFinal('percentile_disc', sorted, 1, textType)).toBe('d');
  });

  it('an array of fractions gives an array, NULL fractions NULL elements; an empty group or NULL fraction gives NULL', () => {
    expect(orderedSetFinal('percentile_disc', [10, 20, 30], [0, null, 1], float8Type)).toEqual([10, null, 30]);
    expect(orderedSetFinal('percentile_cont', null, 0.5, float8Type)).toBeNull();
    expect(orderedSetFinal('percentile_cont', [1, 2], null, float8Type)).toBeNull();
  });

  it('a fraction outside [0, 1] or NaN is 22003, in an array too', () => {
    for (const fraction of [1.5, -0.1, Number.NaN]) {
      expect(() => orderedSetFinal('percentile_cont', [1], fraction, float8Type)).toThrow(expect.objectContaining({ sqlState: '22003' }));
    }
    expect(() => orderedSetFinal('percentile_disc', [1], [0.5, 2], float8Type)).toThrow('percentile value 2 is not between 0 and 1');
  });

  it('mode is the most frequent value, the first in sort order among ties', () => {
    expect(orderedSetFinal('mode', ['a', 'b', 'b', 'c', 'c'], null, textType)).toBe('b');
    expect(orderedSetFinal('mode', ['c', 'c', 'b', 'b', 'a'], null, textType)).toBe('c');
    expect(orderedSetFinal('mode', ['a', 'b', 'b'], null, textType)).toBe('b');
    expect(orderedSetFinal('mode', null, null, textType)).toBeNull();
  });
});
