/**
 * `RawNode`: the application's handle on one Raft node (etcd's `RawNode`). Inputs are method
 * calls; outputs accumulate until the application asks for them as a `Ready`, does what it says
 * and calls `advance`. Nothing here blocks, sleeps, reads a clock or does I/O.
 *
 * Persistence model: the application persists a whole Ready (and syncs when `mustSync`) before
 * sending `messages` and before calling `advance`. Committed entries may include entries of the
 * same Ready's `entries`: they are applied after step 2 persisted them. The leader's own
 * entries count toward the commit index only when `advance` confirms them persisted — except
 * in a group whose only member is the leader, which commits them in the Ready that hands them
 * out for persisting (`Raft.commitAsSoleMember`): no one else can learn that commit index, and
 * the application applies them only once that Ready is persisted.
 */
import { assert } from '../../src/base/assert.js';
import { resolveConfig, type RaftConfig } from './config.js';
import { encodeConfChange } from './confchange-codec.js';
import { hup, tickElection } from './election.js';
import { InvalidConfChangeError, ProposalDroppedError } from './errors.js';
import { maybeAutoLeave } from './propose.js';
import { Raft, type RoleTable } from './raft.js';
import type { ProgressStatus, RaftStatus, Ready } from './ready.js';
import { flushAppends, reduceUncommittedSize } from './replicate.js';
import { stepCandidate } from './step-candidate.js';
import { stepFollower } from './step-follower.js';
import { leaderReportSnapshot, leaderReportUnreachable, stepLeader, tickHeartbeat } from './step-leader.js';
import { noNode, type ConfChange, type ConfState, type HardState, type Message, type MessageType, type RaftNodeId, type SoftState } from './types.js';

const roles: RoleTable = Object.freeze({
  follower: { step: stepFollower, tick: tickElection },
  preCandidate: { step: stepCandidate, tick: tickElection },
  candidate: { step: stepCandidate, tick: tickElection },
  leader: { step: stepLeader, tick: tickHeartbeat },
});

/** Replies a node only makes sense of from a member it tracks. */
const responseTypes: ReadonlySet<MessageType> = new Set<MessageType>(['MsgAppResp', 'MsgVoteResp', 'MsgPreVoteResp', 'MsgHeartbeatResp']);

const noEntries: readonly never[] = Object.freeze([]);

