/**
 * The built-in scalar functions: name → overloads, each with its argument types, result type
 * and a synchronous implementation over datums. Resolution (PostgreSQL's `func_select_candidate`,
 * simplified): the first overload whose arguments all convert implicitly wins; open arguments
 * (unknown literals, untyped parameters) take the overload's types.
 *
 * Functions that need I/O (`nextval`, `setval`) are not here: compile.ts gives them slots.
 */
import { absolute } from '../../types/arithmetic.js';
import type { Datum } from '../../types/datum.js';
import { Numeric } from '../../types/numeric.js';
import { formatText } from '../../types/text-io.js';
import { arrayShapeFunctions } from './array-shape-functions.js';
import { datetimeFunctions } from './datetime-functions.js';
import { dateTruncPeriodOverloads, datetimePeriodFunctions } from './datetime-periods.js';
import { lowerText, upperText } from '../../types/case-map.js';
import { jsonFunctions } from './json-functions.js';
import { jsonbFunctions } from './jsonb-functions.js';
import { jsonPathFunctions } from './jsonpath-functions.js';
import * as math from './math-functions.js';
import { numericFunctions } from './numeric-functions.js';
import { regexFunctions } from './regex-functions.js';
import * as strings from './string-functions.js';
import { textAndArrayFunctions } from './text-functions.js';
import {
  byteaType,
  formatType,
  float8Type,
  int4Type,
  int8Type,
  nameType,
  numericType,
  textType,
  timestamptzType,
  typeOfKind,
  uuidType,
  type SqlType,
} from '../../types/sql-type.js';
import { SqlError } from '../../catalog/errors.js';
import type { EvalContext } from './compiled.js';
import type { FunctionOverload } from './function-overload.js';

export type { FunctionOverload } from './function-overload.js';

const numericKinds = ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'] as const;
const anyNumber = (type: SqlType): boolean => (numericKinds as readonly string[]).includes(type.kind);

function strictOverload(args: readonly (SqlType | 'any')[], result: FunctionOverload['result'], impl: FunctionOverload['impl'], immutable = true): FunctionOverload {
  return { args, result, strict: true, immutable, impl };
}

const codePoints = (text: string): string[] => [...text];

