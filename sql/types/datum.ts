/**
 * `Datum`: a SQL value in memory, chosen for speed — one JS value per type, no wrapper object
 * for the common types, `null` for SQL NULL. A datum means nothing without its `SqlType`; every
 * function that reads one takes the type alongside.
 *
 * | type                                   | JS value                                            |
 * |----------------------------------------|-----------------------------------------------------|
 * | bool                                   | `boolean`                                           |
 * | int2, int4, float4, float8             | `number` (float4 values are exactly float32s)       |
 * | int8                                   | `bigint`                                            |
 * | oid, regclass, regtype, regproc        | `number` (unsigned 32-bit)                          |
 * | numeric                                | `Numeric` (exact; no floating point)                |
 * | text, varchar, bpchar, name            | `string` (bpchar(n) is kept blank-padded to n)      |
 * | uuid                                   | `string`, canonical lowercase `8-4-4-4-12`          |
 * | json                                   | `string`, the input text as written                 |
 * | jsonb                                  | `string`, normalized as PostgreSQL prints jsonb     |
 * | bytea                                  | `Uint8Array`                                        |
 * | date                                   | `number`: days since 2000-01-01; ±infinity = int32 max/min |
 * | timestamp, timestamptz                 | `bigint`: µs since 2000-01-01 00:00 (UTC for tz); ±infinity = int64 max/min |
 * | interval                               | `Interval` `{ months, days, micros }`               |
 * | arrays                                 | `readonly Datum[]` (one dimension, lower bound 1)   |
 *
 * The epoch and the infinities are PostgreSQL's own (`POSTGRES_EPOCH_JDATE`, `DT_NOBEGIN`,
 * `DT_NOEND`, `DATEVAL_NOBEGIN`, `DATEVAL_NOEND`), so the binary wire format is the datum itself.
 */
import type { Numeric } from './numeric.js';

/** PostgreSQL's interval: three independent fields, because months and days vary in length. */
export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: bigint;
}

export type Datum = null | boolean | number | bigint | string | Uint8Array | Numeric | Interval | readonly Datum[];

export function interval(months: number, days: number, micros: bigint): Interval {
  return Object.freeze({ months, days, micros });
}

export const int16Min = -32768;
export const int16Max = 32767;
export const int32Min = -2147483648;
export const int32Max = 2147483647;
export const int64Min = -(1n << 63n);
export const int64Max = (1n << 63n) - 1n;
export const uint32Max = 4294967295;

/** `date '-infinity'` and `date 'infinity'`. */
export const dateNegativeInfinity = int32Min;
export const datePositiveInfinity = int32Max;
/** `timestamp '-infinity'` and `timestamp 'infinity'` (also timestamptz). */
export const timestampNegativeInfinity = int64Min;
export const timestampPositiveInfinity = int64Max;

export const microsPerSecond = 1_000_000n;
export const microsPerMinute = 60_000_000n;
export const microsPerHour = 3_600_000_000n;
export const microsPerDay = 86_400_000_000n;
/** Days from 1970-01-01 to 2000-01-01, and the same in microseconds. */
export const unixEpochDaysBefore2000 = 10957;
export const unixEpochMicrosBefore2000 = 946_684_800_000_000n;

/** The Julian day of 2000-01-01 (POSTGRES_EPOCH_JDATE). */
export const postgresEpochJulianDay = 2451545;
/** Valid finite dates: Julian day 0 (4714-11-24 BC) up to, not including, 5874898-01-01. */
export const dateMinDays = -postgresEpochJulianDay;
export const dateEndDays = 2147483494 - postgresEpochJulianDay;
/** Valid finite timestamps: 4714-11-24 00:00 BC up to, not including, 294277-01-01. */
export const timestampMinMicros = -211813488000000000n;
export const timestampEndMicros = 9223371331200000000n;

export function isFiniteDate(days: number): boolean {
  return days !== dateNegativeInfinity && days !== datePositiveInfinity;
}

export function isFiniteTimestamp(micros: bigint): boolean {
  return micros !== timestampNegativeInfinity && micros !== timestampPositiveInfinity;
}

export function isInterval(value: Datum): value is Interval {
  return typeof value === 'object' && value !== null && 'months' in value && 'micros' in value;
}
