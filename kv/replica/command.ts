/**
 * The replicated command: what the leaseholder proposes through Raft after evaluating a batch
 * (proposer-evaluated KV, DESIGN §2.4), and what every replica applies, in log order.
 *
 * A command carries the *result* of evaluation, never the request: the engine writes of the
 * batch, the MVCC stats delta they cause, and the few effects that change the replica itself
 * (a new lease, a split or merge trigger). Applying it is therefore deterministic — no reads,
 * no clock, no decisions — and identical on every replica (toyDB's `State` contract).
 *
 * Fields used at apply:
 * - `proposalId` matches an applied entry to the waiting proposer (in memory only; a replayed
 *   entry after a restart has no waiter).
 * - `leaseSequence` is the lease the proposer evaluated under. An entry proposed under a lease
 *   that is no longer the range's lease is applied as a no-op and its proposer told so
 *   (`NotLeaseholderError`) — evaluation under a lost lease may have missed writes of the new
 *   holder. A lease command itself is exempt: it is what changes the lease.
 *
 * Encoding: a version byte, then varints and length-prefixed byte strings (kv/storage/codec.ts).
 */
import { assert, assertNever } from '../../src/base/assert.js';
import { StorageError } from '../../src/base/errors.js';
import { decodeTimestamp, encodeTimestamp, type Timestamp } from '../../clock/timestamp.js';
import { decodeLease, decodeRangeDescriptor, encodeLease, encodeRangeDescriptor, type Lease, type RangeDescriptor } from '../api/index.js';
import { ByteReader, ByteWriter, uvarintSize } from '../storage/codec.js';
import type { WriteOp } from '../storage/engine.js';
import { emptyStats, mvccStatsFields, type MvccStats } from '../storage/mvcc/index.js';

/** A change to the replica that applying the command makes besides its engine writes. */
export type ReplicatedEffect =
  /** The range's lease is now `lease` (the lease pattern). */
  | { readonly kind: 'lease'; readonly lease: Lease }
  /** A split committed: this range is now `left`; the store creates the replica of `right`. */
  | { readonly kind: 'split'; readonly left: RangeDescriptor; readonly right: RangeDescriptor }
  /** A merge committed: this range is now `merged`, having subsumed `right`. */
  | { readonly kind: 'merge'; readonly merged: RangeDescriptor; readonly right: RangeDescriptor }
  /** The GC threshold moved up: reads below it must fail. */
  | { readonly kind: 'gcThreshold'; readonly threshold: Timestamp };

export interface ReplicatedCommand {
  readonly proposalId: number;
  readonly leaseSequence: number;
  readonly writes: readonly WriteOp[];
  readonly stats: MvccStats;
  readonly effects: readonly ReplicatedEffect[];
}

const version = 1;
const effectTags = { lease: 1, split: 2, merge: 3, gcThreshold: 4 } as const;

/** A signed integer as a zig-zag varint (stats deltas are negative as often as positive). */
const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);
const unzigzag = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

/**
 * The command's bytes. The writer is sized exactly first (a command carries every value the batch
 * wrote: growing a 256-byte buffer by doubling copied them several times, and the final copy once
 * more), so the values are copied once.
 */
export function encodeCommand(command: ReplicatedCommand): Uint8Array {
  const effects = command.effects.map(effectParts);
  let size = 1 + uvarintSize(command.proposalId) + uvarintSize(command.leaseSequence) + uvarintSize(command.writes.length);
  for (const op of command.writes) {
    size += 1 + uvarintSize(op.key.length) + op.key.length;
    if (op.kind === 'put') size += uvarintSize(op.value.length) + op.value.length;
  }
  for (const field of mvccStatsFields) {
    const value = command.stats[field];
    assert(Number.isSafeInteger(value), () => `stats.${field} is not an integer: ${value}`);
    size += uvarintSize(zigzag(value));
  }
  size += uvarintSize(effects.length);
  for (const parts of effects) {
    size += 1; // the tag
    for (const part of parts) size += uvarintSize(part.length) + part.length;
  }
  const w = new ByteWriter(size);
  w.byte(version).uvarint(command.proposalId).uvarint(command.leaseSequence);
  w.uvarint(command.writes.length);
  for (const op of command.writes) {
    if (op.kind === 'put') w.byte(1).bytes(op.key).bytes(op.value);
    else w.byte(2).bytes(op.key);
  }
  for (const field of mvccStatsFields) w.uvarint(zigzag(command.stats[field]));
  w.uvarint(effects.length);
  command.effects.forEach((effect, i) => {
    w.byte(effectTags[effect.kind]);
    for (const part of effects[i]!) w.bytes(part);
  });
  return w.finishSized();
}

/** The length-prefixed byte strings an effect is encoded as, after its tag. */
function effectParts(effect: ReplicatedEffect): readonly Uint8Array[] {
  switch (effect.kind) {
    case 'lease':
      return [encodeLease(effect.lease)];
    case 'split':
      return [encodeRangeDescriptor(effect.left), encodeRangeDescriptor(effect.right)];
    case 'merge':
      return [encodeRangeDescriptor(effect.merged), encodeRangeDescriptor(effect.right)];
    case 'gcThreshold':
      return [encodeTimestamp(effect.threshold)];
    default:
      return assertNever(effect, 'replicated effect');
  }
}

/** The proposal id of an encoded command, read without decoding the rest (see `decodeCommand`). */
export function commandProposalId(bytes: Uint8Array): number {
  const r = new ByteReader(bytes, 'replicated command');
  const v = r.byte();
  if (v !== version) throw new StorageError(`replicated command version ${v} is not ${version}`);
  return r.uvarint();
}

/** Decodes a command; throws `StorageError` for bytes this code did not write. */
export function decodeCommand(bytes: Uint8Array): ReplicatedCommand {
  const r = new ByteReader(bytes, 'replicated command');
  const v = r.byte();
  if (v !== version) throw new StorageError(`replicated command version ${v} is not ${version}`);
  const proposalId = r.uvarint();
  const leaseSequence = r.uvarint();
  const writeCount = r.uvarint();
  const writes: WriteOp[] = [];
  for (let i = 0; i < writeCount; i++) {
    const tag = r.byte();
    if (tag === 1) writes.push({ kind: 'put', key: r.bytes(), value: r.bytes() });
    else if (tag === 2) writes.push({ kind: 'delete', key: r.bytes() });
    else throw new StorageError(`replicated command: bad write tag ${tag}`);
  }
  const stats = emptyStats();
  for (const field of mvccStatsFields) stats[field] = unzigzag(r.uvarint());
  const effectCount = r.uvarint();
  const effects: ReplicatedEffect[] = [];
  for (let i = 0; i < effectCount; i++) {
    const tag = r.byte();
    switch (tag) {
      case effectTags.lease:
        effects.push({ kind: 'lease', lease: decodeLease(r.bytes()) });
        break;
      case effectTags.split:
        effects.push({ kind: 'split', left: decodeRangeDescriptor(r.bytes()), right: decodeRangeDescriptor(r.bytes()) });
        break;
      case effectTags.merge:
        effects.push({ kind: 'merge', merged: decodeRangeDescriptor(r.bytes()), right: decodeRangeDescriptor(r.bytes()) });
        break;
      case effectTags.gcThreshold:
        effects.push({ kind: 'gcThreshold', threshold: decodeTimestamp(r.bytes()) });
        break;
      default:
        throw new StorageError(`replicated command: bad effect tag ${tag}`);
    }
  }
  r.end();
  return { proposalId, leaseSequence, writes, stats, effects };
}
