/**
 * The index backfiller of a schema change that builds new indexes from a table's rows
 * (ALTER TABLE … ADD PRIMARY KEY): CockroachDB's bulk index backfill, fitted to a catalog whose
 * DDL is transactional.
 *
 * ```
 *   statement txn                              non-transactional bulk work (no intents)
 *   ─ write the new descriptor (or, if the txn
 *     already wrote, lock it: exclusive) ───►  clear the new indexes' spans (junk of a failed try)
 *                                              read the old primary index as of now, in pages
 *                                              (`scanSnapshot`; in the txn if it already wrote)
 *                                              chunk of rows ─► conditional puts, one batch ──► …
 *   ─ fence: read a sentinel at T_fence ≥ every chunk's timestamp (non-transactional, sets the
 *     timestamp cache); the txn writes the sentinel, so its commit lands above T_fence
 *   ─ commit ────────────────────────────────►  after commit: delete the old indexes' spans (GC)
 * ```
 *
 * Why the new entries need no transaction: they go to index ids no committed descriptor names,
 * so nobody reads them until the statement's transaction commits the descriptor that does. If
 * that transaction never commits (a duplicate key, a rollback, a crash, a retry) the entries are
 * junk in an unnamed span, and the next attempt — which picks the same ids, since `nextIndexId`
 * did not move — clears the spans before it writes. What the transaction guarantees:
 *
 * - **No lost or extra rows.** The old primary index's span is in the transaction's read set —
 *   read in it, or by `scanSnapshot` and then recorded (`Txn.recordRead`) — so the refresh at
 *   commit fails (40001) if anyone wrote it since, and leaves the timestamp cache at the commit
 *   timestamp over it: a transaction still writing with the old descriptor is pushed above the
 *   commit, where its refresh meets the new catalog version and fails (ddl-alter.ts).
 * - **No half-built index visible.** The entries are written before the commit, and the fence
 *   puts the commit timestamp above every one of them (the timestamp cache's rule: a write lands
 *   above every earlier read of its key), so any reader of the new descriptor sees them all.
 * - **One backfill per table at a time.** The descriptor is written or locked before the spans
 *   are cleared, so a concurrent ADD PRIMARY KEY waits instead of writing into the same span, and
 *   CREATE INDEX writes its descriptor before its entries (ddl-index.ts), so it never holds
 *   intents in a span we clear while it waits for our lock. An intent an abandoned transaction
 *   left in the span is pushed away by the clear, as any blocked request does.
 *
 * The old indexes' data is cleared after the commit (CockroachDB's GC of a dropped index):
 * once every transaction that could still read the old descriptor — one that began below the
 * commit — has ended (reader-horizon.ts), a ClearRange per span removes every version outright,
 * a few engine deletes per row instead of an MVCC tombstone per row; if a transaction stays open
 * past `sqlDroppedIndexClearWaitMsMax`, MVCC range deletes instead, which such a reader reads
 * below. If the node dies before the clear ends the rest is unreachable garbage under ids never
 * used again. The junk of a failed attempt (ids no committed descriptor names) is cleared at once.
 */
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import type { Logger } from '../../src/base/logger.js';
import { max, type Timestamp } from '../../clock/timestamp.js';
import {
  batchHeader,
  batchRequest,
  clearRangeRequest,
  ConditionFailedError,
  conditionalPutRequest,
  deleteRangeRequest,
  deleteRequest,
  gcRequest,
  getRequest,
  indexPrefix,
  keyMax,
  prefixEnd,
  putRequest,
  scanRequest,
  tableKey,
  textValue,
  type BatchResponse,
  type ClearRangeRequest,
  type Request,
  type ScanRequest,
  type ScanResponse,
  type Sender,
} from '../../kv/api/index.js';
import type { Txn, TxnDeps } from '../../txn/index.js';
import type { TableDesc } from '../catalog/descriptors.js';
import type { RowCodec } from '../rowcodec/row-codec.js';
import type { Datum } from '../types/datum.js';
import type { CancelSignal, SqlEngineDeps } from './contract.js';
import type { ReaderHorizon } from './reader-horizon.js';

/**
 * Chunk sizes of the backfill; a testing knob (CockroachDB's `TestingKnobs`): tests lower them to
 * cross chunk boundaries with few rows. Production code never writes it.
 */
