/**
 * Array subscripts as PostgreSQL evaluates them (array_get_element, array_get_slice). A run of
 * subscripts is one operation on all dimensions at once: `a[2][1]` is the element at (2, 1).
 *
 * - An element fetch needs one subscript per dimension; with fewer or more, or one outside its
 *   dimension's bounds, the answer is NULL.
 * - If any subscript of the run is a slice (`a[1:2][2]`), all are: a bare `[n]` is `[1:n]`, an
 *   omitted bound is the dimension's own, dimensions past the subscripts are taken whole, and
 *   bounds are clipped to the array. The slice's lower bounds are all 1; an empty slice, or more
 *   subscripts than dimensions, is `{}`.
 */
import { assert } from '../../../src/base/assert.js';
import { arrayShape, isPlainArray, shapedArray } from '../../types/array-shape.js';
import type { Datum } from '../../types/datum.js';

/** The element at `subscripts` (one per dimension, from the lower bounds), NULL outside the array. */
export function arrayElementAt(values: readonly Datum[], defaultLowerBound: number, subscripts: readonly number[]): Datum {
  if (subscripts.length === 1 && isPlainArray(values)) {
    // The common case, without building a shape: a 1-D array from its default lower bound (or empty).
    const position = subscripts[0]! - defaultLowerBound;
    return position < 0 || position >= values.length ? null : (values[position] ?? null);
  }
  const shape = arrayShape(values, defaultLowerBound);
  if (subscripts.length !== shape.lengths.length) return null;
  let offset = 0;
  for (let dimension = 0; dimension < subscripts.length; dimension++) {
    const position = subscripts[dimension]! - shape.lowerBounds[dimension]!;
    const length = shape.lengths[dimension]!;
    if (position < 0 || position >= length) return null;
    offset = offset * length + position;
  }
  return values[offset] ?? null;
}

/** A slice's bounds in one dimension; undefined where the SQL omitted it (`a[:2]`, `a[2:]`). */
export interface SliceBounds {
  readonly lower: number | undefined;
  readonly upper: number | undefined;
}

/** The sub-array between `bounds` (one per leading dimension), re-based to lower bounds 1. */
export function arraySlice(values: readonly Datum[], defaultLowerBound: number, bounds: readonly SliceBounds[]): readonly Datum[] {
  assert(bounds.length > 0, 'a slice has a subscript');
  const shape = arrayShape(values, defaultLowerBound);
  const dimensions = shape.lengths.length;
  if (dimensions === 0 || bounds.length > dimensions) return [];
  const from: number[] = [];
  const lengths: number[] = [];
  for (let dimension = 0; dimension < dimensions; dimension++) {
    const lowest = shape.lowerBounds[dimension]!;
    const highest = lowest + shape.lengths[dimension]! - 1;
    const given = bounds[dimension];
    const lower = Math.max(given?.lower ?? lowest, lowest);
    const upper = Math.min(given?.upper ?? highest, highest);
    if (lower > upper) return [];
    from.push(lower - lowest);
    lengths.push(upper - lower + 1);
  }
  const elements: Datum[] = [];
  copyBlock(values, shape.lengths, from, lengths, 0, 0, elements);
  return shapedArray(elements, { lengths, lowerBounds: lengths.map(() => 1) });
}

/** Appends the block `from`/`lengths` of dimension `dimension` onwards, starting at flat `base`. */
function copyBlock(values: readonly Datum[], shapeLengths: readonly number[], from: readonly number[], lengths: readonly number[], dimension: number, base: number, out: Datum[]): void {
  const last = dimension === shapeLengths.length - 1;
  for (let index = from[dimension]!; index < from[dimension]! + lengths[dimension]!; index++) {
    const offset = base * shapeLengths[dimension]! + index;
    if (last) out.push(values[offset] ?? null);
    else copyBlock(values, shapeLengths, from, lengths, dimension + 1, offset, out);
  }
}
