// Session variables: normalization of what drivers send, refusals with PostgreSQL's codes,
// GUC_REPORT changes, durations.
import { describe, expect, it } from 'vitest';
import { formatDurationMs, parseDurationMs, SessionVariables } from '../../../sql/session/variables.js';

const fresh = (): SessionVariables => new SessionVariables({ user: 'root', database: 'defaultdb', isSuperuser: true, strictSerializable: false });

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { sqlState: string }).sqlState;
  }
  return 'no error';
}

describe('SessionVariables', () => {
  it('normalizes what drivers send and reports GUC_REPORT changes only', () => {
    const v = fresh();
    expect(v.set('DateStyle', 'iso, mdy')).toEqual([]);
    expect(v.get('datestyle')).toBe('ISO, MDY');
    expect(v.set('client_encoding', 'unicode')).toEqual([]);
    expect(v.set('TimeZone', 'utc')).toEqual([]);
    expect(v.set('TimeZone', 'America/New_York')).toEqual([{ name: 'TimeZone', value: 'America/New_York' }]);
    expect(v.set('extra_float_digits', '2')).toEqual([]);
    expect(v.set('search_path', 'public, "My Schema"')).toEqual([]);
    expect(v.get('search_path')).toBe('public, "My Schema"');
    expect(v.set('strict_serializable', 'true')).toEqual([]);
    expect(v.get('strict_serializable')).toBe('on');
    expect(v.resetAll()).toEqual([{ name: 'TimeZone', value: 'UTC' }]);
  });

  it('refuses with PostgreSQL codes', () => {
    const v = fresh();
    expect(code(() => v.set('nope', '1'))).toBe('42704');
    expect(code(() => v.set('client_encoding', 'LATIN1'))).toBe('0A000');
    expect(code(() => v.set('client_encoding', 'martian'))).toBe('22023');
    expect(code(() => v.set('extra_float_digits', '4'))).toBe('22023');
    expect(code(() => v.set('TimeZone', 'Mars/Olympus'))).toBe('22023');
    expect(code(() => v.set('integer_datetimes', 'off'))).toBe('55P02');
    expect(code(() => v.set('integer_datetimes', 'on'))).toBe('no error');
    expect(code(() => v.set('standard_conforming_strings', 'off'))).toBe('0A000');
    expect(code(() => v.set('IntervalStyle', 'iso_8601'))).toBe('0A000');
  });

  it('parses and prints durations as PostgreSQL does', () => {
    expect(parseDurationMs('1500', 'x')).toBe(1500);
    expect(parseDurationMs('2s', 'x')).toBe(2000);
    expect(parseDurationMs('1.5min', 'x')).toBe(90_000);
    expect(formatDurationMs(0)).toBe('0');
    expect(formatDurationMs(2000)).toBe('2s');
    expect(formatDurationMs(90_000)).toBe('90s');
    expect(formatDurationMs(3_600_000)).toBe('1h');
    expect(formatDurationMs(1500)).toBe('1500ms');
  });
});
