// The numeric math functions (sql/plan/expr/math-functions.ts): sqrt is the correctly rounded
// root at PostgreSQL's scale (checked as a property), integer powers are exact then rounded, and
// ln/log/exp match PostgreSQL's digits, as do non-integer powers (exp(y · ln x)); what rangedb
// does not compute (a power of about 20,000 integer digits or more) is refused with 0A000.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expNumeric, lnNumeric, logNumeric, powerFloat8, powerNumeric, sqrtNumeric, truncNumeric } from '../../../sql/plan/expr/math-functions.js';
import { Numeric, pow10 } from '../../../sql/types/numeric.js';
import { SqlError } from '../../../sql/catalog/errors.js';

const n = (text: string): Numeric => Numeric.parse(text);

function sqlState(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof SqlError) return error.sqlState;
    throw error;
  }
  return undefined;
}

describe('sqrtNumeric', () => {
  it('gives PostgreSQL 15 digits and scales', () => {
    expect(sqrtNumeric(n('2.0')).toString()).toBe('1.414213562373095');
    expect(sqrtNumeric(n('2.00000000000000000000')).toString()).toBe('1.41421356237309504880');
    expect(sqrtNumeric(n('12345678901234567890.5')).toString()).toBe('3513641828.8201443');
    expect(sqrtNumeric(n('1e-20')).toString()).toBe('0.0000000001000000000000000');
    expect(sqrtNumeric(n('0')).toString()).toBe('0.000000000000000');
    expect(sqrtNumeric(Numeric.nan)).toBe(Numeric.nan);
    const longRoot = sqrtNumeric(Numeric.of(2n * 10n ** 3000n, 3000)); // scale capped at 1000
    expect(longRoot.scale).toBe(1000);
    expect(longRoot.toString().slice(0, 22)).toBe('1.41421356237309504880');
    expect(sqlState(() => sqrtNumeric(n('-0.5')))).toBe('2201F');
    expect(sqlState(() => sqrtNumeric(Numeric.negativeInfinity))).toBe('2201F');
  });

  it('is the root rounded half away from zero at its scale', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 20 }), (unscaled, scale) => {
        const x = Numeric.of(unscaled, scale);
        const root = sqrtNumeric(x);
        // (root ∓ ½ unit)² brackets x: compare at a common scale, all integers.
        const s = root.scale;
        const twice = 2n * root.unscaled;
        const target = 4n * x.unscaled * pow10(2 * s - scale);
        const low = twice === 0n ? 0n : (twice - 1n) ** 2n;
        expect(low <= target).toBe(true);
        expect(target < (twice + 1n) ** 2n).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('powerNumeric', () => {
  it('gives exact integer powers at scale max(16, the base scale)', () => {
    expect(powerNumeric(n('1.1'), n('40')).toString()).toBe('45.2592555681759518');
    expect(powerNumeric(n('10.0'), n('20')).toString()).toBe('100000000000000000000.0000000000000000');
    expect(powerNumeric(n('3.0'), n('-1')).toString()).toBe('0.3333333333333333');
    expect(powerNumeric(n('-2.0'), n('5')).toString()).toBe('-32.0000000000000000');
    expect(powerNumeric(n('-2'), n('-3')).toString()).toBe('-0.1250000000000000');
    expect(powerNumeric(n('3.0'), n('0')).toString()).toBe('1.0000000000000000');
    expect(powerNumeric(n('0.1'), n('2000')).toString()).toBe('0.0000000000000000');
  });

  it('follows NaN rules and errors, computes non-integer powers, and refuses results too long to compute', () => {
    expect(powerNumeric(Numeric.nan, n('0')).toString()).toBe('1');
    expect(powerNumeric(n('1'), Numeric.nan).toString()).toBe('1');
    expect(powerNumeric(n('2'), Numeric.nan)).toBe(Numeric.nan);
    expect(sqlState(() => powerNumeric(n('0'), n('-1')))).toBe('2201F');
    expect(sqlState(() => powerNumeric(n('-8'), n('0.5')))).toBe('2201F');
    expect(powerNumeric(n('2'), n('0.5')).toString()).toBe('1.4142135623730950'); // PostgreSQL 15's digits
    expect(sqlState(() => powerNumeric(n('10'), n('1000000')))).toBe('22003');
    expect(powerNumeric(n('1.000001'), n('100000')).toString()).toBe('1.1051708628171399'); // too long exactly: by logarithms
    expect(sqlState(() => powerNumeric(n('2'), n('70000')))).toBe('0A000'); // 21,073 digits (PostgreSQL computes them)
    expect(sqlState(() => powerNumeric(n('10'), n('30000.5')))).toBe('22003');
    expect(powerNumeric(n('1e5000'), n('1')).toString()).toBe(`1${'0'.repeat(5000)}.${'0'.repeat(16)}`);
  });
});

describe('powerFloat8 and truncNumeric', () => {
  it("follows PostgreSQL's dpow", () => {
    expect(powerFloat8(NaN, 0)).toBe(1);
    expect(powerFloat8(1, NaN)).toBe(1);
    expect(powerFloat8(-1, Infinity)).toBe(1);
    expect(sqlState(() => powerFloat8(10, 400))).toBe('22003');
    expect(sqlState(() => powerFloat8(10, -400))).toBe('22003');
    expect(powerFloat8(0, 2)).toBe(0);
  });

  it('truncates toward zero and clamps the scale', () => {
    expect(truncNumeric(n('-42.89'), 1).toString()).toBe('-42.8');
    expect(truncNumeric(n('1234.5'), -2).toString()).toBe('1200');
    expect(truncNumeric(n('1.5'), 5000).scale).toBe(2000);
  });
});

describe('lnNumeric, logNumeric and expNumeric', () => {
  it('gives PostgreSQL 15 digits', () => {
    expect(lnNumeric(n('2.0')).toString()).toBe('0.6931471805599453');
    expect(lnNumeric(n('1e-30')).toString()).toBe('-69.077552789821370520539743640531');
    expect(logNumeric(n('3.0'), n('100000')).toString()).toBe('10.479516371446923');
    expect(expNumeric(n('-100')).toString()).toBe('0.00000000000000000000000000000000000000000003720075976020836');
    expect(expNumeric(n('100')).toString()).toBe('26881171418161354484126255515800135873611119');
  });

  it('keeps the limits and special values', () => {
    expect(sqlState(() => expNumeric(n('6000')))).toBe('22003');
    expect(expNumeric(n('-6000')).toString()).toBe(`0.${'0'.repeat(1000)}`); // zero at the 1000 cap, as exp_var
    expect(expNumeric(Numeric.negativeInfinity).toString()).toBe('0');
    expect(expNumeric(Numeric.infinity)).toBe(Numeric.infinity);
    expect(expNumeric(n('5000')).toString().length).toBeGreaterThan(2000); // e^5000 ≈ 10^2171, computed exactly enough to round
    expect(lnNumeric(Numeric.infinity)).toBe(Numeric.infinity);
    expect(sqlState(() => lnNumeric(n('0')))).toBe('2201E');
    expect(sqlState(() => lnNumeric(Numeric.negativeInfinity))).toBe('2201E');
    expect(sqlState(() => logNumeric(n('1'), n('5')))).toBe('22012');
  });
});
