/**
 * `RangeDescriptor`: what a range is — its id, its span `[startKey, endKey)`, and its replicas —
 * and `Lease`: which replica serves it. Both are stored (the descriptor in meta2 and in the
 * range's local keys, the lease in its range-id-local keys), so both have an encoding:
 * JSON with keys in hex and timestamps in `formatTimestamp` form, so bigints survive and a
 * record is readable in a debugger. Decoding validates; corrupt input is `InvalidInputError`.
 *
 * The `generation` counts splits and merges of the range (a generation clock): a descriptor
 * with a larger generation for overlapping keys is newer, which lets a `RangeCache` throw out
 * stale entries without comparing contents.
 *
 * Replica types follow joint consensus (DESIGN §4): a change of voters passes through a joint
 * configuration in which added voters are `voterIncoming`, removed ones `voterOutgoing` (or
 * `voterDemoting` when they stay as learners).
 */
import { assert } from '../../src/base/assert.js';
import { InvalidInputError } from '../../src/base/errors.js';
import { nodeId, rangeId, replicaId, storeId, type NodeId, type RangeId, type ReplicaId, type StoreId } from '../../src/base/ids.js';
import { compare, formatTimestamp, parseTimestamp, type Timestamp } from '../../clock/timestamp.js';
import { isLocalKey, keyMax } from './keyspace.js';
import { compareKeys, type RKey, type Span } from './span.js';

export type ReplicaType = 'voter' | 'learner' | 'voterIncoming' | 'voterOutgoing' | 'voterDemoting';
export const replicaTypes: readonly ReplicaType[] = Object.freeze(['voter', 'learner', 'voterIncoming', 'voterOutgoing', 'voterDemoting']);

export interface ReplicaDescriptor {
  readonly nodeId: NodeId;
  readonly storeId: StoreId;
  readonly replicaId: ReplicaId;
  readonly type: ReplicaType;
}

export interface RangeDescriptor {
  readonly rangeId: RangeId;
  readonly startKey: RKey;
  readonly endKey: RKey;
  readonly replicas: readonly ReplicaDescriptor[];
  /** The id the next added replica gets; larger than every replica id ever used. */
  readonly nextReplicaId: ReplicaId;
  /** Splits and merges so far (a generation clock). */
  readonly generation: number;
}

/** Replicas that vote in the incoming (or only) configuration. */
export function isVoterIncoming(type: ReplicaType): boolean {
  return type === 'voter' || type === 'voterIncoming';
}

/** Whether the descriptor is in a joint configuration. */
export function isJoint(desc: RangeDescriptor): boolean {
  return desc.replicas.some((replica) => replica.type === 'voterIncoming' || replica.type === 'voterOutgoing' || replica.type === 'voterDemoting');
}

/** The problems that make `desc` invalid; empty when it is valid. */
export function rangeDescriptorProblems(desc: RangeDescriptor): readonly string[] {
  const problems: string[] = [];
  if (compareKeys(desc.startKey, desc.endKey) >= 0) problems.push('startKey must be < endKey');
  if (isLocalKey(desc.startKey) || isLocalKey(desc.endKey)) problems.push('range bounds must be global keys');
  if (compareKeys(desc.endKey, keyMax) > 0) problems.push('endKey must be ≤ /Max');
  if (!Number.isSafeInteger(desc.generation) || desc.generation < 0) problems.push('generation must be a non-negative integer');
  if (desc.replicas.length === 0) problems.push('a range needs at least one replica');
  if (!desc.replicas.some((replica) => replica.type !== 'learner')) problems.push('a range needs at least one voter');
  const seen = { replicaIds: new Set<number>(), storeIds: new Set<number>(), nodeIds: new Set<number>() };
  for (const replica of desc.replicas) {
    if (replica.replicaId >= desc.nextReplicaId) problems.push(`replica id ${replica.replicaId} must be < nextReplicaId ${desc.nextReplicaId}`);
    if (seen.replicaIds.has(replica.replicaId)) problems.push(`duplicate replica id ${replica.replicaId}`);
    if (seen.storeIds.has(replica.storeId)) problems.push(`duplicate store ${replica.storeId}`);
    if (seen.nodeIds.has(replica.nodeId)) problems.push(`two replicas on node ${replica.nodeId}`);
    seen.replicaIds.add(replica.replicaId);
    seen.storeIds.add(replica.storeId);
    seen.nodeIds.add(replica.nodeId);
  }
  return problems;
}

/** A frozen descriptor; asserts that it is valid (building an invalid one is a bug). */
export function rangeDescriptor(fields: RangeDescriptor): RangeDescriptor {
  const problems = rangeDescriptorProblems(fields);
  assert(problems.length === 0, () => `invalid range descriptor r${fields.rangeId}: ${problems.join('; ')}`);
  return Object.freeze({ ...fields, replicas: Object.freeze(fields.replicas.map((replica) => Object.freeze({ ...replica }))) });
}

export function containsKey(desc: RangeDescriptor, key: Uint8Array): boolean {
  return compareKeys(desc.startKey, key) <= 0 && compareKeys(key, desc.endKey) < 0;
}

/**
 * Whether every key of the (addressable) span is in the range. A point span is its key: `key\0`
 * ≤ end exactly when key < end, so the point case allocates no successor key (every request the
 * store routes is checked here).
 */
export function containsSpan(desc: RangeDescriptor, s: Span): boolean {
  if (s.endKey === undefined) return containsKey(desc, s.key);
  return compareKeys(desc.startKey, s.key) <= 0 && compareKeys(s.endKey, desc.endKey) <= 0;
}

