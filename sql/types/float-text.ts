/**
 * float4/float8 text I/O exactly as PostgreSQL ≥ 12 with `extra_float_digits = 1` (the default; 0
 * and below print `%.{15 + n}g` as PostgreSQL does, `formatFloatPrecision`):
 * the shortest decimal that reads back as the same float (Ryū in PostgreSQL; `toExponential()`
 * here, which ECMAScript also defines as the shortest round trip), printed in fixed notation when
 * the decimal exponent is in [-4, 15) for float8 or [-4, 6) for float4, else as `1.5e+20` /
 * `1e-05` (at least two exponent digits); `NaN`, `Infinity`, `-Infinity`, `-0`.
 */
import { NumericValueOutOfRangeError, invalidSyntax } from './errors.js';

/** Shortest round-trip digits and decimal exponent of a finite nonzero float. */
function shortestDigits(value: number, single: boolean): { digits: string; exponent: number } {
  if (single) return shortestFloat32Digits(Math.abs(value));
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  return { digits: mantissa.replace('-', '').replace('.', ''), exponent: Number(exponentText) };
}

/** `value` (a positive finite double) as `mantissa · 2^exponent`, the mantissa odd. */
function binaryParts(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  let mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  let exponent = biased === 0 ? -1074 : biased - 1075;
  // Drop trailing zero bits, so a float32's exponent is at least -149.
  while (mantissa > 0n && (mantissa & 1n) === 0n) {
    mantissa >>= 1n;
    exponent++;
  }
  return { mantissa, exponent };
}

/**
 * The shortest decimal for a float32, as PostgreSQL's Ryū `f2s` picks it: the fewest significant
 * digits whose value lies strictly inside the float's rounding interval, rounded half to even
 * from the exact value. Exact rational arithmetic in bigint, scaled by 2^152 · 10^60.
 */
function shortestFloat32Digits(value: number): { digits: string; exponent: number } {
  const { mantissa, exponent } = binaryParts(value);
  // The exact decimal expansion: digits × 10^digitsExponent.
  const exact = exponent >= 0 ? { digits: (mantissa << BigInt(exponent)).toString(), exp: 0 } : { digits: (mantissa * 5n ** BigInt(-exponent)).toString(), exp: exponent };
  const leadExponent = exact.digits.length - 1 + exact.exp;
  const scale = (digits: bigint, exp10: number): bigint => (exp10 >= -60 ? digits * 10n ** BigInt(exp10 + 60) : 0n) << 152n;
  const exactScaled = mantissa * 10n ** 60n * (1n << BigInt(exponent + 152));
  // float32 spacing around the value: 2^(e − 23) for [2^e, 2^(e+1)), 2^-149 below 2^-126.
  const binaryExponent = Math.max(Math.floor(Math.log2(value)), -126);
  const exactPowerOfTwo = value === 2 ** binaryExponent;
  const ulpScaled = 10n ** 60n * (1n << BigInt(binaryExponent - 23 + 152));
  const highGap = ulpScaled / 2n;
  const lowGap = exactPowerOfTwo && binaryExponent > -126 ? ulpScaled / 4n : ulpScaled / 2n;
  for (let precision = 1; precision <= 9; precision++) {
    let kept = BigInt(exact.digits.slice(0, precision) || '0');
    const rest = exact.digits.slice(precision);
    if (rest.length > 0) {
      const half = '5'.padEnd(rest.length, '0');
      if (rest > half || (rest === half && kept % 2n === 1n)) kept += 1n;
    }
    const keptExponent = exact.exp + Math.max(exact.digits.length - precision, 0);
    const candidate = scale(kept, keptExponent);
    const error = candidate - exactScaled;
    if (error === 0n || (error > 0n ? error < highGap : -error < lowGap)) {
      const digits = kept.toString().replace(/0+$/, '') || '0';
      return { digits, exponent: kept.toString().length - 1 + keptExponent };
    }
  }
  return { digits: exact.digits.replace(/0+$/, ''), exponent: leadExponent };
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

/**
 * PostgreSQL's `float8out`: with `extraFloatDigits` above 0 (the default 1) the shortest text
 * that reads back exactly; at 0 or below, `%.{15 + extraFloatDigits}g` (the pre-12 output,
 * which clients such as pg_dump of old and some drivers set).
 */
export function formatFloat8(value: number, extraFloatDigits = 1): string {
  return extraFloatDigits > 0 ? formatFloat(value, false) : formatFloatPrecision(value, 15 + extraFloatDigits);
}

/** PostgreSQL's `float4out` (`value` must be a float32): as float8out, with FLT_DIG 6. */
export function formatFloat4(value: number, extraFloatDigits = 1): string {
  return extraFloatDigits > 0 ? formatFloat(value, true) : formatFloatPrecision(value, 6 + extraFloatDigits);
}

/** C's `%.{precision}g`, as PostgreSQL's float out uses it when extra_float_digits ≤ 0. */
function formatFloatPrecision(value: number, precision: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  const digits = Math.max(1, precision);
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const magnitude = Math.abs(value);
  const [mantissa, exponentText] = magnitude.toExponential(digits - 1).split('e') as [string, string];
  const exponent = Number(exponentText);
  const trimmed = (text: string): string => (text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text);
  if (exponent >= -4 && exponent < digits) return sign + trimmed(magnitude.toFixed(digits - 1 - exponent));
  return `${sign}${trimmed(mantissa)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
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
