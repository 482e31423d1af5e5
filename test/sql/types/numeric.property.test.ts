/**
 * Numeric arithmetic against a bigint rational model: + − × are exact with PostgreSQL's result
 * scales; ÷ is the exact quotient rounded half away from zero at the result scale; % satisfies
 * x = trunc(x / y)·y + x % y with |x % y| < |y|; round/trunc agree with the model; comparison
 * agrees with rational comparison. PostgreSQL's exact division scales are checked by the golden
 * test (pg-golden.test.ts) against a real server.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Numeric, pow10 } from '../../../sql/types/index.js';

const finite = fc
  .record({ unscaled: fc.oneof(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: -99n, max: 99n })), scale: fc.integer({ min: 0, max: 12 }) })
  .map(({ unscaled, scale }) => Numeric.of(unscaled, scale));
const nonZero = finite.filter((value) => value.sign !== 0);

/** `value` as the rational unscaled / 10^scale, scaled to a common denominator 10^scale. */
function at(value: Numeric, scale: number): bigint {
  return value.unscaled * pow10(scale - value.scale);
}

const abs = (value: bigint): bigint => (value < 0n ? -value : value);

describe('Numeric against a bigint model', () => {
  const run = (property: fc.IProperty<[Numeric, Numeric]>, seed: number): void => fc.assert(property, { seed, numRuns: 500 });

  it('adds and subtracts exactly at scale max(s1, s2)', () => {
    run(
      fc.property(finite, finite, (a, b) => {
        const scale = Math.max(a.scale, b.scale);
        const sum = a.add(b);
        const difference = a.sub(b);
        expect(sum.scale).toBe(scale);
        expect(sum.unscaled).toBe(at(a, scale) + at(b, scale));
        expect(difference.unscaled).toBe(at(a, scale) - at(b, scale));
      }),
      1,
    );
  });

  it('multiplies exactly at scale s1 + s2', () => {
    run(
      fc.property(finite, finite, (a, b) => {
        const product = a.mul(b);
        expect(product.scale).toBe(a.scale + b.scale);
        expect(product.unscaled).toBe(a.unscaled * b.unscaled);
      }),
      2,
    );
  });

  it('divides to the nearest value at the result scale, ties away from zero', () => {
    run(
      fc.property(finite, nonZero, (a, b) => {
        const quotient = a.div(b);
        const scale = quotient.scale;
        expect(scale).toBeGreaterThanOrEqual(Math.max(a.scale, b.scale));
        // a/b − q = (a·10^(s + sb) − q·b·10^sa) / (b·10^(sa + s)); the error must be at most half an ulp.
        const common = Math.max(a.scale, b.scale, 0);
        const numerator = at(a, common) * pow10(scale);
        const denominator = at(b, common);
        const error = numerator - quotient.unscaled * denominator;
        expect(2n * abs(error)).toBeLessThanOrEqual(abs(denominator));
        if (2n * abs(error) === abs(denominator)) expect(abs(quotient.unscaled) * abs(denominator) > abs(numerator)).toBe(true);
      }),
      3,
    );
  });

  it('takes the remainder of truncated division', () => {
    run(
      fc.property(finite, nonZero, (a, b) => {
        const remainder = a.mod(b);
        const scale = Math.max(a.scale, b.scale);
        expect(remainder.scale).toBe(scale);
        const x = at(a, scale);
        const y = at(b, scale);
        expect(remainder.unscaled).toBe(x - (x / y) * y);
        expect(abs(remainder.unscaled) < abs(y)).toBe(true);
      }),
      4,
    );
  });

  it('compares like rationals, ignoring scale', () => {
    run(
      fc.property(finite, finite, (a, b) => {
        const scale = Math.max(a.scale, b.scale);
        const x = at(a, scale);
        const y = at(b, scale);
        expect(a.compare(b)).toBe(x === y ? 0 : x < y ? -1 : 1);
      }),
      5,
    );
  });

  it('rounds half away from zero and truncates toward zero', () => {
    fc.assert(
      fc.property(finite, fc.integer({ min: -5, max: 14 }), (a, scale) => {
        const rounded = a.round(scale);
        const truncated = a.trunc(scale);
        const common = Math.max(a.scale, Math.max(scale, 0));
        const exact = at(a, common);
        const unit = pow10(common - scale);
        const roundedAt = at(rounded, common);
        expect(2n * abs(exact - roundedAt)).toBeLessThanOrEqual(unit);
        expect(roundedAt % unit).toBe(0n);
        const truncatedAt = at(truncated, common);
        expect(abs(truncatedAt)).toBeLessThanOrEqual(abs(exact));
        expect(abs(exact - truncatedAt) < unit).toBe(true);
      }),
      { seed: 6, numRuns: 500 },
    );
  });

  it('parses its own output to the same value and scale', () => {
    fc.assert(
      fc.property(finite, (a) => {
        const back = Numeric.parse(a.toString());
        expect([back.unscaled, back.scale]).toEqual([a.unscaled, a.scale]);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
