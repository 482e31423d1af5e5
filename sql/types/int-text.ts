/**
 * Integer text input as PostgreSQL 15's `pg_strtoint16/32/64` and `oidin`: blanks around, an
 * optional sign, decimal digits (no underscores or hex: those arrived in PostgreSQL 16).
 */
import { int16Max, int16Min, int32Max, int32Min, int64Max, int64Min, uint32Max } from './datum.js';
import { NumericValueOutOfRangeError, invalidSyntax } from './errors.js';

const integerPattern = /^\s*([+-]?\d+)\s*$/;

function parseInteger(text: string, typeName: string, min: bigint, max: bigint): bigint {
  const match = integerPattern.exec(text);
  if (match === null) throw invalidSyntax(typeName, text);
  const value = BigInt(match[1]!);
  if (value < min || value > max) throw new NumericValueOutOfRangeError(`value "${text}" is out of range for type ${typeName}`);
  return value;
}

/**
 * The value of `text` if it is 1 to 15 decimal digits and nothing else (below 2^53: exact as a
 * number), else -1 — the common input (a Bind parameter, a COPY field) read without the regex's
 * match array and a bigint. Anything else (signs, blanks, long or bad input) takes `parseInteger`,
 * which gives the errors.
 */
function plainDigits(text: string): number {
  const length = text.length;
  if (length === 0 || length > 15) return -1;
  let value = 0;
  for (let index = 0; index < length; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

const int16MinBig = BigInt(int16Min);
const int16MaxBig = BigInt(int16Max);
const int32MinBig = BigInt(int32Min);
const int32MaxBig = BigInt(int32Max);

export function parseInt2(text: string): number {
  const plain = plainDigits(text);
  if (plain >= 0 && plain <= int16Max) return plain;
  return Number(parseInteger(text, 'smallint', int16MinBig, int16MaxBig));
}

export function parseInt4(text: string): number {
  const plain = plainDigits(text);
  if (plain >= 0 && plain <= int32Max) return plain;
  return Number(parseInteger(text, 'integer', int32MinBig, int32MaxBig));
}

export function parseInt8(text: string): bigint {
  const plain = plainDigits(text);
  if (plain >= 0) return BigInt(plain);
  return parseInteger(text, 'bigint', int64Min, int64Max);
}

/** `oidin`: an unsigned 32-bit value; negative input down to -2^31 wraps, as in PostgreSQL. */
export function parseOid(text: string): number {
  const value = parseInteger(text, 'oid', int32MinBig, BigInt(uint32Max));
  return Number(value < 0n ? value + BigInt(uint32Max) + 1n : value);
}
