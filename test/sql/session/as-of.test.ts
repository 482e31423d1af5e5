/**
 * The timestamp an AS OF SYSTEM TIME clause names (sql/session/as-of.ts), against a fixed
 * statement time: every documented form, CockroachDB's order for strings (timestamp, decimal,
 * interval), intervals with months and days in the session's zone, and each refusal with its
 * SQLSTATE and message.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { formatTimestamp, timestamp, type Timestamp } from '../../../clock/timestamp.js';
import { loadParser, parse } from '../../../sql/parser/index.js';
import { evaluateAsOf, followerReadLagNanos } from '../../../sql/session/as-of.js';
import { defaultTextContext, type TextContext } from '../../../sql/types/text-io.js';
import { timeZoneFromSetting } from '../../../sql/types/timezone.js';

beforeAll(async () => {
  await loadParser();
});

/** 2024-03-31 12:00:00.000000123 UTC, logical 5. */
const nowWallNanos = 1_711_886_400_000_000_123n;
const now = timestamp(nowWallNanos, 5);

function at(expr: string, text: TextContext = defaultTextContext): Timestamp {
  const [statement] = parse(`SELECT * FROM t AS OF SYSTEM TIME ${expr}`);
  return evaluateAsOf(statement!.asOf!, { now, text });
}

function refusal(expr: string): { sqlState: string; message: string } {
  try {
    at(expr);
  } catch (error) {
    return { sqlState: (error as { sqlState: string }).sqlState, message: (error as Error).message };
  }
  return expect.unreachable(`accepted: ${expr}`);
}

const second = 1_000_000_000n;

describe('AS OF SYSTEM TIME values', () => {
  it('a negative interval is added to the statement time, to the nanosecond', () => {
    expect(at("'-10s'")).toEqual(timestamp(nowWallNanos - 10n * second));
    expect(at("'-1us'")).toEqual(timestamp(nowWallNanos - 1_000n));
    expect(at("INTERVAL '-1h'")).toEqual(timestamp(nowWallNanos - 3_600n * second));
    expect(at("-'90 minutes'::interval")).toEqual(timestamp(nowWallNanos - 5_400n * second));
    expect(at("'1 day ago'")).toEqual(timestamp(nowWallNanos - 86_400n * second));
  });

  it('months move the calendar (March 31 less a month is February 29, 2024) in the session zone', () => {
    expect(formatTimestamp(at("'-1 mon'"))).toBe(formatTimestamp(timestamp(nowWallNanos - 31n * 86_400n * second)));
    // Europe/Paris moves to summer time on 2024-03-31 at 01:00 UTC: a day back there is 23 hours.
    const paris = { ...defaultTextContext, timeZone: timeZoneFromSetting('Europe/Paris') };
    expect(at("'-1 day'", paris)).toEqual(timestamp(nowWallNanos - 23n * 3_600n * second));
  });

  it('a timestamp string, typed literal or cast is that instant; a zoneless one is in the session zone', () => {
    expect(at("'2024-01-01 00:00:00+00'")).toEqual(timestamp(1_704_067_200n * second));
    expect(at("TIMESTAMPTZ '2024-01-01 01:00:00+01'")).toEqual(timestamp(1_704_067_200n * second));
    expect(at("'2024-01-01'::timestamp")).toEqual(timestamp(1_704_067_200n * second));
    const tokyo = { ...defaultTextContext, timeZone: timeZoneFromSetting('Asia/Tokyo') };
    expect(at("'2024-01-01 09:00:00'", tokyo)).toEqual(timestamp(1_704_067_200n * second));
  });

  it('nanoseconds and HLC decimals (wall time, ten digits of logical time)', () => {
    expect(at('1704067200000000000')).toEqual(timestamp(1_704_067_200n * second));
    expect(at("'1704067200000000000'")).toEqual(timestamp(1_704_067_200n * second));
    expect(at('1704067200000000000.0000000001')).toEqual(timestamp(1_704_067_200n * second, 1));
    expect(at("'1704067200000000000.0000000123'")).toEqual(timestamp(1_704_067_200n * second, 123));
    expect(at('1704067200000000000.1')).toEqual(timestamp(1_704_067_200n * second, 1_000_000_000));
  });

  it('follower_read_timestamp() is 4.8s before the statement time', () => {
    expect(followerReadLagNanos).toBe(4_800_000_000n);
    expect(at('follower_read_timestamp()')).toEqual(timestamp(nowWallNanos - followerReadLagNanos));
    expect(at('experimental_follower_read_timestamp()')).toEqual(timestamp(nowWallNanos - followerReadLagNanos));
  });
});

