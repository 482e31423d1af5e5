/**
 * Building arrays of a higher dimension out of arrays, PostgreSQL's two ways:
 *
 * - `ARRAY[ARRAY[1,2], ARRAY[3,4]]` (ExecEvalArrayExpr): the sub-arrays must all have the same
 *   dimensions and lower bounds (2202E); NULL and empty sub-arrays are dropped only if every
 *   sub-array is one (the result is then `{}`), else 2202E.
 * - `array_agg(a)` over arrays (accumArrayResultArr): NULL (22004) and empty (2202E) inputs are
 *   refused, the rest must match (2202E).
 *
 * Either way the result's first dimension counts the sub-arrays, from 1, and the inner
 * dimensions are the sub-arrays' own, lower bounds included.
 */
import { SqlError } from '../../catalog/errors.js';
import { arrayShape, checkArrayDimensions, sameShape, shapedArray, type ArrayShape } from '../../types/array-shape.js';
import type { Datum } from '../../types/datum.js';

const mismatch = 'multidimensional arrays must have array expressions with matching dimensions';

/** `ARRAY[sub, sub, …]` where each `sub` is an array value or NULL. */
export function stackSubarrays(subarrays: readonly (readonly Datum[] | null)[]): readonly Datum[] {
  const present = subarrays.filter((subarray): subarray is readonly Datum[] => subarray !== null && subarray.length > 0);
  if (present.length === 0) return [];
  if (present.length !== subarrays.length) throw new SqlError('2202E', mismatch);
  return stack(present, mismatch);
}

/** array_agg's accumulation of array inputs (non-NULL, checked as they arrive by `checkAggregatedArray`). */
export function stackAggregatedArrays(subarrays: readonly (readonly Datum[])[]): readonly Datum[] {
  return stack(subarrays, 'cannot accumulate arrays of different dimensionality');
}

/** array_agg's refusals of one input array. */
export function checkAggregatedArray(subarray: readonly Datum[] | null): readonly Datum[] {
  if (subarray === null) throw new SqlError('22004', 'cannot accumulate null arrays');
  if (subarray.length === 0) throw new SqlError('2202E', 'cannot accumulate empty arrays');
  return subarray;
}

function stack(subarrays: readonly (readonly Datum[])[], mismatchMessage: string): readonly Datum[] {
  const first: ArrayShape = arrayShape(subarrays[0]!);
  checkArrayDimensions(first.lengths.length + 1);
  const elements: Datum[] = [];
  for (const subarray of subarrays) {
    if (!sameShape(arrayShape(subarray), first)) throw new SqlError('2202E', mismatchMessage);
    for (const element of subarray) elements.push(element);
  }
  return shapedArray(elements, { lengths: [subarrays.length, ...first.lengths], lowerBounds: [1, ...first.lowerBounds] });
}

/**
 * The flat `items` (row-major) nested by `lengths` into lists built by `wrap` (told the depth,
 * 0 outermost) — to_jsonb of a 2-D array is an array of arrays. No dimensions (an empty array)
 * is one empty list.
 */
export function nestByDimensions<T>(items: readonly T[], lengths: readonly number[], wrap: (children: T[], depth: number) => T, depth = 0): T {
  if (lengths.length <= 1) return wrap([...items], depth);
  const stride = items.length / lengths[0]!;
  const children: T[] = [];
  for (let index = 0; index < lengths[0]!; index++) children.push(nestByDimensions(items.slice(index * stride, (index + 1) * stride), lengths.slice(1), wrap, depth + 1));
  return wrap(children, depth);
}
