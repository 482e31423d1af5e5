/**
 * `unique_rowid()`: the generator of the hidden `rowid` of a table without a PRIMARY KEY
 * (sql/exec/ddl-create-table.ts), after CockroachDB's `GenerateUniqueInt`:
 *
 * ```
 *   bit 63: 0 (an int8 above zero)
 *   bits 62..15: time in 10 µs units since the Unix epoch   — 48 bits, good until the year 2059
 *   bits 14..0:  the node id                                — 15 bits, nodes 0 … 32,767
 * ```
 *
 * Two nodes never generate the same id (their low bits differ); one node never generates the
 * same id twice while its process runs: each id's time part is above the last one's (a counter
 * that starts from the clock and never goes back — a clock stepped back, or more than one id per
 * 10 µs, makes it run ahead of the clock until the clock catches up). Ids grow with time, so a
 * no-PK table's inserts append at the end of its keyspace. What it does not promise: uniqueness
 * across a restart of a node whose clock went back further than its downtime, or across two
 * processes claiming one node id — which is why an INSERT under such a key still checks it is
 * absent (txn/write-buffer.ts "Fresh keys"), and a duplicate fails with 23505.
 */
import { assert } from '../../../src/base/assert.js';

/** Bits of an id that hold the node id. */
const nodeIdBits = 15n;
/** Largest node id an id can carry. */
export const rowIdNodeIdMax = (1 << Number(nodeIdBits)) - 1;
/** Largest time part (10 µs units): the id stays a positive int8. */
const tickMax = (1n << (63n - nodeIdBits)) - 1n;
/** µs between the Unix epoch and 2000-01-01, PostgreSQL's epoch (the statement timestamp's). */
const unixToPostgresEpochMicros = 946_684_800_000_000n;

/** One node's `unique_rowid()` generator: one per SQL engine, shared by its sessions. */
export class UniqueRowIds {
  /** The time part of the last id given (10 µs units since the Unix epoch); 0: none yet. */
  private lastTick = 0n;
  private readonly nodeBits: bigint;

  constructor(nodeId: number) {
    assert(Number.isSafeInteger(nodeId) && nodeId >= 0, 'a node id is a non-negative integer');
    assert(nodeId <= rowIdNodeIdMax, `node id ${nodeId} fits in unique_rowid()'s ${nodeIdBits} bits`);
    this.nodeBits = BigInt(nodeId);
  }

  /**
   * The next id, at `nowMicros` (µs since 2000-01-01, the statement timestamp: the injected
   * clock's) or, if that is not past the last id's time, at the last id's time plus one tick.
   */
  next(nowMicros: bigint): bigint {
    const nowTick = (nowMicros + unixToPostgresEpochMicros) / 10n;
    const tick = nowTick > this.lastTick ? nowTick : this.lastTick + 1n;
    assert(tick <= tickMax, 'unique_rowid() time part fits in 48 bits');
    this.lastTick = tick;
    return (tick << nodeIdBits) | this.nodeBits;
  }
}