export function replicaOnStore(desc: RangeDescriptor, store: StoreId): ReplicaDescriptor | undefined {
  return desc.replicas.find((replica) => replica.storeId === store);
}

// ─── leases ──────────────────────────────────────────────────────────────────────────────────

/**
 * A range lease (the lease pattern): `replica` alone serves reads and evaluates writes from
 * `start`. An expiration-based lease ends at `expiration`; an epoch-based one lasts while the
 * holder's node liveness `epoch` is live. `sequence` increases with every change of holder, so
 * a command proposed under an old lease is recognised and rejected at apply.
 */
export interface Lease {
  readonly replica: ReplicaDescriptor;
  readonly start: Timestamp;
  readonly expiration: Timestamp | undefined;
  readonly epoch: number | undefined;
  readonly sequence: number;
}

export function lease(fields: Lease): Lease {
  assert((fields.expiration === undefined) !== (fields.epoch === undefined), 'a lease has exactly one of expiration and epoch');
  assert(fields.expiration === undefined || compare(fields.start, fields.expiration) < 0, 'lease must start before it expires');
  assert(Number.isSafeInteger(fields.sequence) && fields.sequence >= 0, 'lease sequence must be a non-negative integer');
  return Object.freeze({ ...fields, replica: Object.freeze({ ...fields.replica }) });
}

/** Whether an expiration-based lease covers `ts` (`start ≤ ts < expiration`); epoch leases need liveness. */
export function expirationLeaseCovers(l: Lease, ts: Timestamp): boolean {
  assert(l.expiration !== undefined, 'not an expiration-based lease');
  return compare(l.start, ts) <= 0 && compare(ts, l.expiration) < 0;
}

// ─── encoding ────────────────────────────────────────────────────────────────────────────────

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export function encodeRangeDescriptor(desc: RangeDescriptor): Uint8Array {
  const json = { rangeId: desc.rangeId, startKey: hex(desc.startKey), endKey: hex(desc.endKey), replicas: desc.replicas, nextReplicaId: desc.nextReplicaId, generation: desc.generation };
  return new TextEncoder().encode(JSON.stringify(json));
}

export function decodeRangeDescriptor(bytes: Uint8Array): RangeDescriptor {
  const record = parseObject(bytes, 'range descriptor');
  const replicas = record.replicas;
  if (!Array.isArray(replicas)) throw new InvalidInputError('range descriptor: replicas must be an array');
  const desc: RangeDescriptor = {
    rangeId: readId(record.rangeId, rangeId, 'rangeId'),
    startKey: readHex(record.startKey, 'startKey') as RKey,
    endKey: readHex(record.endKey, 'endKey') as RKey,
    replicas: replicas.map((replica: unknown) => readReplica(replica)),
    nextReplicaId: readId(record.nextReplicaId, replicaId, 'nextReplicaId'),
    generation: readInt(record.generation, 'generation'),
  };
  const problems = rangeDescriptorProblems(desc);
  if (problems.length > 0) throw new InvalidInputError(`range descriptor r${desc.rangeId} is invalid: ${problems.join('; ')}`);
  return rangeDescriptor(desc);
}

export function encodeLease(l: Lease): Uint8Array {
  const json = { replica: l.replica, start: formatTimestamp(l.start), expiration: l.expiration === undefined ? null : formatTimestamp(l.expiration), epoch: l.epoch ?? null, sequence: l.sequence };
  return new TextEncoder().encode(JSON.stringify(json));
}

export function decodeLease(bytes: Uint8Array): Lease {
  const record = parseObject(bytes, 'lease');
  const expiration = record.expiration === null ? undefined : readTimestamp(record.expiration, 'expiration');
  const epoch = record.epoch === null ? undefined : readInt(record.epoch, 'epoch');
  const start = readTimestamp(record.start, 'start');
  if ((expiration === undefined) === (epoch === undefined)) throw new InvalidInputError('lease must have exactly one of expiration and epoch');
  if (expiration !== undefined && compare(start, expiration) >= 0) throw new InvalidInputError('lease must start before it expires');
  return lease({ replica: readReplica(record.replica), start, expiration, epoch, sequence: readInt(record.sequence, 'sequence') });
}

function parseObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new InvalidInputError(`${what} record is corrupt`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidInputError(`${what} record is not an object`);
  return parsed as Record<string, unknown>;
}

function readInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new InvalidInputError(`${what} must be a non-negative integer`);
  return value;
}

function readId<T>(value: unknown, make: (n: number) => T, what: string): T {
  const n = readInt(value, what);
  if (n === 0) throw new InvalidInputError(`${what} must be positive`);
  return make(n);
}

function readHex(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(value)) throw new InvalidInputError(`${what} must be lowercase hex`);
  return Uint8Array.from(Buffer.from(value, 'hex'));
}

function readTimestamp(value: unknown, what: string): Timestamp {
  const ts = typeof value === 'string' ? parseTimestamp(value) : undefined;
  if (ts === undefined) throw new InvalidInputError(`${what} must be a timestamp`);
  return ts;
}

function readReplica(value: unknown): ReplicaDescriptor {
  if (typeof value !== 'object' || value === null) throw new InvalidInputError('replica must be an object');
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !(replicaTypes as readonly string[]).includes(type)) throw new InvalidInputError(`unknown replica type ${String(type)}`);
  return Object.freeze({
    nodeId: readId(record.nodeId, nodeId, 'nodeId'),
    storeId: readId(record.storeId, storeId, 'storeId'),
    replicaId: readId(record.replicaId, replicaId, 'replicaId'),
    type: type as ReplicaType,
  });
}