export const backfillKnobs: { chunkRowsMax: number; chunkBytesMax: number } = {
  chunkRowsMax: limits.sqlBackfillChunkRowsMax,
  chunkBytesMax: limits.sqlBackfillChunkBytesMax,
};

/** Keys one non-transactional range delete of the clear or the GC removes (a modest Raft command). */
const deleteRangeKeysMax = 10_000;

/** Writes the entries of `table`'s indexes `indexIds` for rows fed to `add`, in bounded chunks. */
export class IndexBackfiller {
  private requests: Request[] = [];
  /** The chunk's rows and their primary keys, searched only when a conditional put fails (23505). */
  private rows: (readonly Datum[])[] = [];
  private primaryKeys: Uint8Array[] = [];
  /** The chunk's primary keys (latin1 strings), to catch a duplicate inside one chunk. */
  private readonly chunkKeys = new Set<string>();
  private bytes = 0;
  /** The highest timestamp a chunk may have been written at (server clock readings included). */
  private highest: Timestamp;
  private readonly db: Sender;
  private readonly txnDeps: TxnDeps;
  private readonly indexIds: ReadonlySet<number>;

  /**
   * @param table the table as it will be (its new indexes' ids in `indexIds`; the primary index
   *   must be one of them: its entries are conditional puts, so a duplicate key fails in the store)
   * @param duplicate the 23505 for a row whose new primary key is taken
   */
  constructor(
    deps: SqlEngineDeps,
    private readonly table: TableDesc,
    private readonly codec: RowCodec,
    indexIds: readonly number[],
    private readonly duplicate: (row: readonly Datum[]) => Error,
  ) {
    assert(indexIds.includes(table.primaryIndex.id), 'the backfill writes the primary index');
    assert(indexIds.length === 1 + table.secondaryIndexes.length, 'the backfill writes every index of the table');
    this.db = deps.db;
    this.txnDeps = deps.txnDeps;
    this.indexIds = new Set(indexIds);
    this.highest = deps.txnDeps.clock.now();
  }

  /** Deletes whatever an earlier, failed attempt left in the new indexes' spans. */
  async clear(): Promise<void> {
    for (const indexId of this.indexIds) await clearSpan(this.db, this.txnDeps, indexPrefix(this.table.id, indexId));
  }

  /** Buffers `row`'s entries (the row in the new table's column order); sends a full chunk. */
  async add(row: readonly Datum[]): Promise<void> {
    const primary = this.codec.encodePrimary(row);
    // Two puts of one key in one batch share its timestamp: the second would fail as a write
    // too old, not as the failed condition, so a duplicate inside a chunk is caught here.
    const chunkKey = Buffer.from(primary.key.buffer, primary.key.byteOffset, primary.key.byteLength).toString('latin1');
    if (this.chunkKeys.has(chunkKey)) throw this.duplicate(row);
    this.chunkKeys.add(chunkKey);
    this.requests.push(conditionalPutRequest(primary.key, primary.value, undefined));
    this.bytes += primary.key.length + primary.value.length;
    for (const entry of this.codec.indexEntries(row)) {
      assert(this.indexIds.has(entry.indexId), 'an index entry outside the backfilled indexes');
      this.requests.push(putRequest(entry.key, entry.value));
      this.bytes += entry.key.length + entry.value.length;
    }
    this.rows.push(row);
    this.primaryKeys.push(primary.key);
    if (this.rows.length >= backfillKnobs.chunkRowsMax || this.bytes >= backfillKnobs.chunkBytesMax) await this.flush();
  }

  /** Sends the buffered chunk as one non-transactional batch at the clock's current time. */
  async flush(): Promise<void> {
    if (this.requests.length === 0) return;
    const timestamp = this.txnDeps.clock.now();
    try {
      const response = await this.db.send(batchRequest(batchHeader({ timestamp }), this.requests));
      this.highest = max(this.highest, max(timestamp, response.header.now));
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      const failed = this.primaryKeys.findIndex((key) => Buffer.compare(key, error.key) === 0);
      if (failed < 0) throw error;
      throw this.duplicate(this.rows[failed]!);
    }
    this.requests = [];
    this.rows = [];
    this.primaryKeys = [];
    this.chunkKeys.clear();
    this.bytes = 0;
  }

