/**
 * The Ready pipeline of a simulated node, as a real replica runs it, cut into events so a crash
 * can strike between its steps:
 *
 *     1. ready(); send messagesBeforePersist; write entries, hard state, snapshot (unsynced)
 *     2. sync (after a disk delay): the writes are durable
 *     3. send messages (a crash may cut the list)        4. apply snapshot, committed entries
 *     5. advance()
 *
 * The checkers are fed where the state they watch changes: leadership at step 1, the persisted
 * log, hard state and commit index at step 2, applied entries and reads at step 4.
 */
import { assert } from '../../base/assert.js';
import { InvalidConfChangeError, decodeConfChange, type Entry, type HardState, type Message, type RaftNodeId, type Ready, type Snapshot } from '../../../kv/raft/index.js';
import type { SeededRandom } from '../../env/random.js';
import { SimViolation, type SafetyChecker } from './checker.js';
import { describeReady, readyFields } from './describe.js';
import type { SimNode } from './node.js';
import type { SimOptions } from './options.js';
import type { Scheduler } from './scheduler.js';
import { StateMachine, entryHash } from './state-machine.js';
import type { Trace } from './trace.js';

/** Where in the Ready pipeline an armed crash strikes. */
export type CrashPoint = 'afterWrite' | 'afterSync' | 'midSend';

export interface ClusterStats {
  readies: number;
  delivered: number;
  lost: number;
  crashes: number;
  crashesInReady: number;
  proposals: number;
  proposalsDropped: number;
  confChangesProposed: number;
  confChangesApplied: number;
  snapshotsInstalled: number;
  compactions: number;
  readsServed: number;
}

export interface PendingRead {
  readonly node: RaftNodeId;
  /** The highest index known committed anywhere when the read was requested. */
  readonly minIndex: number;
}

/** What the pipeline needs of the cluster (cluster.ts implements it). */
export interface PipelineHost {
  readonly options: SimOptions;
  readonly scheduler: Scheduler;
  readonly trace: Trace;
  readonly checker: SafetyChecker;
  readonly random: SeededRandom;
  readonly stats: ClusterStats;
  readonly armedCrashes: ReadonlyMap<RaftNodeId, CrashPoint>;
  readonly appliedValues: Set<number>;
  readonly acknowledged: Set<number>;
  readonly reads: Map<number, PendingRead>;
  readonly now: number;
  send(m: Message): void;
  crashIfArmed(node: SimNode, point: CrashPoint): boolean;
  pump(node: SimNode): void;
}

export class ReadyPipeline {
  constructor(private readonly cluster: PipelineHost) {}

  /** Step 1: take the Ready, send what may go early, write (unsynced). */
  start(node: SimNode): void {
    const ready = node.raw!.ready();
    node.inFlight = ready;
    this.cluster.stats.readies++;
    this.cluster.trace.record(this.cluster.now, readyFields(node.id, ready), () => describeReady(node.id, ready));
    for (const m of ready.messagesBeforePersist) this.cluster.send(m);
    node.disk.write(ready.snapshot, ready.entries, ready.hardState);
    this.observeRole(node, ready);
    if (this.cluster.crashIfArmed(node, 'afterWrite')) return;
    const incarnation = node.incarnation;
    const delay = ready.mustSync ? this.cluster.random.int(this.cluster.options.syncDelayMax + 1) : 0;
    this.cluster.scheduler.schedule(delay, () => {
      if (node.incarnation === incarnation) this.syncReady(node, ready);
    });
  }

  /** Step 2: sync; the Ready's writes are durable. */
  private syncReady(node: SimNode, ready: Ready): void {
    const before = node.disk.durable.initialState().hardState;
    node.disk.sync();
    this.cluster.trace.record(this.cluster.now, [101, node.id], () => `n${node.id} synced`);
    const after = node.disk.durable.initialState().hardState;
    checkHardState(node.id, before, after);
    this.checkPersistedEntries(node, ready.entries);
    this.observeCommit(node);
    if (this.cluster.crashIfArmed(node, 'afterSync')) return;
    const incarnation = node.incarnation;
    this.cluster.scheduler.schedule(this.cluster.random.int(2), () => {
      if (node.incarnation === incarnation) this.finishReady(node, ready);
    });
  }

  /** Steps 3–5: send, apply, advance. */
  private finishReady(node: SimNode, ready: Ready): void {
    const cut = this.cluster.armedCrashes.get(node.id) === 'midSend' ? this.cluster.random.int(ready.messages.length + 1) : -1;
    for (let i = 0; i < ready.messages.length; i++) {
      if (i === cut && this.cluster.crashIfArmed(node, 'midSend')) return;
      this.cluster.send(ready.messages[i]!);
    }
    if (cut === ready.messages.length && this.cluster.crashIfArmed(node, 'midSend')) return;
    if (ready.snapshot !== undefined) {
      this.cluster.stats.snapshotsInstalled++;
      this.restoreMachine(node, ready.snapshot, 'installed snapshot');
    }
    for (const entry of ready.committedEntries) this.apply(node, entry);
    for (const readState of ready.readStates) this.checkRead(node, readState.index, readState.context);
    node.raw!.advance(ready);
    node.inFlight = undefined;
    this.cluster.pump(node);
  }

