/**
 * Ordered-set aggregates (PostgreSQL's `f(direct args) WITHIN GROUP (ORDER BY x)`):
 * `percentile_cont`, `percentile_disc` and `mode`. The group's sorted input is what they need:
 * the aggregation collects the non-NULL sort values of each group through the ordered-aggregate
 * machinery of aggregates.ts (held, memory-accounted and sorted by the WITHIN GROUP key, its
 * direction and NULLS clause), and the final function here runs over that sorted list with the
 * direct arguments, which are evaluated per group on the aggregate's output row (they may use
 * only grouped columns) — PostgreSQL's ordered-set final functions (utils/adt/orderedsetaggs.c).
 */
import { withShapeOf } from '../../types/array-shape.js';
import { compareDatums } from '../../types/compare.js';
import type { Datum } from '../../types/datum.js';
import { SqlError } from '../../catalog/errors.js';
import type { SqlType } from '../../types/sql-type.js';

export const orderedSetAggregateNames: ReadonlySet<string> = new Set(['percentile_cont', 'percentile_disc', 'mode']);

/** PostgreSQL's 22003 for a fraction outside [0, 1] (NaN too). */
function checkFraction(fraction: number): void {
  if (Number.isNaN(fraction) || fraction < 0 || fraction > 1) throw new SqlError('22003', `percentile value ${String(fraction)} is not between 0 and 1`);
}

/** percentile_cont over float8: linear interpolation between the two rows around fraction × (n − 1). */
function percentileCont(sorted: readonly number[], fraction: number): number {
  checkFraction(fraction);
  const position = fraction * (sorted.length - 1);
  const first = Math.floor(position);
  const second = Math.ceil(position);
  const low = sorted[first]!;
  if (first === second) return low;
  const high = sorted[second]!;
  // float8_lerp: lo + (hi - lo) * (position - first).
  return low + (high - low) * (position - first);
}

/** percentile_disc: the first value whose position in the sorted group reaches fraction × n. */
function percentileDisc(sorted: readonly Datum[], fraction: number): Datum {
  checkFraction(fraction);
  const row = Math.ceil(fraction * sorted.length);
  return sorted[row > 1 ? row - 1 : 0] ?? null;
}

/** mode: the most frequent value, the first in sort order among equally frequent ones. */
function mode(sorted: readonly Datum[], type: SqlType): Datum {
  let best: Datum = null;
  let bestCount = 0;
  let current: Datum = null;
  let count = 0;
  for (const value of sorted) {
    if (count > 0 && compareDatums(type, value, current) === 0) count++;
    else {
      current = value;
      count = 1;
    }
    if (count > bestCount) {
      best = current;
      bestCount = count;
    }
  }
  return best;
}

/**
 * The final result of `name` over a group's sorted non-NULL sort values (null when the group had
 * none: the aggregate is then NULL) with its direct argument `direct` (a fraction, or an array of
 * fractions giving an array of results, NULL fractions giving NULL elements).
 */
export function orderedSetFinal(name: string, sorted: readonly Datum[] | null, direct: Datum, sortType: SqlType): Datum {
  if (sorted === null || sorted.length === 0) return null;
  if (name === 'mode') return mode(sorted, sortType);
  if (direct === null) return null;
  const one = (fraction: Datum): Datum => {
    if (fraction === null) return null;
    return name === 'percentile_cont' ? percentileCont(sorted as readonly number[], fraction as number) : percentileDisc(sorted, fraction as number);
  };
  return Array.isArray(direct) ? withShapeOf(direct as readonly Datum[], (direct as readonly Datum[]).map(one)) : one(direct);
}
