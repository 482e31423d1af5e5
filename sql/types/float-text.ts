/**
 * float4/float8 text I/O exactly as PostgreSQL ≥ 12 with `extra_float_digits = 1` (the default):
 * the shortest decimal that reads back as the same float (Ryū in PostgreSQL; `toExponential()`
 * here, which ECMAScript also defines as the shortest round trip), printed in fixed notation when
 * the decimal exponent is in [-4, 15) for float8 or [-4, 6) for float4, else as `1.5e+20` /
 * `1e-05` (at least two exponent digits); `NaN`, `Infinity`, `-Infinity`, `-0`.
 */
import { NumericValueOutOfRangeError, invalidSyntax } from './errors.js';

/** Shortest round-trip digits and decimal exponent of a finite nonzero float. */
function shortestDigits(value: number, single: boolean): { digits: string; exponent: number } {
  let text = value.toExponential();
  if (single) {
    for (let precision = 1; precision <= 9; precision++) {
      const candidate = value.toExponential(precision - 1);
      if (Math.fround(Number(candidate)) === value) {
        text = candidate;
        break;
      }
    }
  }
  const [mantissa, exponentText] = text.split('e') as [string, string];
  return { digits: mantissa.replace('-', '').replace('.', ''), exponent: Number(exponentText) };
}

function formatFloat(value: number, single: boolean): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  const { digits, exponent } = shortestDigits(value, single);
  const fixedLimit = single ? 6 : 15;
  if (exponent >= -4 && exponent < fixedLimit) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    if (digits.length <= exponent + 1) return sign + digits + '0'.repeat(exponent + 1 - digits.length);
    return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exponentSign = exponent < 0 ? '-' : '+';
  return `${sign}${mantissa}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** PostgreSQL's `float8out`. */
export function formatFloat8(value: number): string {
  return formatFloat(value, false);
}

/** PostgreSQL's `float4out` (`value` must be a float32). */
export function formatFloat4(value: number): string {
  return formatFloat(value, true);
}

const decimalPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const specialPattern = /^([+-]?)(?:inf|infinity)$/i;

function parseFloatText(text: string, typeName: 'real' | 'double precision', single: boolean): number {
  const trimmed = text.trim();
  if (/^[+-]?nan$/i.test(trimmed)) return NaN;
  const special = specialPattern.exec(trimmed);
  if (special !== null) return special[1] === '-' ? -Infinity : Infinity;
  if (!decimalPattern.test(trimmed)) throw invalidSyntax(typeName, text);
  const wide = Number(trimmed);
  const value = single ? Math.fround(wide) : wide;
  const mantissaIsZero = /^[+-]?[0.]*(?:[eE].*)?$/.test(trimmed);
  if (!Number.isFinite(value) || (value === 0 && !mantissaIsZero)) {
    throw new NumericValueOutOfRangeError(`"${text}" is out of range for type ${typeName}`);
  }
  return value;
}

/** PostgreSQL's `float8in`: decimal text, `NaN`, `[+-]Infinity`, `[+-]inf`; 22P02 or 22003. */
export function parseFloat8(text: string): number {
  return parseFloatText(text, 'double precision', false);
}

/**
 * PostgreSQL's `float4in`. Rounds through float64 first (`strtof` rounds once), which can differ
 * in the last bit for decimal inputs that lie within a float64 ulp of a float32 tie.
 */
export function parseFloat4(text: string): number {
  return parseFloatText(text, 'real', true);
}
