/**
 * One Raft node of the interaction harness: a `RawNode`, its `MemoryStorage` (what survives a
 * crash) and its state machine, an "appender" (etcd's interaction harness has the same): the
 * applied state is the list of applied commands, so a snapshot's data is that list.
 *
 * `processReady` honours the Ready contract of kv/raft/ready.ts to the letter, in its order:
 *
 *   1. send `messagesBeforePersist`;
 *   2. persist the snapshot, then the entries, then the hard state;
 *   3. send `messages`;
 *   4. apply the snapshot, then the committed entries (`applyConfChange` for conf changes);
 *   5. `advance(ready)`.
 *
 * The core reads the log through `HarnessStorage`, which answers `snapshot()` with the state
 * machine as of its applied index (etcd's harness does the same): an application produces a
 * fresh snapshot when a follower needs one, so that it covers every conf change applied so far
 * — a node added by a conf change must find itself in the snapshot that catches it up.
 *
 * Persisting is synchronous, so a crash (`crash ID`) loses no acknowledged state: it loses the
 * RawNode (volatile state: role, leader, progress, inflight reads) and the state machine, which
 * `restart` rebuilds from the storage's snapshot and then re-applies the committed log.
 */
import { assert } from '../../../../src/base/assert.js';
import { RangedbError } from '../../../../src/base/errors.js';
import { SeededRandom } from '../../../../src/env/random.js';
import {
  decodeConfChange,
  MemoryStorage,
  OnDemandSnapshotStorage,
  RawNode,
  type ConfState,
  type Entry,
  type Message,
  type RaftConfig,
  type RaftNodeId,
  type Ready,
  type Snapshot,
} from '../../../../kv/raft/index.js';
import { fmtConfChange, fmtConfState, fmtEntry, fmtHardState, fmtMessage, fmtSnapshot, fmtSoftState, fmtData } from './format.js';
import type { Output } from './output.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The tunables of `add-nodes`, kept to rebuild the RawNode on `restart`. */
export interface NodeOptions {
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxInflightMessages: number | undefined;
  readonly maxMessageBytes: number | undefined;
  readonly maxUncommittedEntriesBytes: number | undefined;
}

/** The state machine as of one applied index: what a snapshot at that index holds. */
interface AppliedState {
  readonly index: number;
  readonly commands: readonly string[];
  readonly confState: ConfState;
}

export class HarnessNode {
  /** Undefined while crashed. */
  rawNode: RawNode | undefined;
  /** The state machine's history, one state per applied index (compaction snapshots from it). */
  private history: AppliedState[] = [];
  /** How many times the node restarted, to seed each incarnation's jitter differently. */
  private incarnation = 0;

  constructor(
    readonly id: RaftNodeId,
    readonly storage: MemoryStorage,
    readonly options: NodeOptions,
    private readonly out: Output,
  ) {
    this.start();
  }

  get down(): boolean {
    return this.rawNode === undefined;
  }

  get node(): RawNode {
    assert(this.rawNode !== undefined, () => `node ${this.id} is down`);
    return this.rawNode;
  }

  /** The applied state machine. */
  get applied(): AppliedState {
    return this.history[this.history.length - 1]!;
  }

  crash(): void {
    assert(this.rawNode !== undefined, `node ${this.id} is already down`);
    this.rawNode = undefined;
  }

  /** Builds a RawNode from the persisted storage; the state machine restarts from its snapshot. */
  start(): void {
    assert(this.rawNode === undefined, `node ${this.id} is already up`);
    this.history = [stateOfSnapshot(this.storage.snapshot())];
    // A fixed seed per node and incarnation: election jitter is random yet every run is the same.
    const random = new SeededRandom(this.id * 1000 + this.incarnation++);
    const config: RaftConfig = {
      id: this.id,
      storage: new OnDemandSnapshotStorage(this.storage, () => this.freshSnapshot()),
      electionTicks: this.options.electionTicks,
      heartbeatTicks: this.options.heartbeatTicks,
      random,
      applied: this.applied.index,
      preVote: this.options.preVote,
      checkQuorum: this.options.checkQuorum,
      logger: (line) => this.out.info(line),
      ...(this.options.maxInflightMessages === undefined ? {} : { maxInflightMessages: this.options.maxInflightMessages }),
      ...(this.options.maxMessageBytes === undefined ? {} : { maxMessageBytes: this.options.maxMessageBytes }),
      ...(this.options.maxUncommittedEntriesBytes === undefined ? {} : { maxUncommittedEntriesBytes: this.options.maxUncommittedEntriesBytes }),
    };
    this.rawNode = new RawNode(config);
  }

