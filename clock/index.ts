/**
 * # clock/ — time in rangedb
 *
 * The bottom layer. Everything above it orders events by `Timestamp`s from here: MVCC versions,
 * transaction read and commit timestamps, leases, the timestamp cache, closed timestamps. It
 * imports only `src/base`, and every part of it is sans-I/O (DESIGN.md §2.1): synchronous code
 * over an injected physical clock, no timers, no `Date.now`, no randomness — so the simulator can
 * give each node its own virtual clock, with offsets, drift and jumps, and replay from a seed.
 *
 * ```
 *            Env.clock (production) · ManualClock (tests, simulator)
 *                       │ PhysicalClock.nowNanos()
 *             ┌─────────┴────────────────────────────┐
 *             ▼                                      ▼
 *   ┌──────────────────┐  ◄── update(peer ts)  ┌──────────────────────┐
 *   │   HybridClock    │      from RPC headers │   StaticClockBound   │
 *   │ (wall, logical)  │  ──► ClockOffsetError │ physical ± maxOffset │
 *   └──────────────────┘      if too far ahead └──────────────────────┘
 *      │ now()     │ maxOffsetNanos                      │ now(): { earliest, latest }
 *      ▼           ▼                                     ▼
 *   Timestamp   uncertaintyInterval()              commitWaitNanos()
 *   for txns,   reads: a value in (readTs, limit]  writes: acknowledge a commit
 *   MVCC,       may precede the read, so the       once earliest > commitTs
 *   leases      read moves above it
 * ```
 *
 * ## Why a hybrid logical clock
 *
 * rangedb has no TrueTime hardware (Spanner's GPS and atomic clocks); its nodes' clocks are kept
 * within a configured max offset (500ms by default) of each other by NTP. Physical clocks alone
 * cannot order events: two nodes may read the same nanosecond, and a clock may step backwards.
 * Lamport clocks alone order causally related events but drift arbitrarily far from real time,
 * so they cannot answer "as of 10 seconds ago" or bound a lease. A hybrid logical clock
 * (`HybridClock`, Kulkarni et al. 2014, as in CockroachDB, YugabyteDB and MongoDB) is both: its
 * wall part follows physical time, its logical part breaks ties and absorbs stalls and steps
 * back, and every message carries a timestamp that the receiver folds in, so causality is never
 * inverted.
 *
 * What the HLC cannot do is order events with no causal link that happen on different nodes
 * within the max offset of each other. Two mechanisms close that gap:
 *
 * - **Uncertainty intervals** (`uncertainty.ts`, reads): a value in `(readTs, readTs + maxOffset]`
 *   may have been written before the read began; the read must move above it.
 * - **Commit wait** (`commitwait.ts`, writes; Spanner's rule): acknowledge a commit only once
 *   `ClockBound.now().earliest > commitTs`, so strict serializability holds. `ClockBound`
 *   (`clockbound.ts`) is TrueTime's interface; `StaticClockBound` uses the configured max offset
 *   and a measured bound (RPC heartbeats, offset ± RTT/2) can replace it later.
 *
 * A node whose clock strays beyond the max offset breaks all three guarantees, so the HLC
 * refuses remote timestamps too far ahead (`ClockOffsetError`) rather than follow them.
 *
 * ## Files
 *
 * - `timestamp.ts` — `Timestamp` (`bigint` wall nanos + logical), order, 12-byte encoding, format.
 * - `physical.ts` — `PhysicalClock`, the injected wall clock. `manual.ts` — `ManualClock` for tests.
 * - `hlc.ts` — `HybridClock`. `errors.ts` — `ClockOffsetError`.
 * - `clockbound.ts` — `ClockBound`, `StaticClockBound`. `commitwait.ts` — commit-wait arithmetic.
 * - `uncertainty.ts` — `UncertaintyInterval` and `isUncertain`.
 */
export {
  addNanos,
  compare,
  decodeTimestamp,
  encodeTimestamp,
  equal,
  formatTimestamp,
  isZero,
  less,
  lessEq,
  max,
  maxTimestamp,
  min,
  next,
  parseTimestamp,
  prev,
  readTimestamp,
  timestamp,
  timestampBytes,
  writeTimestamp,
  zeroTimestamp,
} from './timestamp.js';
export type { Timestamp } from './timestamp.js';
export type { PhysicalClock } from './physical.js';
export { ManualClock } from './manual.js';
export { HybridClock } from './hlc.js';
export type { BackwardClockJump, HybridClockOptions } from './hlc.js';
export { ClockOffsetError } from './errors.js';
export { StaticClockBound } from './clockbound.js';
export type { ClockBound, ClockInterval } from './clockbound.js';
export { commitWaitNanos, isCommitWaitOver } from './commitwait.js';
export { isUncertain, uncertaintyInterval, uncertaintyIntervalWithGlobalLimit, uncertaintyLimit } from './uncertainty.js';
export type { UncertaintyInterval } from './uncertainty.js';