  /**
   * Makes `txn` commit above every chunk written (see the file comment): a non-transactional read
   * of a sentinel key at `T_fence` enters the timestamp cache, and the transaction's delete of
   * the sentinel is then pushed above it (the transaction refreshes its reads up to there).
   *
   * The sentinel is under the first index id the new descriptor leaves unused — no span any
   * attempt of this statement clears or reads — and names the transaction and its epoch: the
   * tombstone intent an earlier epoch left (a retried statement) is never under the fence read,
   * which would wait for our own transaction to end.
   */
  async fence(txn: Txn): Promise<void> {
    assert(this.requests.length === 0, 'fence before the last chunk was sent');
    const fenceTimestamp = max(this.highest, this.txnDeps.clock.now());
    const attempt = txn.transaction;
    const sentinel = tableKey(this.table.id, this.table.nextIndexId, [textValue(`backfill fence ${attempt.id}/${attempt.epoch}`)]);
    await this.db.send(batchRequest(batchHeader({ timestamp: fenceTimestamp }), [getRequest(sentinel)]));
    await txn.batch([deleteRequest(sentinel)]);
  }
}

/**
 * Keys one page of the snapshot scan reads: as many as one conflict error reports intents
 * (`writeIntentErrorIntentsMax`). A read-only request that meets intents of a finished
 * transaction (a bulk load just committed: pgbench -i runs ADD PRIMARY KEY right after its COPY)
 * resolves them for its own evaluation only and evaluates again, `writeIntentErrorIntentsMax` more
 * each round (kv/replica/concurrency.ts): a page of 10,000 such keys took 10 rounds, each
 * re-reading and re-resolving everything before it — 5.5 times the work of the same keys read in
 * pages of 1,000, which take at most two rounds. The page size bounds that; it does not change
 * the result.
 */
const snapshotPageKeysMax = limits.writeIntentErrorIntentsMax;

/**
 * Reads every row of `table`'s primary index as of one timestamp — the clock's now, or `atLeast`
 * if that is later — outside any transaction, page by page (`snapshotPageKeysMax`), and hands
 * each page's rows (decoded in `table`'s layout, fresh arrays the callee may change) to
 * `onRows`. Returns the timestamp it read at.
 *
 * The read enters the timestamp cache, so a write that reaches the span after the read is pushed
 * above it; the caller must make such a writer fail: ADD PRIMARY KEY adds the span to its
 * transaction's read set, so that its commit refreshes it up to the commit timestamp. That
 * refresh starts at the transaction's read timestamp, so the snapshot must be at or above it
 * (`atLeast`): ADD PRIMARY KEY's descriptor write is pushed above the catalog lease and its read
 * timestamp moves up with it, ahead of the clock — a snapshot taken at the clock's now left a
 * window between the two that neither covered, where a writer using the leased old descriptor
 * committed a row the clear then deleted (review H1 of session 9). An intent met is handled as
 * any non-transactional read does (resolved if its transaction finished, else pushed or waited
 * on) — which is why a transaction that has itself written must not use this (it would wait on
 * itself).
 */
export async function scanSnapshot(deps: SqlEngineDeps, table: TableDesc, codec: RowCodec, cancel: CancelSignal, atLeast: Timestamp, onRows: (rows: Datum[][]) => Promise<void>): Promise<Timestamp> {
  const now = deps.txnDeps.clock.now();
  // A read ahead of the clock carries the real now: the store's clock takes a header's `now`.
  const timestamp = max(now, atLeast);
  const prefix = indexPrefix(table.id, table.primaryIndex.id);
  const end = prefixEnd(prefix, keyMax);
  let start: Uint8Array | undefined = prefix;
  while (start !== undefined) {
    cancel.throwIfCancelled();
    const header = batchHeader({ timestamp, now, maxSpanRequestKeys: Math.min(snapshotPageKeysMax, Math.max(1, backfillKnobs.chunkRowsMax)) });
    const response: BatchResponse<readonly [ScanRequest]> = await deps.db.send(batchRequest(header, [scanRequest(start, end)] as const));
    const page: ScanResponse = response.responses[0];
    await onRows(page.rows.map((row) => codec.decodePrimary(row.key, row.value)));
    start = page.resumeSpan?.key;
  }
  return timestamp;
}