  /** Handles one Ready (see the file comment); `send` puts messages on the network. */
  processReady(send: (messages: readonly Message[]) => void): void {
    const node = this.node;
    const ready = node.ready();
    this.describeReady(ready);
    send(ready.messagesBeforePersist);
    if (ready.snapshot !== undefined) this.storage.applySnapshot(ready.snapshot);
    this.storage.append(ready.entries);
    if (ready.hardState !== undefined) this.storage.setHardState(ready.hardState);
    send(ready.messages);
    if (ready.snapshot !== undefined) this.history = [stateOfSnapshot(ready.snapshot)];
    for (const entry of ready.committedEntries) this.apply(entry);
    node.advance(ready);
  }

  /**
   * Takes a Ready, does step 1 (sends `messagesBeforePersist`) and crashes before persisting:
   * what the Ready asked to persist is lost with the process (the contract's worst case).
   */
  crashMidReady(send: (messages: readonly Message[]) => void): void {
    const ready = this.node.ready();
    this.describeReady(ready);
    send(ready.messagesBeforePersist);
    this.crash();
  }

  private apply(entry: Entry): void {
    const before = this.applied;
    assert(entry.index === before.index + 1, () => `node ${this.id} applies ${entry.index} after ${before.index}`);
    let { commands, confState } = before;
    if (entry.type === 'normal') {
      if (entry.data.length > 0) commands = [...commands, decoder.decode(entry.data)];
    } else {
      const cc = decodeConfChange(entry.data);
      try {
        confState = this.node.applyConfChange(cc);
      } catch (error) {
        if (!(error instanceof RangedbError)) throw error;
        this.out.info(`${this.id} applying conf change ${fmtConfChange(cc)} at ${entry.index} failed: ${error.message}`);
      }
    }
    this.history.push({ index: entry.index, commands, confState });
  }

  /** Takes a snapshot of the state machine at `index` and compacts the log up to it. */
  compact(index: number): Snapshot {
    const state = this.history.find((s) => s.index === index);
    if (state === undefined) throw new Error(`node ${this.id} cannot snapshot at ${index}: applied ${this.applied.index}, history from ${this.history[0]!.index}`);
    const snapshot = this.storage.createSnapshot(index, state.confState, encoder.encode(state.commands.join(' ')));
    this.storage.compact(index);
    return snapshot;
  }

  /** The state machine as a snapshot at its applied index, if that is past the stored snapshot. */
  private freshSnapshot(): Snapshot | undefined {
    const s = this.applied;
    if (s.index <= this.storage.snapshot().metadata.index) return undefined;
    return { metadata: { index: s.index, term: this.storage.term(s.index), confState: s.confState }, data: encoder.encode(s.commands.join(' ')) };
  }

  describeStateMachine(): string {
    const s = this.applied;
    return `applied=${s.index} ${fmtConfState(s.confState)} data=[${s.commands.join(' ')}]`;
  }

  private describeReady(ready: Ready): void {
    const out = this.out;
    out.debug(`Ready MustSync=${ready.mustSync}:`);
    if (ready.softState !== undefined) out.debug(fmtSoftState(ready.softState));
    if (ready.hardState !== undefined) out.debug(fmtHardState(ready.hardState));
    list(out, 'Entries:', ready.entries.map((e) => fmtEntry(e, decodeConfChange)));
    if (ready.snapshot !== undefined) out.debug(`Snapshot ${fmtSnapshot(ready.snapshot)}`);
    list(out, 'CommittedEntries:', ready.committedEntries.map((e) => fmtEntry(e, decodeConfChange)));
    list(out, 'MessagesBeforePersist:', ready.messagesBeforePersist.map((m) => fmtMessage(m, decodeConfChange)));
    list(out, 'Messages:', ready.messages.map((m) => fmtMessage(m, decodeConfChange)));
    list(out, 'ReadStates:', ready.readStates.map((r) => `Index:${r.index} Context:${fmtData(r.context)}`));
  }
}

function list(out: Output, title: string, lines: readonly string[]): void {
  if (lines.length === 0) return;
  out.debug(title);
  for (const line of lines) out.debug(line);
}

function stateOfSnapshot(snapshot: Snapshot): AppliedState {
  const text = decoder.decode(snapshot.data);
  return { index: snapshot.metadata.index, commands: text === '' ? [] : text.split(' '), confState: snapshot.metadata.confState };
}
