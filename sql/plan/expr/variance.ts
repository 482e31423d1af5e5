/**
 * The statistical aggregates `variance` / `var_samp`, `var_pop`, `stddev` / `stddev_samp` and
 * `stddev_pop`, computed as PostgreSQL computes them so that the digits agree:
 *
 *  - over integers and numeric the result is numeric, from exact sums (N, Σx, Σx²) at the end:
 *    (N·Σx² − (Σx)²) / (N·(N−1)) (or N·N for the population) at the division's scale
 *    (`select_div_scale`), the standard deviation the square root at that same scale
 *    (numeric_stddev_internal); a numerator ≤ 0 is 0; a NaN or infinite input gives NaN;
 *  - over float4 / float8 the result is float8, from the Youngs–Cramer running sums
 *    (float8_accum), which stay accurate where Σx² − (Σx)²/N would cancel.
 *
 * The sample forms are NULL for fewer than two inputs, the population forms for none; NULL
 * inputs are skipped.
 */
import type { Datum } from '../../types/datum.js';
import { Numeric } from '../../types/numeric.js';
import { float8Type, numericType, type SqlType } from '../../types/sql-type.js';
import { sqrtNumericToScale } from './math-functions.js';

/** The aggregate names, each with whether it is the sample form and whether it takes the root. */
const forms: ReadonlyMap<string, { readonly sample: boolean; readonly root: boolean }> = new Map([
  ['variance', { sample: true, root: false }],
  ['var_samp', { sample: true, root: false }],
  ['var_pop', { sample: false, root: false }],
  ['stddev', { sample: true, root: true }],
  ['stddev_samp', { sample: true, root: true }],
  ['stddev_pop', { sample: false, root: true }],
]);

export const varianceAggregateNames: ReadonlySet<string> = new Set(forms.keys());

/** numeric over integers and numeric, float8 over floats; undefined for any other argument. */
export function varianceResultType(arg: SqlType): SqlType | undefined {
  switch (arg.kind) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'numeric':
      return numericType();
    case 'float4':
    case 'float8':
      return float8Type;
    default:
      return undefined;
  }
}

export interface VarianceAccumulator {
  add(values: readonly Datum[]): void;
  result(): Datum;
}

export function varianceAccumulator(name: string, argType: SqlType): VarianceAccumulator {
  const form = forms.get(name)!;
  return argType.kind === 'float4' || argType.kind === 'float8' ? floatVariance(form.sample, form.root) : numericVariance(argType, form.sample, form.root);
}

function numericVariance(argType: SqlType, sample: boolean, root: boolean): VarianceAccumulator {
  let n = 0n;
  let sumX = Numeric.zero;
  let sumX2 = Numeric.zero;
  let nonFinite = false;
  return {
    add(values) {
      const value = values[0] ?? null;
      if (value === null) return;
      const x = argType.kind === 'numeric' ? (value as Numeric) : Numeric.fromBigInt(BigInt(value as number | bigint));
      n++;
      if (!x.isFinite) {
        nonFinite = true;
        return;
      }
      sumX = sumX.add(x);
      sumX2 = sumX2.add(x.mul(x));
    },
    result() {
      if (n === 0n || (sample && n <= 1n)) return null;
      if (nonFinite) return Numeric.nan;
      const count = Numeric.fromBigInt(n);
      const numerator = count.mul(sumX2).sub(sumX.mul(sumX));
      if (numerator.sign <= 0) return Numeric.zero;
      const denominator = count.mul(sample ? Numeric.fromBigInt(n - 1n) : count);
      const variance = numerator.div(denominator);
      return root ? sqrtNumericToScale(variance, variance.scale) : variance;
    },
  };
}

function floatVariance(sample: boolean, root: boolean): VarianceAccumulator {
  let n = 0;
  let sx = 0;
  let sxx = 0;
  return {
    add(values) {
      const value = values[0] ?? null;
      if (value === null) return;
      const x = value as number;
      const before = n;
      n += 1;
      sx += x;
      if (before > 0) {
        const tmp = x * n - sx;
        sxx += (tmp * tmp) / (n * before);
        // An infinite input makes the sum of squares NaN, as float8_accum's special case.
        if (!Number.isFinite(sx) || !Number.isFinite(sxx)) sxx = Number.NaN;
      } else if (!Number.isFinite(x)) {
        sxx = Number.NaN;
      }
    },
    result() {
      if (n === 0 || (sample && n <= 1)) return null;
      const variance = sxx / (sample ? n - 1 : n);
      return root ? Math.sqrt(variance) : variance;
    },
  };
}
