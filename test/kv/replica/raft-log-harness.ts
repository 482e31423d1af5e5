/**
 * One write API over `MemoryStorage` (the reference) and `RaftLogStorage` (in an engine), so the
 * same contract tests and model checks run against both. A `RaftLogStorage` subject does what a
 * replica does: stage into a batch, commit it to the engine (synced unless told otherwise), then
 * `batchCommitted`; the configuration comes from the last installed snapshot, as a replica
 * would read it from its descriptor.
 */
import fc from 'fast-check';
import { RaftLogStorage } from '../../../kv/replica/raft-log.js';
import {
  MemoryStorage,
  emptyConfState,
  type ConfState,
  type Entry,
  type HardState,
  type LogStorage,
  type Snapshot,
} from '../../../kv/raft/index.js';
import { Batch } from '../../../kv/storage/batch.js';
import type { Engine } from '../../../kv/storage/engine.js';
import { rangeId, type RangeId } from '../../../src/base/ids.js';

export interface LogSubject {
  readonly storage: LogStorage;
  append(entries: readonly Entry[]): Promise<void>;
  /** Discards entries up to and including `index`. */
  compact(index: number): Promise<void>;
  applySnapshot(snapshot: Snapshot): Promise<void>;
  setHardState(hardState: HardState): Promise<void>;
}

export const entry = (index: number, term: number, data = `e${index}@${term}`): Entry =>
  Object.freeze({ index, term, type: 'normal', data: new TextEncoder().encode(data) });

/** Entries `from …` with the given terms. */
export const entries = (from: number, terms: readonly number[]): Entry[] => terms.map((term, i) => entry(from + i, term));

export function snapshotAt(index: number, term: number, voters: readonly number[] = [1, 2, 3]): Snapshot {
  return { metadata: { index, term, confState: { ...emptyConfState, voters } }, data: new Uint8Array(0) };
}

export class MemorySubject implements LogSubject {
  readonly storage = new MemoryStorage();

  // async, so that a throw rejects like the engine subject's does
  async append(appended: readonly Entry[]): Promise<void> {
    this.storage.append(appended);
  }

  async compact(index: number): Promise<void> {
    this.storage.compact(index);
  }

  async applySnapshot(snapshot: Snapshot): Promise<void> {
    this.storage.applySnapshot(snapshot);
  }

  async setHardState(hardState: HardState): Promise<void> {
    this.storage.setHardState(hardState);
  }
}

export interface EngineSubjectOptions {
  readonly rangeId?: RangeId;
  readonly cacheBytesMax?: number;
  /** Reopen the storage from the engine after every write (exercises `open()`). */
  readonly reopenAfterWrite?: boolean;
  /** Whether writes are synced (default true). */
  sync?: boolean;
}

export class EngineSubject implements LogSubject {
  storage!: RaftLogStorage;
  /** The configuration the "replica" is at: the last installed snapshot's. */
  confState: ConfState = emptyConfState;
  lastSnapshot: Snapshot = snapshotAt(0, 0, []);
  readonly rangeId: RangeId;

  private constructor(
    readonly engine: Engine,
    readonly options: EngineSubjectOptions,
  ) {
    this.rangeId = options.rangeId ?? rangeId(7);
  }

  static async open(engine: Engine, options: EngineSubjectOptions = {}): Promise<EngineSubject> {
    const subject = new EngineSubject(engine, options);
    await subject.reopen();
    return subject;
  }

  async reopen(engine: Engine = this.engine): Promise<void> {
    this.storage = await RaftLogStorage.open({
      rangeId: this.rangeId,
      engine,
      confState: () => this.confState,
      snapshot: () => this.lastSnapshot,
      ...(this.options.cacheBytesMax === undefined ? {} : { cacheBytesMax: this.options.cacheBytesMax }),
    });
  }

  /** Stages with `write`, commits, and makes it visible — one Ready cycle's persistence. */
  async write(write: (batch: Batch) => void): Promise<void> {
    const batch = new Batch(this.engine);
    write(batch);
    await this.engine.commit(batch.ops, { sync: this.options.sync ?? true });
    this.storage.batchCommitted(batch);
    if (this.options.reopenAfterWrite === true) await this.reopen();
  }

  append(appended: readonly Entry[]): Promise<void> {
    return this.write((batch) => this.storage.appendToBatch(batch, appended));
  }

  async compact(index: number): Promise<void> {
    // The term is read before staging, as the replica's truncation does from its applied entry.
    const term = this.storage.term(index);
    await this.write((batch) => this.storage.truncateInBatch(batch, index, term));
  }

  async applySnapshot(snapshot: Snapshot): Promise<void> {
    await this.write((batch) => this.storage.applySnapshotInBatch(batch, snapshot));
    this.confState = snapshot.metadata.confState;
    this.lastSnapshot = snapshot;
  }

  setHardState(hardState: HardState): Promise<void> {
    return this.write((batch) => this.storage.setHardStateInBatch(batch, hardState));
  }
}

/** Everything a reader of `LogStorage` can observe, for comparing two storages. */
export function observe(storage: LogStorage): unknown {
  const first = storage.firstIndex();
  const last = storage.lastIndex();
  const log = storage.entries(first, last + 1, Number.MAX_SAFE_INTEGER).map((e) => `${e.index}@${e.term}:${new TextDecoder().decode(e.data)}`);
  const { hardState, confState } = storage.initialState();
  return { first, last, boundaryTerm: storage.term(first - 1), log, hardState: { ...hardState }, voters: confState.voters };
}

// ─── random operations, for model checks ───────────────────────────────────────────────────

export type Op =
  | { readonly kind: 'append'; readonly back: number; readonly count: number; readonly termBump: number; readonly size: number }
  | { readonly kind: 'compact'; readonly back: number }
  | { readonly kind: 'snapshot'; readonly ahead: number }
  | { readonly kind: 'hardState'; readonly vote: number };

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const), back: fc.nat(4), count: fc.integer({ min: 1, max: 6 }), termBump: fc.nat(1), size: fc.nat(50) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('compact' as const), back: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const), ahead: fc.integer({ min: -2, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hardState' as const), vote: fc.nat(3) }) },
);

/** Applies `op` to every subject, deciding arguments from the first (the reference). */
export async function applyOp(op: Op, all: readonly LogSubject[], term: { value: number }): Promise<void> {
  const reference = all[0]!.storage;
  const first = reference.firstIndex();
  const last = reference.lastIndex();
  switch (op.kind) {
    case 'append': {
      term.value += op.termBump;
      // Raft never replaces committed entries.
      const from = Math.max(first, last + 1 - op.back, reference.initialState().hardState.commit + 1);
      const appended = Array.from({ length: op.count }, (_, i) => entry(from + i, term.value, 'x'.repeat(op.size) + String(from + i)));
      for (const s of all) await s.append(appended);
      return;
    }
    case 'compact': {
      const index = last - op.back;
      if (index < first) return;
      for (const s of all) await s.compact(index);
      return;
    }
    case 'snapshot': {
      // Raft installs a snapshot only above its commit index.
      const index = Math.max(first - 1, last + op.ahead, reference.initialState().hardState.commit);
      term.value += 1;
      for (const s of all) await s.applySnapshot(snapshotAt(index, term.value, [1, 2, 3].slice(0, 1 + (index % 3))));
      return;
    }
    case 'hardState': {
      const hardState = { term: term.value, vote: op.vote, commit: Math.min(last, reference.initialState().hardState.commit + 1) };
      for (const s of all) await s.setHardState(hardState);
      return;
    }
  }
}
