import { describe, expect, it } from 'vitest';
import { arraySetElement, arraySetSlice } from '../../../sql/plan/expr/array-assign.js';
import { arrayShape, shapedArray } from '../../../sql/types/array-shape.js';
import { SqlError } from '../../../sql/catalog/errors.js';
import type { Datum } from '../../../sql/types/datum.js';

function sqlStateOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof SqlError ? error.sqlState : 'not a SqlError';
  }
  return undefined;
}

const grid = (): readonly Datum[] => shapedArray([1, 2, 3, 4], { lengths: [2, 2], lowerBounds: [1, 1] });

describe('array element and slice assignment (array_set_element / array_set_slice)', () => {
  it('never changes the array it is given (datums are shared between rows)', () => {
    const flat = Object.freeze([1, 2, 3]);
    expect(arraySetElement(flat, 1, [2], 20)).toEqual([1, 20, 3]);
    expect(arraySetSlice(flat, 1, [{ lower: 5, upper: 5 }], [50])).toEqual([1, 2, 3, null, 50]);
    expect(flat).toEqual([1, 2, 3]);
    const shaped = grid();
    const changed = arraySetElement(shaped, 1, [2, 1], 30);
    expect([...changed]).toEqual([1, 2, 30, 4]);
    expect([...shaped]).toEqual([1, 2, 3, 4]);
    expect(arrayShape(changed)).toEqual(arrayShape(shaped));
  });

  it('grows a 1-D array at either end and moves its lower bound down', () => {
    const grown = arraySetElement([1, 2], 1, [-1], 0);
    expect([...grown]).toEqual([0, null, 1, 2]);
    expect(arrayShape(grown)).toEqual({ lengths: [4], lowerBounds: [-1] });
  });

  it('makes a NULL or empty array into one bounded by the subscripts', () => {
    for (const empty of [null, []]) {
      const made = arraySetElement(empty, 1, [2, 3], 9);
      expect(arrayShape(made)).toEqual({ lengths: [1, 1], lowerBounds: [2, 3] });
      expect(sqlStateOf(() => arraySetSlice(empty, 1, [{ lower: undefined, upper: 2 }], [1, 2]))).toBe('2202E');
    }
  });

  it('refuses to grow an array of more dimensions, a wrong subscript count and a short slice source', () => {
    expect(sqlStateOf(() => arraySetElement(grid(), 1, [3, 1], 0))).toBe('2202E');
    expect(sqlStateOf(() => arraySetElement(grid(), 1, [1], 0))).toBe('2202E');
    expect(sqlStateOf(() => arraySetSlice(grid(), 1, [{ lower: 1, upper: 2 }], [1, 2, 3]))).toBe('2202E');
    expect(sqlStateOf(() => arraySetElement([1], 1, [200_000_000], 0))).toBe('54000');
  });

  it('fills a block of a 2-D array in row-major order, ignoring extra source elements', () => {
    const replaced = arraySetSlice(grid(), 1, [{ lower: 2, upper: 2 }], [7, 8, 9]);
    expect([...replaced]).toEqual([1, 2, 7, 8]);
  });
});