function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export class RawNode {
  private readonly raft: Raft;
  /** The soft and hard state as of the last Ready handed out (the hard state: persisted). */
  private prevSoftState: SoftState;
  private prevHardState: HardState;
  /** The Ready handed out and not yet advanced. */
  private outstanding: Ready | undefined = undefined;

  /** Builds a node from its storage (a restart), as a follower with no leader. */
  constructor(config: RaftConfig) {
    this.raft = new Raft(resolveConfig(config), roles);
    this.prevSoftState = this.raft.softState();
    this.prevHardState = this.raft.hardState();
  }

  get id(): RaftNodeId {
    return this.raft.id;
  }

  /** Advances the logical clock by one tick (election and heartbeat timers). */
  tick(): void {
    this.raft.tick();
  }

  /**
   * Campaigns now (with a pre-vote round if configured), as if the election timer fired; ignored
   * (logged) by a leader, a learner, or a node with conf changes committed but not applied.
   */
  campaign(): void {
    hup(this.raft, this.raft.config.preVote ? 'preElection' : 'election');
  }

  /**
   * Proposes a command. Appended at the leader, forwarded by a follower. Throws
   * `ProposalDroppedError` if refused here; a forwarded proposal may still be dropped at the
   * leader silently — the caller learns by not seeing it applied and reproposes.
   */
  propose(data: Uint8Array): void {
    this.raft.step({ type: 'MsgProp', from: this.raft.id, to: this.raft.id, term: 0, entries: [{ term: 0, index: 0, type: 'normal', data }] });
  }

  /**
   * Proposes a membership change (see `ConfChange`). Besides `propose`'s refusals, a leader
   * throws `ProposalDroppedError` with `confChangePending` while an earlier change is unapplied,
   * `jointConfig`/`notJoint` for a change that does not fit the joint state, and
   * `invalidConfChange` for a change the current configuration cannot take. Apply it, once
   * committed, with `applyConfChange`.
   */
  proposeConfChange(cc: ConfChange): void {
    let data: Uint8Array;
    try {
      data = encodeConfChange(cc);
    } catch (error) {
      if (error instanceof InvalidConfChangeError) throw new ProposalDroppedError('invalidConfChange', error.message);
      throw error;
    }
    this.raft.step({ type: 'MsgProp', from: this.raft.id, to: this.raft.id, term: 0, entries: [{ term: 0, index: 0, type: 'confChange', data }] });
  }

  /** Steps a message received from the network (addressed to this node). */
  step(m: Message): void {
    assert(m.to === this.raft.id, () => `message for ${m.to} stepped into ${this.raft.id}`);
    assert(m.from !== this.raft.id, () => `${this.raft.id} stepped a message from itself`);
    if (responseTypes.has(m.type) && !this.raft.tracker.progress.has(m.from)) {
      this.raft.log(`${this.raft.id} [term ${this.raft.term}] ignored ${m.type} from unknown node ${m.from}`);
      return;
    }
    this.raft.step(m);
  }

  /** Asks the leader (directly, or through this follower) to hand leadership to `transferee`. */
  transferLeadership(transferee: RaftNodeId): void {
    assert(transferee !== noNode, 'transfer leadership to node 0');
    this.raft.step({ type: 'MsgTransferLeader', from: this.raft.id, to: this.raft.id, term: 0, transferee });
  }

  /**
   * Requests a linearizable read. When confirmed, a `ReadState` with the same `context` appears
   * in a Ready: serve the read once applied up to its index. Contexts must be unique among
   * pending requests. Throws `ProposalDroppedError('noLeader')` if no leader is known; a request
   * lost on the way is never answered (retry on a timeout).
   */
  readIndex(context: Uint8Array): void {
    this.raft.step({ type: 'MsgReadIndex', from: this.raft.id, to: this.raft.id, term: 0, context });
  }

  /**
   * Applies a committed conf change entry's change (decode it with `decodeConfChange`) and
   * returns the new configuration, to persist with the applied state. Must be called for every
   * conf change entry, in log order. Throws `InvalidConfChangeError` (configuration unchanged)
   * for a change that cannot apply; every replica then does, so treat the entry as a no-op.
   */
  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  /** The transport failed to deliver to `id`: the leader stops pipelining to it and probes. */
  reportUnreachable(id: RaftNodeId): void {
    leaderReportUnreachable(this.raft, id);
  }

  /**
   * How sending a snapshot to `id` ended. Every `MsgSnap` handed out must be reported once the
   * transport knows: `finish` when it was delivered, `failure` when it was not. Until then the
   * leader sends that follower nothing but heartbeats (etcd's contract); if the follower's
   * reply to the snapshot is lost, only the `finish` report gets replication going again.
   */
  reportSnapshot(id: RaftNodeId, status: 'finish' | 'failure'): void {
    leaderReportSnapshot(this.raft, id, status);
  }

  /**
   * Whether there is work for the application. False while a Ready is outstanding (handed out
   * and not advanced): the next one starts after `advance`.
   */
  hasReady(): boolean {
    if (this.outstanding !== undefined) return false;
    const r = this.raft;
    const soft = r.softState();
    if (soft.leader !== this.prevSoftState.leader || soft.role !== this.prevSoftState.role) return true;
    if (!hardStateEqual(r.hardState(), this.prevHardState)) return true;
    if (r.raftLog.hasPendingSnapshot() || r.raftLog.hasNextUnstableEntries() || r.raftLog.hasNextCommittedEntries()) return true;
    return r.msgs.length > 0 || r.readStates.length > 0;
  }

  /** Hands out the accumulated work; asserts no Ready is outstanding. */
  ready(): Ready {
    assert(this.outstanding === undefined, 'ready() called again before advance()');
    const r = this.raft;
    flushAppends(r); // the proposals batched since the last Ready
    r.commitAsSoleMember(); // a group of one commits what it persists in this Ready
    const soft = r.softState();
    const hard = r.hardState();
    const prevHard = this.prevHardState;
    const softChanged = soft.leader !== this.prevSoftState.leader || soft.role !== this.prevSoftState.role;
    const hardChanged = !hardStateEqual(hard, prevHard);
    const entries = r.raftLog.hasNextUnstableEntries() ? r.raftLog.nextUnstableEntries() : noEntries;
    const snapshot = r.raftLog.unstable.snapshot;
    const committedEntries = r.raftLog.hasNextCommittedEntries() ? r.raftLog.nextCommittedEntries(r.config.maxMessageBytes) : noEntries;
    const messagesBeforePersist: Message[] = [];
    const messages: Message[] = [];
    for (const m of r.msgs) {
      // A leader's appends and heartbeats may go early, but only at a term already durable here:
      // a leader that crashed before persisting its term must not have spoken in it.
      if ((m.type === 'MsgApp' || m.type === 'MsgHeartbeat') && m.term === prevHard.term) messagesBeforePersist.push(m);
      else messages.push(m);
    }
    const ready: Ready = Object.freeze({
      softState: softChanged ? soft : undefined,
      hardState: hardChanged ? hard : undefined,
      readStates: r.readStates,
      entries,
      snapshot,
      committedEntries,
      messagesBeforePersist,
      messages,
      mustSync: entries.length > 0 || snapshot !== undefined || hard.term !== prevHard.term || hard.vote !== prevHard.vote,
    });
    assert(hard.commit <= r.raftLog.lastIndex(), 'the commit index lies within the log handed out');
    for (let i = 1; i < entries.length; i++) assert(entries[i]!.index === entries[i - 1]!.index + 1, 'Ready entries are contiguous');
    if (committedEntries.length > 0) {
      const last = committedEntries[committedEntries.length - 1]!;
      assert(last.index <= r.raftLog.lastIndex(), 'committed entries never pass the log handed out for persisting');
      assert(committedEntries[0]!.index === r.raftLog.applied + 1, 'committed entries continue from the applied index');
    }
    r.msgs = [];
    r.readStates = [];
    this.prevSoftState = soft;
    this.prevHardState = hard;
    this.outstanding = ready;
    return ready;
  }

  /**
   * The application did everything `ready` asked: persisted, sent, applied. Unstable entries up
   * to the Ready's last become stable, the applied index moves to its last committed entry, and
   * a leader counts its newly persisted entries toward the commit index (which may queue
   * appends carrying the new commit index for the next Ready).
   */
  advance(ready: Ready): void {
    assert(ready === this.outstanding, 'advance() takes the Ready last handed out');
    this.outstanding = undefined;
    const r = this.raft;
    const lastEntry = ready.entries[ready.entries.length - 1];
    if (lastEntry !== undefined) r.raftLog.stableTo(lastEntry.index, lastEntry.term);
    if (ready.snapshot !== undefined) {
      r.raftLog.stableSnapTo(ready.snapshot.metadata.index);
      r.appliedTo(ready.snapshot.metadata.index);
    }
    const lastCommitted = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastCommitted !== undefined) {
      r.appliedTo(lastCommitted.index);
      reduceUncommittedSize(r, ready.committedEntries);
    }
    if (r.role === 'leader' && lastEntry !== undefined) {
      // The leader acknowledges its own persisted entries, as a follower would by MsgAppResp.
      r.step({ type: 'MsgAppResp', from: r.id, to: r.id, term: r.term, index: r.raftLog.persistedLastIndex(), reject: false, rejectHint: 0, logTerm: 0 });
    }
    if (lastCommitted !== undefined) maybeAutoLeave(r);
  }

  /** A snapshot of the node's state for observability and tests. */
  status(): RaftStatus {
    const r = this.raft;
    let progress: Map<RaftNodeId, ProgressStatus> | undefined;
    if (r.role === 'leader') {
      progress = new Map();
      for (const id of r.tracker.ids()) {
        const pr = r.tracker.progress.get(id)!;
        progress.set(id, {
          match: pr.match,
          next: pr.next,
          state: pr.state,
          isLearner: pr.isLearner,
          recentActive: pr.recentActive,
          paused: pr.isPaused(),
          pendingSnapshot: pr.pendingSnapshot,
          inflight: pr.inflights.count(),
        });
      }
    }
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.raftLog.committed,
      applied: r.raftLog.applied,
      role: r.role,
      leader: r.lead,
      lastIndex: r.raftLog.lastIndex(),
      leadTransferee: r.leadTransferee,
      config: r.tracker.confState(),
      progress,
    };
  }

  /**
   * Whether this group may stop ticking (quiesce) — the multi-Raft layer's hook for idle ranges.
   * True only for a leader with nothing in motion: every member matches its last index, all is
   * committed and applied, no reads, transfer or automatic leave pending. The caller then sends
   * a last heartbeat so that followers learn the commit index, and wakes the group on any input.
   */
  isQuiescable(): boolean {
    const r = this.raft;
    if (r.role !== 'leader' || r.leadTransferee !== noNode) return false;
    if (r.readOnly.pendingCount() > 0 || r.pendingReadIndexMessages.length > 0) return false;
    const last = r.raftLog.lastIndex();
    if (r.raftLog.committed !== last || r.raftLog.applied !== last || r.raftLog.hasNextUnstableEntries()) return false;
    if (r.tracker.config.autoLeave) return false;
    for (const id of r.tracker.ids()) {
      if (r.tracker.progress.get(id)!.match !== last) return false;
    }
    return true;
  }
}
