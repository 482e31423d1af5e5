/**
 * A replica's persisted state outside the Raft log, and how a new range's state is laid down.
 *
 * Replicated (written by applying commands, identical on every replica; range-id-local 'r'):
 * - applied state — the applied index (the log position the state machine reflects) and the
 *   range's MVCC stats, rewritten in the same write batch as the commands it covers, so a
 *   restart replays exactly the entries above it;
 * - the lease and the GC threshold (the low-water mark below which old versions may be gone).
 *
 * Unreplicated (this replica's own Raft state; range-id-local 'u'): hard state, truncated state
 * and log entries — kv/replica/raft-log.ts.
 *
 * The range descriptor lives at its range-local key (`rangeDescriptorKey(startKey)`) as an MVCC
 * value, written at the commit timestamp of the split or merge that produced it. On restart the
 * store finds its replicas by scanning those copies (`loadDescriptors`).
 *
 * A new range (the first one at bootstrap, the right-hand side of a split) starts with its log
 * "truncated" at `initialRaftIndex` (CockroachDB's raftInitialLogIndex): its first state is
 * defined by the write batch that created it, never by replaying entries, and a future follower
 * that has nothing receives a snapshot instead of entries 1…10.
 */
import { StorageError } from '../../src/base/errors.js';
import type { RangeId } from '../../src/base/ids.js';
import { decodeTimestamp, encodeTimestamp, maxTimestamp, zeroTimestamp, type Timestamp } from '../../clock/timestamp.js';
import {
  decodeLease,
  decodeRangeDescriptor,
  encodeLease,
  encodeRangeDescriptor,
  rangeLocalPrefix,
  prefixEnd,
  raftHardStateKey,
  raftTruncatedStateKey,
  rangeAppliedStateKey,
  rangeDescriptorKey,
  rangeGCThresholdKey,
  rangeLeaseKey,
  rangeLocalSuffixes,
  keyMax,
  type Lease,
  type RangeDescriptor,
} from '../api/index.js';
import type { ConfState } from '../raft/index.js';
import { emptyConfState } from '../raft/index.js';
import { ByteReader, ByteWriter } from '../storage/codec.js';
import type { Reader, ReadWriter } from '../storage/engine.js';
import { emptyStats, mvccPut, mvccScan, mvccStatsFields, type MvccStats } from '../storage/mvcc/index.js';
import { encodeHardState, encodeTruncatedState } from './raft-log-codec.js';

/** The index and term a new range's log starts "truncated" at. */
export const initialRaftIndex = 10;
export const initialRaftTerm = 5;

export interface AppliedState {
  readonly appliedIndex: number;
  readonly stats: MvccStats;
}


export function encodeAppliedState(state: AppliedState): Uint8Array {
  const w = new ByteWriter(64).byte(1).uvarint(state.appliedIndex);
  for (const field of mvccStatsFields) {
    const value = state.stats[field];
    if (!Number.isSafeInteger(value) || value < 0) throw new StorageError(`range stats ${field} = ${value} cannot be persisted`);
    w.uvarint(value);
  }
  return w.finish();
}

export function decodeAppliedState(bytes: Uint8Array): AppliedState {
  const r = new ByteReader(bytes, 'applied state');
  const version = r.byte();
  if (version !== 1) throw new StorageError(`applied state version ${version} unknown`);
  const appliedIndex = r.uvarint();
  const stats = emptyStats();
  for (const field of mvccStatsFields) stats[field] = r.uvarint();
  r.end();
  return { appliedIndex, stats };
}

/** The Raft configuration a descriptor implies: its voters and learners by replica id. */
export function confStateOf(desc: RangeDescriptor): ConfState {
  const voters = desc.replicas.filter((r) => r.type === 'voter' || r.type === 'voterIncoming').map((r) => r.replicaId as number);
  const learners = desc.replicas.filter((r) => r.type === 'learner').map((r) => r.replicaId as number);
  return { ...emptyConfState, voters, learners };
}

/** Everything a replica loads from the engine when it starts. */
export interface ReplicaState {
  readonly applied: AppliedState;
  readonly lease: Lease | undefined;
  readonly gcThreshold: Timestamp;
}

export function loadReplicaState(reader: Reader, rangeId: RangeId): ReplicaState {
  const appliedBytes = reader.get(rangeAppliedStateKey(rangeId));
  if (appliedBytes === undefined) throw new StorageError(`r${rangeId}: no applied state (the range was never initialized on this store)`);
  const leaseBytes = reader.get(rangeLeaseKey(rangeId));
  const gcBytes = reader.get(rangeGCThresholdKey(rangeId));
  return {
    applied: decodeAppliedState(appliedBytes),
    lease: leaseBytes === undefined ? undefined : decodeLease(leaseBytes),
    gcThreshold: gcBytes === undefined ? zeroTimestamp : decodeTimestamp(gcBytes),
  };
}

/** Writes the descriptor copy of `desc` at `ts` (an MVCC value: splits and merges version it). */
export function writeDescriptorCopy(rw: ReadWriter, desc: RangeDescriptor, ts: Timestamp): void {
  mvccPut(rw, emptyStats(), rangeDescriptorKey(desc.startKey), ts, encodeRangeDescriptor(desc));
}

/** Deletes the descriptor copy anchored at `startKey` at `ts` (a merge removes the right one). */
export function deleteDescriptorCopy(rw: ReadWriter, startKey: Uint8Array, ts: Timestamp): void {
  mvccPut(rw, emptyStats(), rangeDescriptorKey(startKey), ts, null);
}

/**
 * Lays down a new range in `rw`: its initial Raft state, applied state with `stats`, lease and
 * GC threshold (the descriptor copy is written by the caller, at its commit timestamp).
 */
export function writeInitialReplicaState(rw: ReadWriter, rangeId: RangeId, stats: MvccStats, lease: Lease | undefined, gcThreshold: Timestamp): void {
  rw.put(raftTruncatedStateKey(rangeId), encodeTruncatedState({ index: initialRaftIndex, term: initialRaftTerm }));
  rw.put(raftHardStateKey(rangeId), encodeHardState({ term: initialRaftTerm, vote: 0, commit: initialRaftIndex }));
  rw.put(rangeAppliedStateKey(rangeId), encodeAppliedState({ appliedIndex: initialRaftIndex, stats }));
  if (lease !== undefined) rw.put(rangeLeaseKey(rangeId), encodeLease(lease));
  rw.put(rangeGCThresholdKey(rangeId), encodeTimestamp(gcThreshold));
}

/** Every range descriptor copy in the engine, in key order (the store's replicas). */
export async function loadDescriptors(reader: Reader): Promise<RangeDescriptor[]> {
  const start = rangeLocalPrefix(new Uint8Array(0));
  const end = prefixEnd(Uint8Array.of(start[0]!, start[1]!), keyMax);
  const suffix = new TextEncoder().encode(rangeLocalSuffixes.RangeDescriptor);
  const out: RangeDescriptor[] = [];
  let from: Uint8Array = start;
  for (;;) {
    const result = await mvccScan(reader, from, end, maxTimestamp, { inconsistent: true, maxKeys: 1000 });
    for (const row of result.rows) {
      const tail = row.key.subarray(row.key.length - suffix.length);
      if (row.value !== null && Buffer.from(tail).equals(suffix)) out.push(decodeRangeDescriptor(row.value));
    }
    if (result.resumeSpan === undefined) break;
    from = result.resumeSpan.start;
  }
  return out;
}
