/**
 * The replicated state machine each simulated node applies committed entries to. It remembers,
 * for every applied index, the entry's term, a hash of its type and data, and the client value
 * it carries (0 for the leader's no-op and for configuration changes) — enough for the checkers
 * to compare what different nodes applied at one index (state machine safety) and for the final
 * check that every acknowledged value is applied everywhere.
 *
 * It is volatile: a restarted node rebuilds it from its durable Raft snapshot, whose data is this
 * state machine encoded (`encode`/`decode`), and Raft hands the committed entries after the
 * snapshot out again.
 */
import { assert } from '../../base/assert.js';
import type { Entry } from '../../../kv/raft/index.js';

/** The client value carried by a normal entry (its first 4 bytes), 0 if none. */
export function entryValue(entry: Entry): number {
  if (entry.type !== 'normal' || entry.data.length < 4) return 0;
  const d = entry.data;
  return (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0;
}

/** A client command: the unique value, then `padding` bytes so entries vary in size. */
export function encodeValue(value: number, padding: number): Uint8Array {
  assert(value > 0 && value <= 0xffffffff, 'values are positive 32-bit integers');
  const data = new Uint8Array(4 + padding);
  data[0] = value & 0xff;
  data[1] = (value >>> 8) & 0xff;
  data[2] = (value >>> 16) & 0xff;
  data[3] = (value >>> 24) & 0xff;
  for (let i = 4; i < data.length; i++) data[i] = (value + i) & 0xff;
  return data;
}

/** A 32-bit hash of an entry's type and data (FNV-1a); equal entries hash equal. */
export function entryHash(entry: Entry): number {
  let h = entry.type === 'normal' ? 0x811c9dc5 : 0x050c5d1f;
  const d = entry.data;
  for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i]!, 0x01000193);
  return h >>> 0;
}

export class StateMachine {
  /** Index `i` (1-based) lives at `i - 1`. */
  private readonly terms: number[] = [];
  private readonly hashes: number[] = [];
  private readonly values: number[] = [];
  private readonly valueSet = new Set<number>();

  get appliedIndex(): number {
    return this.terms.length;
  }

  /** Applies the next entry; returns its client value (0 if none). */
  apply(entry: Entry): number {
    assert(entry.index === this.appliedIndex + 1, () => `applying index ${entry.index} after ${this.appliedIndex}`);
    const value = entryValue(entry);
    this.terms.push(entry.term);
    this.hashes.push(entryHash(entry));
    this.values.push(value);
    // A value may legitimately be applied twice: the network may duplicate a forwarded proposal
    // (MsgProp) and Raft does not deduplicate commands; the application would (CockroachDB's
    // lease applied index). The checkers compare indexes, not values, so that is harmless here.
    if (value !== 0) this.valueSet.add(value);
    return value;
  }

  termAt(index: number): number {
    return this.terms[index - 1]!;
  }

  hashAt(index: number): number {
    return this.hashes[index - 1]!;
  }

  valueAt(index: number): number {
    return this.values[index - 1]!;
  }

  hasValue(value: number): boolean {
    return this.valueSet.has(value);
  }

  /** The state as of `index` (≤ the applied index), for a Raft snapshot. */
  encode(index: number): Uint8Array {
    assert(index <= this.appliedIndex, 'snapshot beyond the applied index');
    const words = new Uint32Array(1 + 3 * index);
    words[0] = index;
    for (let i = 0; i < index; i++) {
      words[1 + 3 * i] = this.terms[i]!;
      words[2 + 3 * i] = this.hashes[i]!;
      words[3 + 3 * i] = this.values[i]!;
    }
    return new Uint8Array(words.buffer);
  }

  /** Rebuilds the state machine from a snapshot's data (empty data: the empty state). */
  static decode(data: Uint8Array, index: number): StateMachine {
    const machine = new StateMachine();
    if (data.length === 0) {
      assert(index === 0, () => `empty snapshot data at index ${index}`);
      return machine;
    }
    assert(data.length % 4 === 0, 'snapshot data is whole words');
    const words = new Uint32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
    assert(words[0] === index, () => `snapshot data covers ${words[0]} but its metadata says ${index}`);
    assert(words.length === 1 + 3 * index, 'snapshot data length matches its index');
    for (let i = 0; i < index; i++) {
      const value = words[3 + 3 * i]!;
      machine.terms.push(words[1 + 3 * i]!);
      machine.hashes.push(words[2 + 3 * i]!);
      machine.values.push(value);
      if (value !== 0) machine.valueSet.add(value);
    }
    return machine;
  }
}