describe('AS OF SYSTEM TIME refusals', () => {
  it('22023 for values that name no past time', () => {
    expect(refusal("'10s'")).toEqual({ sqlState: '22023', message: "AS OF SYSTEM TIME: interval value '10s' too large, AS OF interval must be <= -1µs" });
    expect(refusal("'0.1us'")).toEqual({ sqlState: '22023', message: "AS OF SYSTEM TIME: interval value '0.1us' too small, absolute value must be >= 1µs" });
    expect(refusal("'-0.1us'").message).toBe("AS OF SYSTEM TIME: interval value '-0.1us' too small, absolute value must be >= 1µs");
    expect(refusal("'0'")).toEqual({ sqlState: '22023', message: 'AS OF SYSTEM TIME: zero timestamp is invalid' });
    expect(refusal('-5')).toEqual({ sqlState: '22023', message: 'AS OF SYSTEM TIME: timestamp before 1970-01-01T00:00:00Z is invalid' });
    expect(refusal("'bogus'")).toEqual({ sqlState: '22023', message: "AS OF SYSTEM TIME: value 'bogus' is neither timestamp, decimal, nor interval" });
    expect(refusal('1.00000000001').message).toBe('AS OF SYSTEM TIME: logical part of 1.00000000001 has too many digits (at most 10)');
    expect(refusal('1704067200000000000.5').message).toBe('AS OF SYSTEM TIME: logical part of 1704067200000000000.5 is out of range');
    expect(refusal('true').message).toBe('AS OF SYSTEM TIME: expected timestamp, decimal, or interval, got boolean');
  });

  it('22023 for a time in the future, naming both times', () => {
    expect(refusal("'2200-01-01'")).toEqual({ sqlState: '22023', message: `AS OF SYSTEM TIME: cannot specify timestamp in the future (7258118400.000000000,0 > ${formatTimestamp(now)})` });
    expect(refusal(`${nowWallNanos + 1n}`).sqlState).toBe('22023');
    expect(at(`${nowWallNanos}.0000000005`)).toEqual(now); // the statement time itself is not in the future
  });

  it('0A000 for anything but a constant, a subquery, a parameter and bounded staleness', () => {
    const notConstant = { sqlState: '0A000', message: 'AS OF SYSTEM TIME: only constant expressions or follower_read_timestamp are allowed' };
    expect(refusal('now()')).toEqual(notConstant);
    expect(refusal('k')).toEqual(notConstant);
    expect(refusal("'-1' || 's'")).toEqual(notConstant);
    expect(refusal("follower_read_timestamp('boom')")).toEqual(notConstant);
    expect(refusal("(SELECT '-1s')")).toEqual({ sqlState: '0A000', message: 'subqueries are not allowed in AS OF SYSTEM TIME' });
    expect(refusal('$1').sqlState).toBe('0A000');
    expect(refusal("with_max_staleness('10s')")).toEqual({ sqlState: '0A000', message: 'AS OF SYSTEM TIME: bounded staleness reads (with_max_staleness) are not supported: rangedb has no follower reads' });
    expect(refusal("with_min_timestamp('2024-01-01')").sqlState).toBe('0A000');
  });
});
