/**
 * The scan operator: reads an index's spans page by page (`Txn.batch` with a key limit that
 * grows from `firstPageKeys` to `pageKeysMax`, so `LIMIT 1` reads little and a full scan few
 * round trips), decodes each entry with the table's `RowCodec`, and for a secondary index fetches
 * the primary rows (one batch of gets per page: an index join). An exact primary-key lookup is a
 * batch of point gets — for a query, usually read already by the engine in the batch that read
 * the catalog version (`Runtime.prefetched`).
 *
 * A locking scan (`FOR UPDATE`/`FOR SHARE`, UPDATE's and DELETE's reads) sends locking gets and
 * scans (CockroachDB's locking reads: each row read is locked for the transaction — index
 * entries and, through an index join, the primary rows), so a second transaction updating the
 * same row waits for the first instead of reading a value about to be overwritten and failing
 * its refresh later (40001). Under NOWAIT a locked row fails the statement with PostgreSQL's
 * 55P03 "could not obtain lock on row in relation". Under SKIP LOCKED the scan's reads are lock
 * probes (kv/api `lockProbe`) under the `skipLocked` wait policy: they never wait, leave out the
 * rows other transactions lock, and lock nothing; the LockRows operator above the filter and
 * sort locks the rows the query returns (sql/exec/lock-rows.ts).
 */
import { getRequest, LockConflictError, scanRequest, type KeyValueRow, type LockStrength, type Request, type WaitPolicy } from '../../kv/api/index.js';
import { assert } from '../../src/base/assert.js';
import { SqlError } from '../catalog/errors.js';
import type { PlanNode, ScanNode } from '../plan/plan.js';
import { computeSpans, type KeySpan } from '../plan/key-spans.js';
import { statsOf } from './exec-stats.js';
import type { PrefetchedReads, RowBatch, RowSource, Runtime } from './runtime.js';

/** Where the primary key's columns sit in a row of the table, per scan node (found once). */
const pkPositionsByNode = new WeakMap<ScanNode, readonly number[]>();

function primaryKeyPositions(node: ScanNode): readonly number[] {
  let found = pkPositionsByNode.get(node);
  if (found === undefined) {
    const positions = new Map(node.table.columns.map((column, position) => [column.id, position]));
    found = node.table.primaryIndex.columns.map((column) => positions.get(column.columnId)!);
    pkPositionsByNode.set(node, found);
  }
  return found;
}

/** The rows of a point lookup's keys the engine read (`PrefetchedReads`), in key order; absent keys give none. */
export function decodePrefetched(node: ScanNode, prefetched: PrefetchedReads): RowBatch {
  const rows: RowBatch = [];
  prefetched.values.forEach((value, index) => {
    if (value !== undefined) rows.push(node.codec.decodePrimary(prefetched.keys[index]!, value));
  });
  return rows;
}

const firstPageKeys = 128;
/**
 * 1,024, not more: a page and the rows decoded from it live until the operators above have
 * consumed them, and at 8,192 rows (a few MB) they outlived V8's young-generation collections —
 * copied, promoted, then collected by full mark-compacts (the heap climbed from ~28 to ~90 MB
 * during a whole-table join). Smaller pages die young; the extra round trips inside the node
 * cost far less (bench/joins: revenue-by-nation 1,436 → 1,230 ms CPU per query).
 */
const pageKeysMax = 1024;

export class ScanSource implements RowSource {
  private spans: KeySpan[] | undefined;
  private pointKeys: Uint8Array[] | null = null;
  private pageKeys = firstPageKeys;

  constructor(
    private readonly node: ScanNode,
    private readonly rt: Runtime,
    /** The plan node EXPLAIN ANALYZE counts the reads for (a lookup join's scan: the join). */
    private readonly statsNode: PlanNode = node,
  ) {
    // The statement's reads are pinned at its start (`Txn.step`), so a plain read of a table a
    // data-modifying WITH query of the statement changed reads it as it was — PostgreSQL's one
    // snapshot. Rows read to be changed or locked again are refused: PostgreSQL would see such
    // a row already changed by the statement and skip it, where the snapshot would bring it
    // back (sql/exec/modifying-ctes.ts). Reads with the pin lifted (`readingLatest`: foreign
    // key cascades) see the changes and need no refusal.
    const writer = rt.modifiedTables?.get(node.table.id);
    if (writer !== undefined && node.locking !== null && rt.txn.readSequence !== undefined) {
      throw new SqlError('0A000', `changing or locking rows of table "${node.table.name}" in a statement whose data-modifying WITH query "${writer}" changes it is not supported`, {
        hint: 'Change the table in one part of the statement only, or in a statement of its own.',
      });
    }
  }

