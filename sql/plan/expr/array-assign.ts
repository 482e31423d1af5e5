/**
 * Array element and slice assignment as PostgreSQL 15 does it (array_set_element,
 * array_set_slice): `UPDATE t SET a[i][j] = v`, `SET a[1:2] = ARRAY[…]`. The answer is a new
 * array; the original is never changed (datums are shared between rows).
 *
 * - A NULL or empty array becomes a new array whose bounds are the subscripts (`[3:3]={v}`); a
 *   slice into one must then give both bounds of every dimension (2202E).
 * - A 1-D array grows to take a subscript past either end, the gap filled with NULLs.
 * - An array of more dimensions never grows: a subscript outside it is 2202E.
 * - The subscript count must match the dimensions (2202E "wrong number of array subscripts"); a
 *   slice may give fewer, the rest taken whole.
 * - A slice takes the source's elements in order and needs at least as many as it holds (2202E
 *   "source array too small"); extras are ignored. A NULL source leaves the array as it is.
 * NULL subscripts are refused by the caller (22004) before these run.
 */
import { assert } from '../../../src/base/assert.js';
import { limits } from '../../../src/base/limits.js';
import { SqlError } from '../../catalog/errors.js';
import { arrayShape, elementCount, shapedArray, type ArrayShape } from '../../types/array-shape.js';
import type { Datum } from '../../types/datum.js';
import { arrayElementsMax } from './array-shape-functions.js';
import type { SliceBounds } from './array-subscript.js';

function subscriptError(message: string, detail?: string): SqlError {
  return new SqlError('2202E', message, detail === undefined ? undefined : { detail });
}

/** 54000 past PostgreSQL's MaxArraySize, or past what one value may hold here (limits.valueBytesMax). */
function checkSize(lengths: readonly number[]): void {
  const count = elementCount(lengths);
  if (count > arrayElementsMax) throw new SqlError('54000', `array size exceeds the maximum allowed (${arrayElementsMax})`);
  if (count > limits.valueBytesMax) throw new SqlError('54000', `array size exceeds the maximum allowed here (${limits.valueBytesMax} elements: limits.valueBytesMax)`);
}

/** `array[subscripts] = value`; `array` null is an empty array. */
export function arraySetElement(array: readonly Datum[] | null, defaultLowerBound: number, subscripts: readonly number[], value: Datum): readonly Datum[] {
  assert(subscripts.length > 0, 'an element assignment has a subscript');
  const shape = arrayShape(array ?? [], defaultLowerBound);
  const dimensions = shape.lengths.length;
  if (dimensions === 0) return shapedArray([value], { lengths: subscripts.map(() => 1), lowerBounds: [...subscripts] });
  if (dimensions !== subscripts.length) throw subscriptError('wrong number of array subscripts');
  if (dimensions === 1) return setOneDimension(array!, shape, subscripts[0]!, subscripts[0]!, [value]);
  let offset = 0;
  for (let dimension = 0; dimension < dimensions; dimension++) {
    const position = subscripts[dimension]! - shape.lowerBounds[dimension]!;
    if (position < 0 || position >= shape.lengths[dimension]!) throw subscriptError('array subscript out of range');
    offset = offset * shape.lengths[dimension]! + position;
  }
  const elements = [...array!];
  elements[offset] = value;
  return shapedArray(elements, shape);
}

/** The 1-D `array` with `lower..upper` replaced by `values`, grown with NULLs to reach them. */
function setOneDimension(array: readonly Datum[], shape: ArrayShape, lower: number, upper: number, values: readonly Datum[]): readonly Datum[] {
  const oldLower = shape.lowerBounds[0]!;
  const oldUpper = oldLower + shape.lengths[0]! - 1;
  const newLower = Math.min(oldLower, lower);
  const length = Math.max(oldUpper, upper) - newLower + 1;
  checkSize([length]);
  const elements = new Array<Datum>(length).fill(null);
  for (let index = 0; index < array.length; index++) elements[oldLower - newLower + index] = array[index] ?? null;
  for (let index = 0; index <= upper - lower; index++) elements[lower - newLower + index] = values[index] ?? null;
  return shapedArray(elements, { lengths: [length], lowerBounds: [newLower] });
}

/** `array[bounds] = source`; `array` null is an empty array, `source` null leaves it as it is. */
export function arraySetSlice(array: readonly Datum[] | null, defaultLowerBound: number, bounds: readonly SliceBounds[], source: readonly Datum[] | null): readonly Datum[] {
  assert(bounds.length > 0, 'a slice assignment has a subscript');
  const original = array ?? [];
  if (source === null) return original;
  const shape = arrayShape(original, defaultLowerBound);
  const dimensions = shape.lengths.length;
  if (dimensions === 0) return sliceIntoEmpty(bounds, source);
  if (dimensions < bounds.length) throw subscriptError('wrong number of array subscripts');
  const lowers: number[] = [];
  const uppers: number[] = [];
  for (let dimension = 0; dimension < dimensions; dimension++) {
    const lowest = shape.lowerBounds[dimension]!;
    const highest = lowest + shape.lengths[dimension]! - 1;
    const lower = bounds[dimension]?.lower ?? lowest;
    const upper = bounds[dimension]?.upper ?? highest;
    if (lower > upper) throw subscriptError('upper bound cannot be less than lower bound');
    if (dimensions > 1 && (lower < lowest || upper > highest)) throw subscriptError('array subscript out of range');
    lowers.push(lower);
    uppers.push(upper);
  }
  const lengths = lowers.map((lower, dimension) => uppers[dimension]! - lower + 1);
  checkSize(lengths);
  if (source.length < elementCount(lengths)) throw subscriptError('source array too small');
  if (dimensions === 1) return setOneDimension(original, shape, lowers[0]!, uppers[0]!, source);
  const elements = [...original];
  let next = 0;
  const fill = (dimension: number, base: number): void => {
    for (let index = lowers[dimension]!; index <= uppers[dimension]!; index++) {
      const offset = base * shape.lengths[dimension]! + index - shape.lowerBounds[dimension]!;
      if (dimension === dimensions - 1) elements[offset] = source[next++] ?? null;
      else fill(dimension + 1, offset);
    }
  };
  fill(0, 0);
  return shapedArray(elements, shape);
}

/** A slice assigned into an empty array: the slice's own bounds, both given in every dimension. */
function sliceIntoEmpty(bounds: readonly SliceBounds[], source: readonly Datum[]): readonly Datum[] {
  const lengths: number[] = [];
  const lowerBounds: number[] = [];
  for (const bound of bounds) {
    if (bound.lower === undefined || bound.upper === undefined) {
      throw subscriptError('array slice subscript must provide both boundaries', 'When assigning to a slice of an empty array value, slice boundaries must be fully specified.');
    }
    if (bound.lower > bound.upper) throw subscriptError('upper bound cannot be less than lower bound');
    lengths.push(bound.upper - bound.lower + 1);
    lowerBounds.push(bound.lower);
  }
  checkSize(lengths);
  const count = elementCount(lengths);
  if (source.length < count) throw subscriptError('source array too small');
  return shapedArray(source.slice(0, count), { lengths, lowerBounds });
}
