/**
 * `Timestamp`: a hybrid-logical-clock reading — a wall time in nanoseconds (`bigint`, never a JS
 * `number`: 2^53 ns is only 104 days) and a logical counter that orders events within one wall
 * nanosecond (Kulkarni et al., "Logical Physical Clocks"). Every MVCC version, transaction and
 * lease in rangedb is stamped with one (the versioned-value pattern).
 *
 * Timestamps are immutable values; compare them with `compare`/`less`/`equal`, never `===`.
 * Immutable by type (`readonly` fields), not by `Object.freeze`: freezing is a runtime call V8
 * does not inline, and a point read makes several timestamps (the transaction's start and
 * uncertainty limit, each batch's clock readings, the replica's answers) — it was a measurable
 * share of a select-only transaction's CPU. Code that holds one (a clock's last reading, a
 * transaction's proto) hands it out as it is: nothing may cast the `readonly` away.
 *
 * Encoding: 12 bytes, `wallNanos` as a big-endian unsigned 64-bit integer then `logical` as a
 * big-endian unsigned 32-bit integer, so byte order equals timestamp order.
 */
import { assert } from '../src/base/assert.js';

export interface Timestamp {
  readonly wallNanos: bigint;
  readonly logical: number;
}

const uint64Max = (1n << 64n) - 1n;
const uint32Max = 0xffff_ffff;

/** The number of bytes of `encodeTimestamp`'s output. */
export const timestampBytes = 12;

export function timestamp(wallNanos: bigint, logical = 0): Timestamp {
  assert(wallNanos >= 0n && wallNanos <= uint64Max, () => `wallNanos out of range: ${wallNanos}`);
  assert(Number.isInteger(logical) && logical >= 0 && logical <= uint32Max, () => `logical out of range: ${logical}`);
  return { wallNanos, logical };
}

/** The zero timestamp: before every real event; "no timestamp" in records that need one. */
export const zeroTimestamp: Timestamp = timestamp(0n, 0);
/** The largest timestamp: after every real event (used for "read the latest"). */
export const maxTimestamp: Timestamp = timestamp(uint64Max, uint32Max);

export function isZero(ts: Timestamp): boolean {
  return ts.wallNanos === 0n && ts.logical === 0;
}

/** Negative if `a < b`, zero if equal, positive if `a > b`. */
export function compare(a: Timestamp, b: Timestamp): number {
  if (a.wallNanos !== b.wallNanos) return a.wallNanos < b.wallNanos ? -1 : 1;
  return a.logical - b.logical;
}

export function equal(a: Timestamp, b: Timestamp): boolean {
  return a.wallNanos === b.wallNanos && a.logical === b.logical;
}

export function less(a: Timestamp, b: Timestamp): boolean {
  return compare(a, b) < 0;
}

export function lessEq(a: Timestamp, b: Timestamp): boolean {
  return compare(a, b) <= 0;
}

export function max(a: Timestamp, b: Timestamp): Timestamp {
  return compare(a, b) >= 0 ? a : b;
}

export function min(a: Timestamp, b: Timestamp): Timestamp {
  return compare(a, b) <= 0 ? a : b;
}

/** The smallest timestamp greater than `ts`. */
export function next(ts: Timestamp): Timestamp {
  if (ts.logical < uint32Max) return timestamp(ts.wallNanos, ts.logical + 1);
  return timestamp(ts.wallNanos + 1n, 0);
}

/** The largest timestamp smaller than `ts`; `ts` must not be zero. */
export function prev(ts: Timestamp): Timestamp {
  assert(!isZero(ts), 'zero timestamp has no predecessor');
  if (ts.logical > 0) return timestamp(ts.wallNanos, ts.logical - 1);
  return timestamp(ts.wallNanos - 1n, uint32Max);
}

/** `ts` moved forward by `nanos` of wall time, logical reset to 0 when it moves. */
export function addNanos(ts: Timestamp, nanos: bigint): Timestamp {
  if (nanos === 0n) return ts;
  return timestamp(ts.wallNanos + nanos, 0);
}

// One reusable scratch view: creating a DataView per call costs more than the write itself.
const scratch = new Uint8Array(timestampBytes);
const scratchView = new DataView(scratch.buffer);

/** Writes the 12-byte order-preserving encoding of `ts` into `out` at `offset`. */
export function writeTimestamp(ts: Timestamp, out: Uint8Array, offset: number): void {
  assert(offset >= 0 && offset + timestampBytes <= out.length, 'timestamp does not fit');
  scratchView.setBigUint64(0, ts.wallNanos, false);
  scratchView.setUint32(8, ts.logical, false);
  out.set(scratch, offset);
}

export function encodeTimestamp(ts: Timestamp): Uint8Array {
  const out = new Uint8Array(timestampBytes);
  writeTimestamp(ts, out, 0);
  return out;
}

/** Reads a timestamp written by `writeTimestamp`. */
export function readTimestamp(bytes: Uint8Array, offset: number): Timestamp {
  assert(offset >= 0 && offset + timestampBytes <= bytes.length, 'truncated timestamp');
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, timestampBytes);
  return timestamp(view.getBigUint64(0, false), view.getUint32(8, false));
}

export function decodeTimestamp(bytes: Uint8Array): Timestamp {
  assert(bytes.length === timestampBytes, () => `timestamp encoding has ${bytes.length} bytes, want ${timestampBytes}`);
  return readTimestamp(bytes, 0);
}

/**
 * Readable form: seconds, a dot, nine digits of nanoseconds, a comma and the logical counter,
 * as CockroachDB prints them — `1732500000.000000123,4`.
 */
export function formatTimestamp(ts: Timestamp): string {
  const seconds = ts.wallNanos / 1_000_000_000n;
  const nanos = ts.wallNanos % 1_000_000_000n;
  return `${seconds}.${nanos.toString().padStart(9, '0')},${ts.logical}`;
}

const formatted = /^(\d+)\.(\d{9}),(\d+)$/;

/** Parses `formatTimestamp`'s output; returns undefined for anything else. */
export function parseTimestamp(text: string): Timestamp | undefined {
  const match = formatted.exec(text);
  if (match === null) return undefined;
  const wallNanos = BigInt(match[1]!) * 1_000_000_000n + BigInt(match[2]!);
  const logical = Number(match[3]!);
  if (wallNanos > uint64Max || logical > uint32Max) return undefined;
  return timestamp(wallNanos, logical);
}
