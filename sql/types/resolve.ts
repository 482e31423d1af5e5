/**
 * Type resolution: a parsed type name (as the parser hands it over: dotted name parts,
 * modifiers, array bounds) → `SqlType`, with PostgreSQL's aliases (`int`, `integer`,
 * `double precision`, `character varying(10)`, `timestamp with time zone`, `decimal(10,2)`, …)
 * and the serial pseudo-types (`serial` is `int4` with a sequence default).
 *
 * `parseTypeName(text)` reads the same names from text (`'character varying(10)[]'`), for
 * casts written as strings, tests and catalog bootstrapping.
 */
import {
  arrayType,
  bpcharType,
  characterLengthMax,
  numericPrecisionMax,
  numericScaleMax,
  numericScaleMin,
  intervalFieldMasks,
  intervalFullPrecision,
  intervalFullRange,
  intervalRangeName,
  intervalTypeWith,
  numericType,
  timestampType,
  timestamptzType,
  typeOfKind,
  varcharType,
  type ScalarKind,
  type ScalarType,
  type SqlType,
} from './sql-type.js';
import { InvalidParameterValueError, UndefinedTypeError } from './errors.js';

/** A type name as written: `names` lowercased (`['pg_catalog', 'int4']`), modifiers, array dimensions. */
export interface TypeNameInput {
  readonly names: readonly string[];
  readonly modifiers: readonly number[];
  readonly arrayDimensions: number;
}

/** The resolved type, and for `serial`-family names the sequence default the column gets. */
export interface ResolvedType {
  readonly type: SqlType;
  readonly serial: 'smallserial' | 'serial' | 'bigserial' | undefined;
}

const aliases: Readonly<Record<string, ScalarKind>> = Object.freeze({
  bool: 'bool',
  boolean: 'bool',
  int2: 'int2',
  smallint: 'int2',
  int4: 'int4',
  int: 'int4',
  integer: 'int4',
  int8: 'int8',
  bigint: 'int8',
  float4: 'float4',
  real: 'float4',
  float8: 'float8',
  float: 'float8',
  'double precision': 'float8',
  numeric: 'numeric',
  decimal: 'numeric',
  text: 'text',
  varchar: 'varchar',
  'character varying': 'varchar',
  'char varying': 'varchar',
  bpchar: 'bpchar',
  char: 'bpchar',
  character: 'bpchar',
  bytea: 'bytea',
  date: 'date',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  interval: 'interval',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'jsonb',
  jsonpath: 'jsonpath',
  oid: 'oid',
  name: 'name',
  regclass: 'regclass',
  regtype: 'regtype',
  regproc: 'regproc',
  unknown: 'unknown',
});

const serials: Readonly<Record<string, { kind: ScalarKind; serial: ResolvedType['serial'] }>> = Object.freeze({
  smallserial: { kind: 'int2', serial: 'smallserial' },
  serial2: { kind: 'int2', serial: 'smallserial' },
  serial: { kind: 'int4', serial: 'serial' },
  serial4: { kind: 'int4', serial: 'serial' },
  bigserial: { kind: 'int8', serial: 'bigserial' },
  serial8: { kind: 'int8', serial: 'bigserial' },
});

/** Resolves a parsed type name; throws `UndefinedTypeError` (42704) for an unknown one. */
export function resolveTypeName(input: TypeNameInput): ResolvedType {
  const names = input.names[0] === 'pg_catalog' && input.names.length === 2 ? input.names.slice(1) : input.names;
  const name = names.join('.').toLowerCase();
  const serial = serials[name];
  if (serial !== undefined && input.arrayDimensions === 0) return Object.freeze({ type: typeOfKind(serial.kind), serial: serial.serial });
  const kind = aliases[name];
  if (kind === undefined || names.length !== 1) throw new UndefinedTypeError(`type "${names.join('.')}" does not exist`);
  const element = withModifiers(kind, name, input.modifiers);
  const type = input.arrayDimensions > 0 ? arrayType(element) : element;
  return Object.freeze({ type, serial: undefined });
}

function withModifiers(kind: ScalarKind, name: string, modifiers: readonly number[]): ScalarType {
  switch (kind) {
    case 'numeric':
      return numericWithModifiers(modifiers);
    case 'varchar':
      return modifiers.length === 0 ? varcharType() : varcharType(lengthModifier('varchar', modifiers));
    case 'bpchar':
      // `char` and `character` without a length mean char(1); bare `bpchar` is unbounded.
      if (modifiers.length === 0) return name === 'bpchar' ? bpcharType() : bpcharType(1);
      return bpcharType(lengthModifier('char', modifiers));
    case 'timestamp':
      return timestampType(precisionModifier('timestamp', modifiers));
    case 'timestamptz':
      return timestamptzType(precisionModifier('timestamp with time zone', modifiers));
    case 'float8':
      return name === 'float' ? floatWithPrecision(modifiers) : withoutModifiers(kind, modifiers);
    case 'interval':
      return intervalWithModifiers(modifiers);
    default:
      return withoutModifiers(kind, modifiers);
  }
}

function withoutModifiers(kind: ScalarKind, modifiers: readonly number[]): ScalarType {
  if (modifiers.length > 0) throw new InvalidParameterValueError(`type modifier is not allowed for type "${kind}"`);
  return typeOfKind(kind);
}

/**
 * `interval [fields] [(p)]` as the grammar hands it over: `[range mask]` or `[range mask, p]`
 * (`interval(3)` is `[full range, 3]`).
 */