/**
 * Clears every version of every key with `prefix` outright (kv ClearRange, non-transactional;
 * each range clears a bounded part per command and answers the rest as its resume span). Only for
 * a span no one can read or write any more (see the file comment).
 */
async function clearSpan(db: Sender, txnDeps: TxnDeps, prefix: Uint8Array): Promise<void> {
  let start: Uint8Array | undefined = prefix;
  const end = prefixEnd(prefix, keyMax);
  while (start !== undefined) {
    const response: BatchResponse<readonly [ClearRangeRequest]> = await db.send(batchRequest(batchHeader({ timestamp: txnDeps.clock.now() }), [clearRangeRequest(start, end)] as const));
    start = response.responses[0].resumeSpan?.key;
  }
}

/** Deletes every key of the span with `prefix` (MVCC tombstones), non-transactionally, in chunks of `deleteRangeKeysMax`. */
async function deleteSpan(db: Sender, txnDeps: TxnDeps, prefix: Uint8Array): Promise<void> {
  let start = prefix;
  const end = prefixEnd(prefix, keyMax);
  for (;;) {
    const header = batchHeader({ timestamp: txnDeps.clock.now(), maxSpanRequestKeys: deleteRangeKeysMax });
    const response = await db.send(batchRequest(header, [deleteRangeRequest(start, end)]));
    const resume = response.responses[0].resumeSpan;
    if (resume === undefined) return;
    start = resume.key;
  }
}

/**
 * Post-commit work: removes the data of indexes a committed schema change stopped naming (old
 * ids, never reused) — cleared outright once no transaction that began below the commit is open
 * (`readers`), else deleted by MVCC tombstones. Never throws: a failure is logged and leaves
 * unreachable garbage.
 */
export function deleteIndexesAfterCommit(deps: SqlEngineDeps, readers: ReaderHorizon, tableId: number, indexIds: readonly number[], logger: Logger | undefined): () => Promise<void> {
  return clearDroppedSpansAfterCommit(deps, readers, indexIds.map((indexId) => indexPrefix(tableId, indexId)), logger, { tableId, indexIds });
}

/**
 * Raises the GC threshold of every range under `prefix` to `threshold` (a GC request naming no
 * keys: only the threshold moves). Once a ClearRange ran, the history below it is gone, and
 * the reader horizon that refuses reads of it (72000) lives in this process only: the threshold
 * is persisted by each range (kv/replica), so a read below it is refused after a restart too,
 * never answered from the emptied span as if the rows had never been there. It covers whole
 * ranges, so older reads of whatever else shares them are refused as well — history lost
 * early, as a shorter GC TTL would lose it, but never a wrong answer.
 */
async function raiseGCThreshold(db: Sender, txnDeps: TxnDeps, prefix: Uint8Array, threshold: Timestamp): Promise<void> {
  await db.send(batchRequest(batchHeader({ timestamp: txnDeps.clock.now() }), [gcRequest(prefix, prefixEnd(prefix, keyMax), [], threshold)]));
}

/**
 * Post-commit work: removes every key under `prefixes` — the data of indexes or tables a
 * committed statement stopped naming (ids never reused) — cleared outright once no transaction
 * that began below the commit is open (`readers`), else deleted by MVCC tombstones. Never
 * throws: a failure is logged (with `context`) and leaves unreachable garbage.
 */
export function clearDroppedSpansAfterCommit(deps: SqlEngineDeps, readers: ReaderHorizon, prefixes: readonly Uint8Array[], logger: Logger | undefined, context: object): () => Promise<void> {
  return async () => {
    try {
      // Runs after the commit, so the clock is past the commit timestamp.
      const floor = deps.txnDeps.clock.now();
      const clearable = await readers.waitForReadersBelow(floor, deps.txnDeps.timers, limits.sqlDroppedIndexClearWaitMsMax);
      if (!clearable) logger?.info(context, 'a transaction older than the drop is still open: deleting the dropped data by MVCC tombstones');
      // The threshold first: a crash between the two leaves history refused, never read empty.
      if (clearable) for (const prefix of prefixes) await raiseGCThreshold(deps.db, deps.txnDeps, prefix, floor);
      for (const prefix of prefixes) await (clearable ? clearSpan : deleteSpan)(deps.db, deps.txnDeps, prefix);
    } catch (error) {
      logger?.warn({ err: error, ...context }, 'could not delete the data of dropped indexes or tables');
    }
  };
}
