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

export function parseInt2(text: string): number {
  return Number(parseInteger(text, 'smallint', BigInt(int16Min), BigInt(int16Max)));
}

export function parseInt4(text: string): number {
  return Number(parseInteger(text, 'integer', BigInt(int32Min), BigInt(int32Max)));
}

export function parseInt8(text: string): bigint {
  return parseInteger(text, 'bigint', int64Min, int64Max);
}

/** `oidin`: an unsigned 32-bit value; negative input down to -2^31 wraps, as in PostgreSQL. */
export function parseOid(text: string): number {
  const value = parseInteger(text, 'oid', BigInt(int32Min), BigInt(uint32Max));
  return Number(value < 0n ? value + BigInt(uint32Max) + 1n : value);
}
