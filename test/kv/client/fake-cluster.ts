/**
 * A fake multi-range cluster in memory for kv/client tests: N ranges over one MemoryEngine, each
 * evaluating with kv/eval's `evaluateBatch` restricted to its *current* descriptor, so a sender
 * routing by a stale descriptor gets a real `RangeKeyMismatchError`. `split` swaps descriptors at
 * the next generation, as an applied split would; `rangeLookup` reads the current descriptors
 * (meta) and counts its calls; every transport call is logged.
 */
import { nodeId, rangeId, replicaId, storeId, type RangeId } from '../../../src/base/ids.js';
import { timestamp } from '../../../clock/timestamp.js';
import { batchResponse, containsKey, keyMax, keyMin, rangeDescriptor, RangeNotFoundError, type BatchRequest, type BatchResponse, type RangeDescriptor, type RKey } from '../../../kv/api/index.js';
import { evaluateBatch } from '../../../kv/eval/index.js';
import { Batch } from '../../../kv/storage/batch.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { emptyStats, type MvccStats } from '../../../kv/storage/mvcc/index.js';
import type { RangeLookup, RangeTransport } from '../../../kv/client/index.js';

export const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
export const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

export interface SendRecord {
  readonly rangeId: RangeId;
  readonly kinds: readonly string[];
  readonly outcome: string;
}

function makeDesc(id: number, startKey: Uint8Array, endKey: Uint8Array, generation: number): RangeDescriptor {
  return rangeDescriptor({
    rangeId: rangeId(id),
    startKey: startKey as RKey,
    endKey: endKey as RKey,
    replicas: [{ nodeId: nodeId(1), storeId: storeId(1), replicaId: replicaId(1), type: 'voter' }],
    nextReplicaId: replicaId(2),
    generation,
  });
}

export class FakeCluster {
  readonly engine = new MemoryEngine();
  readonly ranges = new Map<RangeId, { desc: RangeDescriptor; stats: MvccStats }>();
  readonly sends: SendRecord[] = [];
  lookups = 0;
  private nextRangeId: number;

  /** Ranges split at `splitKeys` (sorted, distinct), covering `[/Min, /Max)`. */
  constructor(splitKeys: readonly string[]) {
    const bounds = [keyMin, ...splitKeys.map(enc), keyMax];
    for (let i = 0; i + 1 < bounds.length; i += 1) {
      const desc = makeDesc(i + 1, bounds[i]!, bounds[i + 1]!, 0);
      this.ranges.set(desc.rangeId, { desc, stats: emptyStats() });
    }
    this.nextRangeId = bounds.length;
  }

  descriptors(): RangeDescriptor[] {
    return [...this.ranges.values()].map((range) => range.desc);
  }

  /** The range holding `key` now. */
  holder(key: Uint8Array): RangeDescriptor {
    const desc = this.descriptors().find((d) => containsKey(d, key));
    if (desc === undefined) throw new Error(`no range holds ${dec(key)}`);
    return desc;
  }

  /** Splits the range holding `at` there; both halves get the next generation. */
  split(at: string): { left: RangeDescriptor; right: RangeDescriptor } {
    const old = this.holder(enc(at));
    const left = makeDesc(old.rangeId, old.startKey, enc(at), old.generation + 1);
    const right = makeDesc(this.nextRangeId, enc(at), old.endKey, old.generation + 1);
    this.nextRangeId += 1;
    this.ranges.get(old.rangeId)!.desc = left;
    this.ranges.set(right.rangeId, { desc: right, stats: emptyStats() });
    return { left, right };
  }

  readonly rangeLookup: RangeLookup = async (key) => {
    this.lookups += 1;
    await Promise.resolve();
    return this.holder(key);
  };

  readonly transport: RangeTransport = async (id, _believed, batch) => {
    const kinds = batch.requests.map((request) => request.kind);
    try {
      const response = await this.evaluate(id, batch);
      this.sends.push({ rangeId: id, kinds, outcome: 'ok' });
      return response;
    } catch (error) {
      this.sends.push({ rangeId: id, kinds, outcome: (error as Error).name });
      throw error;
    }
  };

  private async evaluate(id: RangeId, batch: BatchRequest): Promise<BatchResponse> {
    const range = this.ranges.get(id);
    if (range === undefined) throw new RangeNotFoundError(id, storeId(1));
    const rw = new Batch(this.engine);
    const now = timestamp(1_000n);
    const result = await evaluateBatch({ rangeId: id, descriptor: range.desc, stats: range.stats, now }, rw, batch);
    await this.engine.commit(rw.ops, { sync: false });
    return batchResponse(batch, { txn: result.updatedTxn, now }, result.responses);
  }
}