  /** Keeps the node's role and term, and feeds leadership changes to the checkers. */
  private observeRole(node: SimNode, ready: Ready): void {
    const wasLeader = node.role === 'leader';
    const previousTerm = node.term;
    if (ready.hardState !== undefined) node.term = ready.hardState.term;
    if (ready.softState !== undefined) node.role = ready.softState.role;
    const isLeader = node.role === 'leader';
    if (wasLeader && (!isLeader || node.term !== previousTerm)) this.cluster.checker.leaderGone(node.id);
    if (isLeader && (!wasLeader || node.term !== previousTerm)) {
      this.cluster.checker.leaderElected(node.id, node.term, (index) => node.disk.slotAt(index));
    }
  }

  private checkPersistedEntries(node: SimNode, entries: readonly Entry[]): void {
    const disk = node.disk;
    const first = disk.durable.firstIndex();
    for (const entry of entries) {
      if (entry.index < first) continue; // below a snapshot installed since: ignored by storage
      const previousTerm = disk.durableTerm(entry.index - 1);
      assert(previousTerm !== undefined, 'the entry before a stored entry has a term');
      this.cluster.checker.persisted(node.id, entry.index, entry.term, entryHash(entry), previousTerm);
    }
  }

  /** Entries up to the durable commit index are committed: tell the checker about new ones. */
  private observeCommit(node: SimNode): void {
    const hs = node.disk.durable.initialState().hardState;
    for (let index = node.commitChecked + 1; index <= hs.commit; index++) {
      const slot = node.disk.slotAt(index);
      if (slot === 'compacted') continue;
      if (slot === 'missing') {
        throw new SimViolation('durability', `node ${node.id} persisted commit index ${hs.commit} beyond its persisted log (last ${node.disk.durable.lastIndex()})`);
      }
      this.cluster.checker.committed(node.id, hs.term, index, slot.term, slot.hash, 'persisted as committed');
    }
    node.commitChecked = Math.max(node.commitChecked, hs.commit);
  }

  restoreMachine(node: SimNode, snapshot: Snapshot, how: string): void {
    const index = snapshot.metadata.index;
    node.machine = StateMachine.decode(snapshot.data, index);
    node.confState = snapshot.metadata.confState;
    for (let i = 1; i <= index; i++) {
      this.cluster.checker.committed(node.id, node.term, i, node.machine.termAt(i), node.machine.hashAt(i), how);
      const value = node.machine.valueAt(i);
      if (value !== 0) this.noteApplied(node, value);
    }
    this.cluster.trace.record(this.cluster.now, [102, node.id, index], () => `n${node.id} state machine ${how} at ${index}`);
  }

  private apply(node: SimNode, entry: Entry): void {
    const expected = node.machine.appliedIndex + 1;
    if (entry.index !== expected) {
      throw new SimViolation('apply order', `node ${node.id} was handed index ${entry.index} to apply, expected ${expected}`);
    }
    if (entry.type === 'confChange') this.applyConfChange(node, entry);
    const value = node.machine.apply(entry);
    this.cluster.checker.committed(node.id, node.term, entry.index, entry.term, entryHash(entry), 'applied');
    if (value !== 0) this.noteApplied(node, value);
  }

  private applyConfChange(node: SimNode, entry: Entry): void {
    const change = decodeConfChange(entry.data);
    const wasMember = node.isMemberOf(node.confState);
    try {
      node.confState = node.raw!.applyConfChange(change);
      this.cluster.stats.confChangesApplied++;
    } catch (error) {
      if (!(error instanceof InvalidConfChangeError)) throw error;
      this.cluster.trace.note(this.cluster.now, `n${node.id} conf change at ${entry.index} is a no-op: ${error.message}`);
    }
    const cs = node.confState;
    const retiring = wasMember && !node.isMemberOf(cs);
    if (retiring) node.removedAt = entry.index;
    this.cluster.trace.record(this.cluster.now, [103, node.id, entry.index, cs.voters.length, cs.learners.length, cs.votersOutgoing.length], () =>
      `n${node.id} applied conf change at ${entry.index}${retiring ? ' and is removed' : ''}: voters [${cs.voters.join(' ')}]${cs.votersOutgoing.length > 0 ? ` && [${cs.votersOutgoing.join(' ')}]` : ''} learners [${cs.learners.join(' ')}]${cs.learnersNext.length > 0 ? ` next [${cs.learnersNext.join(' ')}]` : ''}`,
    );
  }

  private noteApplied(node: SimNode, value: number): void {
    this.cluster.appliedValues.add(value);
    if (node.awaiting.delete(value)) this.cluster.acknowledged.add(value);
  }

  /** Linearizability of read index: the index covers everything committed before the request. */
  private checkRead(node: SimNode, index: number, context: Uint8Array): void {
    const readId = new DataView(context.buffer, context.byteOffset, context.byteLength).getUint32(0);
    const pending = this.cluster.reads.get(readId);
    if (pending === undefined || pending.node !== node.id) return;
    this.cluster.reads.delete(readId);
    this.cluster.stats.readsServed++;
    if (index < pending.minIndex) {
      throw new SimViolation('read index', `read ${readId} on node ${node.id} got index ${index}, but index ${pending.minIndex} was committed before it was requested`);
    }
  }
}

/** Durable hard state: the term never goes back, a vote is never changed within a term, commit never goes back. */
function checkHardState(node: RaftNodeId, before: HardState, after: HardState): void {
  if (after.term < before.term) throw new SimViolation('durability', `node ${node} persisted term ${after.term} after term ${before.term}`);
  if (after.term === before.term && before.vote !== 0 && after.vote !== before.vote) {
    throw new SimViolation('election safety', `node ${node} changed its vote in term ${after.term} from ${before.vote} to ${after.vote}`);
  }
  if (after.commit < before.commit) throw new SimViolation('durability', `node ${node} persisted commit ${after.commit} after commit ${before.commit}`);
}
