/**
 * The session time zone that timestamptz text I/O reads and prints in: a fixed UTC offset, or an
 * IANA zone resolved through `Intl` (the ICU data Node ships). ICU rounds historical local-mean-
 * time offsets to whole minutes (PostgreSQL prints Amsterdam 1900 as `+00:19:32`, ICU says
 * `+00:20`), so IANA zones match PostgreSQL from the era of standard time on; fixed offsets match
 * always.
 *
 * Offsets here are seconds *east* of Greenwich (ISO 8601). `timeZoneFromSetting` reads the value
 * of `SET TIME ZONE` as PostgreSQL does: a plain number is hours east (`'-03'` is UTC−3), but a
 * POSIX-style `'+05:30'` or `'UTC+5'` means five hours *west*.
 */
import { assert } from '../../src/base/assert.js';
import { InvalidParameterValueError } from './errors.js';

export type TimeZone =
  | { readonly kind: 'fixed'; readonly name: string; readonly offsetSeconds: number }
  | { readonly kind: 'iana'; readonly name: string; readonly formatter: Intl.DateTimeFormat };

/** UTC, the default session time zone of rangedb. */
export const utcTimeZone: TimeZone = Object.freeze({ kind: 'fixed', name: 'UTC', offsetSeconds: 0 });

/** A fixed offset, east positive (`+19800` is `+05:30`). */
export function fixedTimeZone(offsetSeconds: number, name = formatOffset(offsetSeconds)): TimeZone {
  assert(Number.isInteger(offsetSeconds) && Math.abs(offsetSeconds) <= 15 * 3600 + 59 * 60 + 59, 'time zone offset out of range');
  return Object.freeze({ kind: 'fixed', name, offsetSeconds });
}

/** An IANA zone (`Europe/Amsterdam`), or undefined if ICU does not know it. */
export function ianaTimeZone(name: string): TimeZone | undefined {
  try {
    const formatter = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
    return Object.freeze({ kind: 'iana', name, formatter });
  } catch {
    return undefined;
  }
}

/** PostgreSQL's `SET TIME ZONE` value: `UTC`, an IANA name, or a POSIX offset (west positive). */
export function timeZoneFromSetting(setting: string): TimeZone {
  const trimmed = setting.trim();
  if (/^(utc|gmt|z|zulu|etc\/utc|etc\/gmt)$/i.test(trimmed)) return utcTimeZone;
  // A plain number is an hours offset, east positive (PostgreSQL's check_timezone tries strtod first).
  if (/^[+-]?\d+(\.\d+)?$/.test(trimmed)) return fixedTimeZone(Math.round(Number(trimmed) * 3600), trimmed);
  const posix = /^(?:(?:utc|gmt)\s*)?([+-]?)(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/i.exec(trimmed);
  if (posix !== null) {
    const seconds = Number(posix[2]) * 3600 + Number(posix[3] ?? 0) * 60 + Number(posix[4] ?? 0);
    return fixedTimeZone(posix[1] === '-' ? seconds : -seconds, trimmed);
  }
  const zone = ianaTimeZone(trimmed);
  if (zone === undefined) throw new InvalidParameterValueError(`invalid value for parameter "TimeZone": "${setting}"`);
  return zone;
}

/** `+05:30`, `-08`, `+00:19:32`: PostgreSQL's ISO offset suffix. */
export function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const total = Math.abs(offsetSeconds);
  const hours = String(Math.floor(total / 3600)).padStart(2, '0');
  const minutes = Math.floor(total / 60) % 60;
  const seconds = total % 60;
  if (seconds !== 0) return `${sign}${hours}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
  if (minutes !== 0) return `${sign}${hours}:${String(minutes).padStart(2, '0')}`;
  return `${sign}${hours}`;
}

/** JS Date's range, ±8.64e15 ms, in µs since 2000 (Intl cannot look past it). */
const intlMicrosMin = -8_640_000_000_000_000_000n - 946_684_800_000_000n;
const intlMicrosMax = 8_640_000_000_000_000_000n - 946_684_800_000_000n;

/** The zone's offset east of UTC at instant `utcMicros` (µs since 2000-01-01 UTC). */
export function offsetSecondsAt(zone: TimeZone, utcMicros: bigint): number {
  if (zone.kind === 'fixed') return zone.offsetSeconds;
  const clamped = utcMicros < intlMicrosMin ? intlMicrosMin : utcMicros > intlMicrosMax ? intlMicrosMax : utcMicros;
  const millis = Number((clamped + 946_684_800_000_000n) / 1000n);
  const part = zone.formatter.formatToParts(millis).find((candidate) => candidate.type === 'timeZoneName');
  const match = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(part?.value ?? '');
  assert(match !== null, () => `unexpected ICU offset ${part?.value}`);
  if (match[1] === undefined) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4] ?? 0);
  return match[1] === '-' ? -seconds : seconds;
}

/**
 * The UTC instant of local time `localMicros` in `zone`, as PostgreSQL resolves it: in a gap
 * (spring forward) with the offset in force before the transition, in an overlap (fall back)
 * with the offset after it. Assumes at most one transition within a day of the time.
 */
export function localToUtcMicros(zone: TimeZone, localMicros: bigint): bigint {
  if (zone.kind === 'fixed') return localMicros - BigInt(zone.offsetSeconds) * 1_000_000n;
  const dayMicros = 86_400_000_000n;
  const before = offsetSecondsAt(zone, localMicros - dayMicros);
  const after = offsetSecondsAt(zone, localMicros + dayMicros);
  const candidate = (offset: number): bigint => localMicros - BigInt(offset) * 1_000_000n;
  if (before === after) return candidate(after);
  const afterValid = offsetSecondsAt(zone, candidate(after)) === after;
  const beforeValid = offsetSecondsAt(zone, candidate(before)) === before;
  // Ambiguous (fall back): the offset after the transition, as PostgreSQL picks.
  if (afterValid) return candidate(after);
  if (beforeValid) return candidate(before);
  // A gap (spring forward): the offset before the transition.
  return candidate(before);
}
