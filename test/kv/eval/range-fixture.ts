/** The one range `[a, m)` the kv/eval unit tests evaluate against, and its state at ts 100. */
import { timestamp } from '../../../clock/timestamp.js';
import { rangeDescriptor, transaction, type RangeDescriptor, type RKey, type Transaction } from '../../../kv/api/index.js';
import type { RangeEvalState } from '../../../kv/eval/index.js';
import { emptyStats } from '../../../kv/storage/mvcc/index.js';
import { nodeId, rangeId, replicaId, storeId, txnId } from '../../../src/base/ids.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export const desc: RangeDescriptor = rangeDescriptor({
  rangeId: rangeId(1),
  startKey: enc('a') as RKey,
  endKey: enc('m') as RKey,
  replicas: [{ nodeId: nodeId(1), storeId: storeId(1), replicaId: replicaId(1), type: 'voter' }],
  nextReplicaId: replicaId(2),
  generation: 0,
});

/** Fresh statistics each call: evaluation adds its deltas to them. */
export const state = (): RangeEvalState => ({ rangeId: rangeId(1), descriptor: desc, stats: emptyStats(), now: timestamp(100n) });

/** A PENDING transaction named `id` (its id the name repeated), anchored at `a`, at `ts` throughout. */
export const txnAt = (id: string, ts: bigint): Transaction =>
  transaction({
    id: txnId(id.repeat(32).slice(0, 32)),
    key: enc('a'),
    epoch: 0,
    writeTimestamp: timestamp(ts),
    minTimestamp: timestamp(ts),
    priority: 1,
    sequence: 0,
    name: id,
    status: 'PENDING',
    readTimestamp: timestamp(ts),
    globalUncertaintyLimit: timestamp(ts),
    ignoredSequences: [],
    lockSpans: [],
    inFlightWrites: [],
    lastHeartbeat: timestamp(0n),
  });
