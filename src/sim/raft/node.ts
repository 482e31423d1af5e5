/**
 * One simulated node: a `RawNode` over a `SimDisk`, a volatile `StateMachine`, and the Ready
 * pipeline of a real replica, cut into events on virtual time so a crash can strike between its
 * steps:
 *
 *     ready()  ─► send messagesBeforePersist ─► write (volatile) ─┐ syncDelay
 *     ┌───────────────────────────────────────────────────────────┘
 *     └► sync (durable) ─┐ 0..1            a crash anywhere before `sync` loses the write;
 *     ┌──────────────────┘                 after it, loses unsent messages and the applied state
 *     └► send messages ─► apply committedEntries ─► advance()
 *
 * While a Ready is in flight the node is busy: inputs (messages, ticks, client requests) wait
 * in an inbox and are stepped, in arrival order, once `advance()` has run. A crash loses the
 * unsynced writes, the inbox, the state machine and the RawNode; `restart` reopens from the
 * durable state only (the state machine from the durable snapshot, Raft re-hands the committed
 * entries after it).
 *
 * The node does the I/O; the cluster (cluster.ts) decides what happens when, and checks.
 */
import { assert } from '../../base/assert.js';
import {
  OnDemandSnapshotStorage,
  RawNode,
  type ConfChange,
  type ConfState,
  type Message,
  type RaftNodeId,
  type Ready,
  type Snapshot,
} from '../../../kv/raft/index.js';
import { SeededRandom } from '../../env/random.js';
import { SimDisk } from './disk.js';
import type { SimOptions } from './options.js';
import { StateMachine } from './state-machine.js';

/** An input a node steps; queued while a Ready is in flight. */
export type NodeInput =
  | { readonly kind: 'message'; readonly message: Message }
  | { readonly kind: 'tick' }
  | { readonly kind: 'propose'; readonly value: number; readonly data: Uint8Array }
  | { readonly kind: 'confChange'; readonly change: ConfChange; readonly label: string }
  | { readonly kind: 'transfer'; readonly transferee: RaftNodeId }
  | { readonly kind: 'campaign' }
  | { readonly kind: 'readIndex'; readonly readId: number }
  | { readonly kind: 'reportSnapshot'; readonly peer: RaftNodeId; readonly ok: boolean }
  | { readonly kind: 'reportUnreachable'; readonly peer: RaftNodeId };

/** `retired`: removed from the group and destroyed (replica GC); never restarted. */
export type NodeStatus = 'up' | 'down' | 'retired';

export class SimNode {
  readonly disk = new SimDisk();
  status: NodeStatus = 'down';
  /** Bumped by every crash; events of an earlier incarnation are ignored. */
  incarnation = 0;
  raw: RawNode | undefined;
  machine = new StateMachine();
  /** The configuration as of the applied index. */
  confState: ConfState;
  /** A Ready between `ready()` and `advance()`. */
  inFlight: Ready | undefined;
  readonly inbox: NodeInput[] = [];
  /** The role and term this node last reported (for the checkers' leader bookkeeping). */
  role = 'follower';
  term = 0;
  /** The index of the conf change that removed this node, once applied here (0: not removed). */
  removedAt = 0;
  /** The highest durable commit index the checkers have seen entries for. */
  commitChecked = 0;
  /** Values this incarnation proposed and has not applied yet (the client waits on them). */
  readonly awaiting = new Set<number>();

  constructor(
    readonly id: RaftNodeId,
    private readonly options: SimOptions,
  ) {
    this.confState = this.disk.durable.initialState().confState;
  }

  get isUp(): boolean {
    return this.status === 'up';
  }

  /** Opens the node from its durable state (first start or restart after a crash). */
  start(logger: (line: string) => void): void {
    assert(this.status === 'down', () => `node ${this.id} started twice`);
    const durable = this.disk.durable;
    const snapshot = durable.snapshot();
    this.machine = StateMachine.decode(snapshot.data, snapshot.metadata.index);
    this.confState = durable.initialState().confState;
    this.term = durable.initialState().hardState.term;
    this.removedAt = 0;
    this.role = 'follower';
    this.raw = new RawNode({
      id: this.id,
      storage: new OnDemandSnapshotStorage(durable, () => {
        this.refreshSnapshot();
        return undefined; // refreshed into `durable`, which answers
      }),
      electionTicks: this.options.electionTicks,
      heartbeatTicks: this.options.heartbeatTicks,
      random: new SeededRandom(this.options.seed * 1_000_003 + this.id * 7_919 + this.incarnation),
      applied: snapshot.metadata.index,
      maxMessageBytes: this.options.maxMessageBytes,
      maxInflightMessages: this.options.maxInflightMessages,
      maxUncommittedEntriesBytes: this.options.maxUncommittedEntriesBytes,
      preVote: this.options.preVote,
      checkQuorum: this.options.checkQuorum,
      logger,
    });
    this.status = 'up';
  }

  /** The process dies: unsynced writes, the inbox, the RawNode and the state machine are lost. */
  crash(): number {
    assert(this.status === 'up', () => `node ${this.id} crashed while down`);
    this.status = 'down';
    this.incarnation++;
    this.raw = undefined;
    this.inFlight = undefined;
    this.inbox.length = 0;
    this.awaiting.clear();
    this.role = 'follower';
    return this.disk.crash();
  }

  /** Destroys a node that applied its own removal; it never comes back (ids are not reused). */
  retire(): void {
    if (this.status === 'up') this.crash();
    this.status = 'retired';
  }

  /** Writes a bootstrap snapshot to the durable disk (before the first start). */
  bootstrap(snapshot: Snapshot, term: number): void {
    this.disk.durable.applySnapshot(snapshot);
    this.disk.durable.setHardState({ term, vote: 0, commit: snapshot.metadata.index });
    this.confState = snapshot.metadata.confState;
  }

  /** Whether the node is a member (voter, learner, or either while joint) in its applied config. */
  isMemberOf(confState: ConfState): boolean {
    return (
      confState.voters.includes(this.id) ||
      confState.learners.includes(this.id) ||
      confState.votersOutgoing.includes(this.id) ||
      confState.learnersNext.includes(this.id)
    );
  }

  /**
   * Brings the durable snapshot up to the applied index, so a snapshot sent to a new member
   * has a configuration that includes it (CockroachDB generates snapshots on demand, from the
   * applied state). Applied entries are durable, so the snapshot covers only durable state.
   */
  refreshSnapshot(): void {
    const durable = this.disk.durable;
    const applied = this.machine.appliedIndex;
    if (applied > durable.snapshot().metadata.index) durable.createSnapshot(applied, this.confState, this.machine.encode(applied));
  }

  /**
   * Records a snapshot of the state machine at the applied index and compacts the log up to
   * `keep` entries below it (the low-water mark moves up; followers behind it get the snapshot).
   */
  compact(keep: number): { snapshotIndex: number; compactIndex: number } | undefined {
    assert(this.status === 'up' && this.inFlight === undefined, 'compacting a busy or down node');
    const durable = this.disk.durable;
    this.refreshSnapshot();
    const snapshotIndex = durable.snapshot().metadata.index;
    const compactIndex = snapshotIndex - keep;
    if (compactIndex <= durable.firstIndex() - 1) return undefined;
    durable.compact(compactIndex);
    return { snapshotIndex, compactIndex };
  }
}