function substring(text: string, start: number, count: number | undefined): string {
  const chars = codePoints(text);
  if (count !== undefined && count < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const from = Math.max(start, 1);
  const end = count === undefined ? chars.length + 1 : start + count;
  if (end <= from) return '';
  return chars.slice(from - 1, end - 1).join('');
}

function roundNumber(value: Datum, type: SqlType, digits: number): Datum {
  if (type.kind === 'float8') return Math.round(value as number) === value ? value : roundHalfEven(value as number);
  return (value as Numeric).round(digits);
}

/** PostgreSQL's float8 round is rint: half to even. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

const text1 = [textType] as const;
const text2 = [textType, textType] as const;

function padOverloads(left: boolean): FunctionOverload[] {
  return [
    strictOverload([textType, int4Type], textType, ([s, n]) => strings.pad(s as string, n as number, ' ', left)),
    strictOverload([textType, int4Type, textType], textType, ([s, n, fill]) => strings.pad(s as string, n as number, fill as string, left)),
  ];
}

/**
 * The math functions (math-functions.ts). Overloads list float8 before numeric: an integer
 * argument matches neither exactly and takes the first that converts, float8 — PostgreSQL's
 * preferred numeric type — so `sqrt(2)` is float8 and `sqrt(2.0)` numeric, as in PostgreSQL.
 */
function mathFunctions(): [string, readonly FunctionOverload[]][] {
  const f8 = [float8Type] as const;
  const num = [numericType()] as const;
  const float1 = (fn: (x: number) => number): FunctionOverload => strictOverload(f8, float8Type, ([x]) => fn(x as number));
  const numeric1 = (fn: (x: Numeric) => Numeric): FunctionOverload => strictOverload(num, numericType(), ([x]) => fn(x as Numeric));
  const log10 = numeric1((x) => math.logNumeric(Numeric.of(10n), x));
  const power = [
    strictOverload([float8Type, float8Type], float8Type, ([x, y]) => math.powerFloat8(x as number, y as number)),
    strictOverload([numericType(), numericType()], numericType(), ([x, y]) => math.powerNumeric(x as Numeric, y as Numeric)),
  ];
  return [
    ['sqrt', [float1(math.sqrtFloat8), numeric1(math.sqrtNumeric)]],
    ['cbrt', [float1(math.cbrtFloat8)]],
    ['exp', [float1(math.expFloat8), numeric1(math.expNumeric)]],
    ['ln', [float1(math.lnFloat8), numeric1(math.lnNumeric)]],
    ['log', [float1(math.log10Float8), log10, strictOverload([numericType(), numericType()], numericType(), ([b, x]) => math.logNumeric(b as Numeric, x as Numeric))]],
    ['log10', [float1(math.log10Float8), log10]],
    ['power', power],
    ['pow', power],
    ['sign', [float1(math.signFloat8), numeric1(math.signNumeric)]],
    // The display scale (digits after the point); NULL for NaN and the infinities, as PostgreSQL.
    ['scale', [strictOverload(num, int4Type, ([x]) => ((x as Numeric).isFinite && !(x as Numeric).isNaN ? (x as Numeric).scale : null))]],
    [
      'trunc',
      [float1(Math.trunc), numeric1((x) => math.truncNumeric(x, 0)), strictOverload([numericType(), int4Type], numericType(), ([x, scale]) => math.truncNumeric(x as Numeric, scale as number))],
    ],
  ];
}

/** The table's entries as a map; a name listed twice (date_trunc: datetime-functions.ts and datetime-periods.ts) gets both lists, in order. */
function overloadMap(entries: readonly [string, readonly FunctionOverload[]][]): ReadonlyMap<string, readonly FunctionOverload[]> {
  const map = new Map<string, readonly FunctionOverload[]>();
  for (const [name, overloads] of entries) map.set(name, [...(map.get(name) ?? []), ...overloads]);
  return map;
}

export const builtinFunctions: ReadonlyMap<string, readonly FunctionOverload[]> = overloadMap([
  ['length', [strictOverload(text1, int4Type, ([s]) => codePoints(s as string).length), strictOverload([byteaType], int4Type, ([b]) => (b as Uint8Array).length)]],
  ['char_length', [strictOverload(text1, int4Type, ([s]) => codePoints(s as string).length)]],
  ['character_length', [strictOverload(text1, int4Type, ([s]) => codePoints(s as string).length)]],
  ['octet_length', [strictOverload(text1, int4Type, ([s]) => Buffer.byteLength(s as string, 'utf8')), strictOverload([byteaType], int4Type, ([b]) => (b as Uint8Array).length)]],
  // Each character's simple case mapping, as PostgreSQL under rangedb's ctype C.UTF-8 (case-map.ts).
  ['lower', [strictOverload(text1, textType, ([s]) => lowerText(s as string))]],
  ['upper', [strictOverload(text1, textType, ([s]) => upperText(s as string))]],
  ['btrim', [strictOverload(text1, textType, ([s]) => (s as string).replace(/^ +| +$/g, '')), strictOverload(text2, textType, ([s, set]) => strings.trimCharacters(s as string, set as string, true, true))]],
  ['ltrim', [strictOverload(text1, textType, ([s]) => (s as string).replace(/^ +/, '')), strictOverload(text2, textType, ([s, set]) => strings.trimCharacters(s as string, set as string, true, false))]],
  ['rtrim', [strictOverload(text1, textType, ([s]) => (s as string).replace(/ +$/, '')), strictOverload(text2, textType, ([s, set]) => strings.trimCharacters(s as string, set as string, false, true))]],
  ['replace', [strictOverload([textType, textType, textType], textType, ([s, from, to]) => ((from as string) === '' ? (s as string) : (s as string).split(from as string).join(to as string)))]],
  ['strpos', [strictOverload(text2, int4Type, ([s, sub]) => strings.strpos(s as string, sub as string))]],
  // `position(sub IN s)` is parsed as pg_catalog.position(s, sub).
  ['position', [strictOverload(text2, int4Type, ([s, sub]) => strings.strpos(s as string, sub as string))]],
  ['left', [strictOverload([textType, int4Type], textType, ([s, n]) => { const chars = codePoints(s as string); return (n as number) >= 0 ? chars.slice(0, n as number).join('') : chars.slice(0, Math.max(0, chars.length + (n as number))).join(''); })]],
  ['right', [strictOverload([textType, int4Type], textType, ([s, n]) => { const chars = codePoints(s as string); return (n as number) >= 0 ? chars.slice(Math.max(0, chars.length - (n as number))).join('') : chars.slice(-(n as number)).join(''); })]],
  ['repeat', [strictOverload([textType, int4Type], textType, ([s, n]) => strings.repeat(s as string, n as number))]],
  ['md5', [strictOverload(text1, textType, ([s]) => strings.md5(s as string)), strictOverload([byteaType], textType, ([b]) => strings.md5(b as Uint8Array))]],
  ['lpad', padOverloads(true)],
  ['rpad', padOverloads(false)],
  ['split_part', [strictOverload([textType, textType, int4Type], textType, ([s, delimiter, n]) => strings.splitPart(s as string, delimiter as string, n as number))]],
  ['reverse', [strictOverload(text1, textType, ([s]) => strings.reverse(s as string))]],
  ['initcap', [strictOverload(text1, textType, ([s]) => strings.initcap(s as string))]],
  ['translate', [strictOverload([textType, textType, textType], textType, ([s, from, to]) => strings.translate(s as string, from as string, to as string))]],
  ['chr', [strictOverload([int4Type], textType, ([n]) => strings.chr(n as number))]],
  ['ascii', [strictOverload(text1, int4Type, ([s]) => strings.ascii(s as string))]],
  [
    'substr',
    [
      strictOverload([textType, int4Type], textType, ([s, start]) => substring(s as string, start as number, undefined)),
      strictOverload([textType, int4Type, int4Type], textType, ([s, start, count]) => substring(s as string, start as number, count as number)),
    ],
  ],
  [
    'substring',
    [
      strictOverload([textType, int4Type], textType, ([s, start]) => substring(s as string, start as number, undefined)),
      strictOverload([textType, int4Type, int4Type], textType, ([s, start, count]) => substring(s as string, start as number, count as number)),
    ],
  ],
  [
    'concat',
    [
      {
        args: ['any'],
        variadic: true,
        result: textType,
        strict: false,
        immutable: false, // the text of a timestamptz depends on the session's time zone
        impl: (args, types, ctx) => args.map((value, index) => (value === null ? '' : formatText(types[index]!, value, ctx.textContext))).join(''),
      },
    ],
  ],
  ['abs', [strictOverload(['any'], (types) => types[0]!, ([x], types) => absolute(types[0]!, x ?? null))]],
  [
    'round',
    [
      strictOverload([float8Type], float8Type, ([x], types) => roundNumber(x ?? null, types[0]!, 0)),
      strictOverload([numericType()], numericType(), ([x]) => (x as Numeric).round(0)),
      strictOverload([numericType(), int4Type], numericType(), ([x, digits]) => (x as Numeric).round(digits as number)),
    ],
  ],
  ...mathFunctions(),
  ...numericFunctions(),
  ['floor', [strictOverload([float8Type], float8Type, ([x]) => Math.floor(x as number)), strictOverload([numericType()], numericType(), ([x]) => floorNumeric(x as Numeric))]],
  ['ceil', [strictOverload([float8Type], float8Type, ([x]) => Math.ceil(x as number)), strictOverload([numericType()], numericType(), ([x]) => floorNumeric((x as Numeric).negate()).negate())]],
  ['mod', [strictOverload([int8Type, int8Type], int8Type, ([a, b]) => { if (b === 0n) throw new SqlError('22012', 'division by zero'); return (a as bigint) % (b as bigint); })]],
  ['now', [strictOverload([], timestamptzType(), (_a, _t, ctx) => ctx.txnTimestampMicros, false)]],
  ['transaction_timestamp', [strictOverload([], timestamptzType(), (_a, _t, ctx) => ctx.txnTimestampMicros, false)]],
  ['statement_timestamp', [strictOverload([], timestamptzType(), (_a, _t, ctx) => ctx.statementTimestampMicros, false)]],
  ['clock_timestamp', [strictOverload([], timestamptzType(), (_a, _t, ctx) => ctx.statementTimestampMicros, false)]],
  ['random', [strictOverload([], float8Type, (_a, _t, ctx) => ctx.random.float(), false)]],
  ['version', [strictOverload([], textType, () => 'PostgreSQL 15.0 (rangedb) on x86_64-pc-linux-gnu, compiled by TypeScript, 64-bit')]],
  ['current_database', [strictOverload([], nameType, (_a, _t, ctx) => ctx.database, false)]],
  ['current_schema', [strictOverload([], nameType, () => 'public', false)]],
  ['current_user', [strictOverload([], nameType, (_a, _t, ctx) => ctx.settings.user, false)]],
  ['pg_backend_pid', [strictOverload([], int4Type, () => 1, false)]],
  ['current_setting', [strictOverload(text1, textType, ([name], _t, ctx) => currentSetting(name as string, ctx), false)]],
  ['gen_random_uuid', [strictOverload([], uuidType, (_a, _t, ctx) => randomUuid(ctx), false)]],
  ['uuid_generate_v4', [strictOverload([], uuidType, (_a, _t, ctx) => randomUuid(ctx), false)]],
  // The node's generator (unique-rowid.ts: time, then the node id), at the statement's timestamp.
  ['unique_rowid', [strictOverload([], int8Type, (_a, _t, ctx) => ctx.uniqueRowIds.next(ctx.statementTimestampMicros), false)]],
  ['pg_typeof', [{ args: ['any'], result: textType, strict: false, immutable: true, impl: (_a, types) => typeNameOf(types[0]!) }]],
  ['num_nonnulls', [{ args: ['any'], variadic: true, result: int4Type, strict: false, immutable: true, impl: (args) => args.filter((arg) => arg !== null).length }]],
  ['num_nulls', [{ args: ['any'], variadic: true, result: int4Type, strict: false, immutable: true, impl: (args) => args.filter((arg) => arg === null).length }]],
  ...datetimeFunctions(),
  ...textAndArrayFunctions(),
  ...arrayShapeFunctions(),
  ...regexFunctions(),
  ...jsonbFunctions(),
  ...jsonPathFunctions(),
  ...jsonFunctions(),
  ...datetimePeriodFunctions(),
  ['date_trunc', dateTruncPeriodOverloads()],
]);

function floorNumeric(value: Numeric): Numeric {
  const truncated = value.trunc(0);
  return truncated.compare(value) > 0 ? truncated.sub(Numeric.of(1n)) : truncated;
}

function currentSetting(name: string, ctx: EvalContext): string {
  const value = ctx.settings.all.get(name.toLowerCase());
  if (value === undefined) throw new SqlError('42704', `unrecognized configuration parameter "${name}"`);
  return value;
}

function randomUuid(ctx: EvalContext): string {
  const bytes = ctx.random.bytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** pg_typeof's text: a regtype, which names the type without its modifier (`numeric`, not `numeric(6,2)`). */
function typeNameOf(type: SqlType): string {
  return formatType(type.kind === 'array' || type.kind === 'record' || type.kind === 'unknown' ? type : typeOfKind(type.kind));
}

/** Whether an argument type fits a declared one for overload resolution (numbers widen). */
export function isNumberType(type: SqlType): boolean {
  return anyNumber(type);
}