function intervalWithModifiers(modifiers: readonly number[]): ScalarType {
  if (modifiers.length === 0) return typeOfKind('interval');
  if (modifiers.length > 2) throw new InvalidParameterValueError('invalid INTERVAL type modifier');
  const range = modifiers[0]!;
  if (intervalRangeName(range) === undefined) throw new InvalidParameterValueError('invalid INTERVAL type modifier');
  const precision = modifiers[1] ?? intervalFullPrecision;
  if (precision !== intervalFullPrecision && precision < 0) throw new InvalidParameterValueError(`INTERVAL(${precision}) precision must not be negative`);
  return intervalTypeWith(range, precision === intervalFullPrecision ? precision : Math.min(precision, 6));
}

/** SQL's `float(p)`: p binary digits, 1–24 is `real`, 25–53 `double precision`. */
function floatWithPrecision(modifiers: readonly number[]): ScalarType {
  if (modifiers.length === 0) return typeOfKind('float8');
  const bits = modifiers[0]!;
  if (modifiers.length > 1) throw new InvalidParameterValueError('invalid type modifier');
  if (bits < 1) throw new InvalidParameterValueError('precision for type float must be at least 1 bit');
  if (bits > 53) throw new InvalidParameterValueError('precision for type float must be less than 54 bits');
  return typeOfKind(bits <= 24 ? 'float4' : 'float8');
}

function numericWithModifiers(modifiers: readonly number[]): ScalarType {
  if (modifiers.length === 0) return numericType();
  if (modifiers.length > 2) throw new InvalidParameterValueError('invalid NUMERIC type modifier');
  const precision = modifiers[0]!;
  const scale = modifiers[1] ?? 0;
  if (precision < 1 || precision > numericPrecisionMax) {
    throw new InvalidParameterValueError(`NUMERIC precision ${precision} must be between 1 and ${numericPrecisionMax}`);
  }
  if (scale < numericScaleMin || scale > numericScaleMax) {
    throw new InvalidParameterValueError(`NUMERIC scale ${scale} must be between ${numericScaleMin} and ${numericScaleMax}`);
  }
  return numericType(precision, scale);
}

function lengthModifier(what: string, modifiers: readonly number[]): number {
  if (modifiers.length !== 1) throw new InvalidParameterValueError(`invalid type modifier`);
  const length = modifiers[0]!;
  if (length < 1) throw new InvalidParameterValueError(`length for type ${what} must be at least 1`);
  if (length > characterLengthMax) throw new InvalidParameterValueError(`length for type ${what} cannot exceed ${characterLengthMax}`);
  return length;
}

function precisionModifier(what: string, modifiers: readonly number[]): number | undefined {
  if (modifiers.length === 0) return undefined;
  if (modifiers.length !== 1) throw new InvalidParameterValueError('invalid type modifier');
  const precision = modifiers[0]!;
  if (precision < 0) throw new InvalidParameterValueError(`TIMESTAMP(${precision})${what.includes('with') ? ' WITH TIME ZONE' : ''} precision must not be negative`);
  // PostgreSQL warns and reduces a precision above 6 to 6.
  return Math.min(precision, 6);
}

const typeNamePattern =
  /^\s*((?:[a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*(?:\s+(?:precision|varying|with(?:out)?\s+time\s+zone))?)\s*(?:\(\s*(-?\d+)\s*(?:,\s*(-?\d+)\s*)?\))?\s*((?:with(?:out)?\s+time\s+zone)?)\s*((?:\[\s*\d*\s*\]\s*)*)$/i;

const intervalNamePattern = /^\s*interval\s*(?:(year|month|day|hour|minute|second)(?:\s+to\s+(month|hour|minute|second))?)?\s*(?:\(\s*(-?\d+)\s*\))?\s*((?:\[\s*\d*\s*\]\s*)*)$/i;

function parseIntervalTypeName(match: RegExpExecArray): ResolvedType {
  const masks = intervalFieldMasks as Readonly<Record<string, number>>;
  const from = match[1]?.toLowerCase();
  const to = match[2]?.toLowerCase();
  let range = intervalFullRange;
  if (from !== undefined) {
    const order = ['year', 'month', 'day', 'hour', 'minute', 'second'];
    const last = to ?? from;
    // `day to second` covers every field from day through second (months are never in a day range).
    range = order.slice(order.indexOf(from), order.indexOf(last) + 1).reduce((mask, field) => mask | masks[field]!, 0);
  }
  const modifiers = match[3] === undefined ? (from === undefined ? [] : [range]) : [range, Number(match[3])];
  const arrayDimensions = (match[4]!.match(/\[/g) ?? []).length;
  return resolveTypeName({ names: ['interval'], modifiers, arrayDimensions });
}

/**
 * Parses a type name written as text: `int`, `character varying(10)`, `timestamp(3) with time
 * zone`, `numeric(10,2)[]`, `pg_catalog.int4`. Throws `UndefinedTypeError` if it is not one.
 */
export function parseTypeName(text: string): ResolvedType {
  const interval = intervalNamePattern.exec(text);
  if (interval !== null) return parseIntervalTypeName(interval);
  const match = typeNamePattern.exec(text);
  if (match === null) throw new UndefinedTypeError(`type "${text}" does not exist`);
  const base = match[1]!.toLowerCase().replace(/\s+/g, ' ');
  const suffix = match[4]!.toLowerCase().replace(/\s+/g, ' ');
  const full = suffix === '' ? base : `${base} ${suffix}`;
  const modifiers = [match[2], match[3]].filter((part): part is string => part !== undefined).map(Number);
  const arrayDimensions = (match[5]!.match(/\[/g) ?? []).length;
  return resolveTypeName({ names: full.split('.'), modifiers, arrayDimensions });
}