  async next(): Promise<RowBatch | null> {
    this.rt.cancel.throwIfCancelled();
    if (this.spans === undefined) {
      const prefetched = this.takePrefetched();
      if (prefetched !== undefined) {
        // The engine computed this run's keys and read them (`PrefetchedReads`): nothing to send.
        this.spans = [];
        this.pointKeys = [];
        return decodePrefetched(this.node, prefetched);
      }
      const computed = computeSpans(this.node, this.node.spans, this.rt.ctx);
      this.spans = computed.spans;
      this.pointKeys = computed.pointKeys;
    }
    if (this.pointKeys !== null) {
      const keys = this.pointKeys;
      this.pointKeys = [];
      if (keys.length === 0) return null;
      const rows: RowBatch = [];
      const response = await this.send(keys.map((key) => getRequest(key, this.strength, this.probe)));
      response.responses.forEach((result, index) => {
        if (result.kind === 'get' && result.value !== undefined) rows.push(this.node.codec.decodePrimary(keys[index]!, result.value));
      });
      return rows;
    }
    while (this.spans.length > 0) {
      const span = this.spans[0]!;
      const response = await this.send([scanRequest(span.start, span.end, this.strength, this.probe)], this.pageKeys);
      const result = response.responses[0]!;
      assert(result.kind === 'scan', 'a scan answers a scan');
      this.pageKeys = Math.min(this.pageKeys * 4, pageKeysMax);
      if (result.resumeSpan === undefined) this.spans.shift();
      else this.spans[0] = { start: result.resumeSpan.key, end: span.end };
      if (result.rows.length > 0) return this.decode(result.rows);
    }
    return null;
  }

  private async decode(entries: readonly KeyValueRow[]): Promise<RowBatch> {
    const codec = this.node.codec;
    if (this.node.index.id === this.node.table.primaryIndex.id) return entries.map((entry) => codec.decodePrimary(entry.key, entry.value));
    const pkPositions = primaryKeyPositions(this.node);
    const keys = entries.map((entry) => {
      const partial = codec.decodeIndexEntry(this.node.index.id, entry.key, entry.value);
      return codec.primaryKeyFromValues(pkPositions.map((position) => partial[position] ?? null));
    });
    const response = await this.send(keys.map((key) => getRequest(key, this.strength, this.probe)));
    const rows: RowBatch = [];
    response.responses.forEach((result, index) => {
      if (result.kind === 'get' && result.value !== undefined) rows.push(codec.decodePrimary(keys[index]!, result.value));
    });
    return rows;
  }

  /**
   * The reads the engine made for this scan already (`PrefetchedReads`: a plain primary-key point
   * lookup, keys computed from this run's parameters), taken once; undefined if there are none.
   */
  private takePrefetched(): PrefetchedReads | undefined {
    const prefetched = this.rt.prefetched;
    if (prefetched === undefined || prefetched.used || prefetched.node !== this.node || this.node.locking !== null) return undefined;
    prefetched.used = true;
    return prefetched;
  }

  /** The lock strength of the scan's reads (`none` for a plain read). */
  private get strength(): LockStrength {
    return this.node.locking?.strength ?? 'none';
  }

  /** SKIP LOCKED: the reads are lock probes (they skip what others lock, and lock nothing). */
  private get probe(): { readonly lockProbe?: boolean } {
    return this.node.locking?.waitPolicy === 'skipLocked' ? { lockProbe: true } : {};
  }

  /** Sends one batch of the scan's reads with its wait policy; NOWAIT's conflict becomes 55P03. */
  private async send(requests: readonly Request[], maxSpanRequestKeys = 0): ReturnType<Runtime['txn']['batch']> {
    const waitPolicy: WaitPolicy = this.node.locking?.waitPolicy ?? 'block';
    try {
      const stats = statsOf(this.rt.ctx);
      if (stats === undefined) return await this.rt.txn.batch(requests, { maxSpanRequestKeys, waitPolicy });
      const start = stats.now();
      const response = await this.rt.txn.batch(requests, { maxSpanRequestKeys, waitPolicy });
      stats.recordKv(this.statsNode, { requests: requests.length, ...readVolume(requests, response.responses), nanos: stats.now() - start });
      return response;
    } catch (error) {
      if (error instanceof LockConflictError) throw new SqlError('55P03', `could not obtain lock on row in relation "${this.node.table.name}"`);
      throw error;
    }
  }
}

/** The key-value pairs a batch's gets and scans read, and their bytes (keys and values). */
function readVolume(requests: readonly Request[], responses: Awaited<ReturnType<Runtime['txn']['batch']>>['responses']): { rows: number; bytes: number } {
  let rows = 0;
  let bytes = 0;
  for (const [index, result] of responses.entries()) {
    const request = requests[index];
    if (result.kind === 'get' && result.value !== undefined && request?.kind === 'get') {
      rows++;
      bytes += request.key.length + result.value.length;
    } else if (result.kind === 'scan') {
      rows += result.rows.length;
      for (const row of result.rows) bytes += row.key.length + row.value.length;
    }
  }
  return { rows, bytes };
}
