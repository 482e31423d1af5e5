/**
 * `Raft`: one node's consensus state and the logic every role shares — role transitions, the
 * term rules of every incoming message (the generation clock), vote granting, snapshot restore
 * and membership switches. What a message means in a given role is the role's step function
 * (step-leader.ts, step-candidate.ts, step-follower.ts), swapped on each transition; so is what
 * a tick means (election timer for followers and candidates, heartbeat timer for leaders).
 *
 *                     times out, campaigns                      wins a quorum
 *     follower ─────────────────────────► (pre-)candidate ─────────────────────► leader
 *        ▲ ▲                                   │                                   │
 *        │ └──── hears a leader / higher term ─┘                                   │
 *        └──────────── higher term, lost quorum (check-quorum), removed ───────────┘
 *
 * The step functions are injected (see rawnode.ts) rather than imported so that they can use
 * this class without an import cycle.
 */
import { assert } from '../../src/base/assert.js';
import { RangedbError } from '../../src/base/errors.js';
import type { ResolvedRaftConfig } from './config.js';
import { applyConfChangeTo, checkConfigInvariants } from './confchange.js';
import { ProposalDroppedError, type ProposalDropReason } from './errors.js';
import { RaftLog } from './log.js';
import { ReadOnly } from './read-only.js';
import { releasePendingReadIndexMessages } from './read-index.js';
import { appendEntries, bcastAppend, maybeCommit, maybeSendAppend, send } from './replicate.js';
import type { RaftState } from './state.js';
import { Progress } from './progress.js';
import { ProgressTracker, confStateToConfig, describeConfig, type TrackerConfig } from './tracker.js';
import {
  noNode,
  type ConfChange,
  type ConfState,
  type HardState,
  type Message,
  type RaftNodeId,
  type RaftRole,
  type ReadIndexMessage,
  type ReadState,
  type Snapshot,
  type SoftState,
  type VoteMessage,
} from './types.js';

/** What a role does with a message and with a tick. */
export interface RoleBehaviour {
  readonly step: (r: Raft, m: Message) => void;
  readonly tick: (r: Raft) => void;
}

export type RoleTable = Readonly<Record<RaftRole, RoleBehaviour>>;

export class Raft implements RaftState {
  readonly id: RaftNodeId;
  readonly config: ResolvedRaftConfig;
  readonly raftLog: RaftLog;
  readonly tracker: ProgressTracker;
  term = 0;
  vote: RaftNodeId = noNode;
  lead: RaftNodeId = noNode;
  role: RaftRole = 'follower';
  readOnly = new ReadOnly();
  pendingReadIndexMessages: ReadIndexMessage[] = [];
  readStates: ReadState[] = [];
  msgs: Message[] = [];
  leadTransferee: RaftNodeId = noNode;
  uncommittedSize = 0;
  pendingConfIndex = 0;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  /** Drawn from `[electionTicks, 2 * electionTicks)` at every reset. */
  randomizedElectionTimeout: number;
  private readonly roles: RoleTable;

  constructor(config: ResolvedRaftConfig, roles: RoleTable) {
    this.id = config.id;
    this.config = config;
    this.roles = roles;
    this.raftLog = new RaftLog(config.storage);
    this.tracker = new ProgressTracker(config.maxInflightMessages);
    this.randomizedElectionTimeout = config.electionTicks;
    const { hardState, confState } = config.storage.initialState();
    this.tracker.applyConfig(validConfig(confState), this.raftLog.lastIndex());
    this.log(`${this.id} switched to configuration ${describeConfig(this.tracker.config)}`);
    this.loadState(hardState);
    if (config.applied !== undefined) {
      assert(config.applied >= this.raftLog.firstIndex() - 1, () => `applied ${config.applied} is below the snapshot at ${this.raftLog.firstIndex() - 1}`);
      // Only committed entries are ever applied, but a crash may keep an applied state newer
      // than the hard state's commit index: the storage must forward the commit it reports
      // (kv/replica/raft-log.ts, "The commit index after a crash").
      assert(config.applied <= this.raftLog.committed, () => `applied ${config.applied} beyond committed ${this.raftLog.committed}: the storage's hard state must carry a commit index forwarded to the applied index`);
      this.raftLog.appliedTo(config.applied);
    }
    this.becomeFollower(this.term, noNode);
    const last = this.raftLog.lastEntryId();
    this.log(
      `${this.id} newRaft [peers: [${this.tracker.voterIds().join(',')}], term: ${this.term}, commit: ${this.raftLog.committed}, applied: ${this.raftLog.applied}, lastindex: ${last.index}, lastterm: ${last.term}]`,
    );
  }

  log(line: string): void {
    this.config.logger?.(line);
  }

  private loadState(hs: HardState): void {
    const last = this.raftLog.lastIndex();
    assert(hs.commit <= last, () => `${this.id} state.commit ${hs.commit} is out of range [${this.raftLog.committed}, ${last}]`);
    this.raftLog.commitTo(hs.commit);
    this.term = hs.term;
    this.vote = hs.vote;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  softState(): SoftState {
    return { leader: this.lead, role: this.role };
  }

  // ── role transitions ──────────────────────────────────────────────────────────────────────

  private reset(term: number): void {
    if (this.term !== term) {
      assert(term > this.term, () => `${this.id} term moves back from ${this.term} to ${term}`);
      this.term = term;
      this.vote = noNode;
    }
    this.lead = noNode;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.tracker.resetVotes();
    const next = this.raftLog.lastIndex() + 1;
    for (const id of this.tracker.ids()) {
      const old = this.tracker.progress.get(id)!;
      this.tracker.progress.set(id, new Progress(0, next, this.config.maxInflightMessages, old.isLearner));
    }
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.readOnly = new ReadOnly();
    this.pendingReadIndexMessages = [];
  }

  becomeFollower(term: number, lead: RaftNodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
    this.log(`${this.id} became follower at term ${this.term}`);
  }

  /** A pre-candidate polls for the next term without moving to it (term and vote unchanged). */
  becomePreCandidate(): void {
    assert(this.role !== 'leader', 'invalid transition [leader -> pre-candidate]');
    this.tracker.resetVotes();
    this.lead = noNode;
    this.role = 'preCandidate';
    this.log(`${this.id} became pre-candidate at term ${this.term}`);
  }

  becomeCandidate(): void {
    assert(this.role !== 'leader', 'invalid transition [leader -> candidate]');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
    this.log(`${this.id} became candidate at term ${this.term}`);
  }

  /**
   * Takes leadership of the term: every follower is probed from our last index, and an empty
   * entry of the new term is appended — committing it commits everything before it (Raft §5.4.2)
   * and is how the leader learns the true commit index.
   */
  becomeLeader(): void {
    assert(this.role !== 'follower', 'invalid transition [follower -> leader]');
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    const self = this.tracker.progress.get(this.id);
    assert(self !== undefined, () => `${this.id} becomes leader without being a member`);
    // Our own match counts only what is persisted; advance() raises it as more is.
    self.match = this.raftLog.persistedLastIndex();
    self.becomeReplicate();
    self.next = this.raftLog.lastIndex() + 1;
    self.recentActive = true;
    // There may be an unapplied conf change in the log; refuse new ones until all is applied.
    this.pendingConfIndex = this.raftLog.lastIndex();
    const appended = appendEntries(this, [{ type: 'normal', data: new Uint8Array(0) }]);
    assert(appended, 'the empty election entry is never refused');
    this.log(`${this.id} became leader at term ${this.term}`);
  }

  private resetRandomizedElectionTimeout(): void {
    const jitter = this.config.random.int(this.config.electionTicks);
    assert(Number.isSafeInteger(jitter) && jitter >= 0 && jitter < this.config.electionTicks, () => `random.int(${this.config.electionTicks}) returned ${jitter}`);
    this.randomizedElectionTimeout = this.config.electionTicks + jitter;
  }

  pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = noNode;
  }

  /** A voter with no snapshot pending can campaign; learners and non-members cannot. */
  promotable(): boolean {
    const self = this.tracker.progress.get(this.id);
    return self !== undefined && !self.isLearner && !this.raftLog.hasPendingSnapshot();
  }

  /** Whether committed entries not yet applied include a conf change (then no campaigning). */
  hasUnappliedConfChanges(): boolean {
    if (this.raftLog.applied >= this.raftLog.committed) return false;
    const entries = this.raftLog.slice(this.raftLog.applied + 1, this.raftLog.committed + 1, Number.MAX_SAFE_INTEGER);
    return entries.some((e) => e.type === 'confChange');
  }

  /**
   * Refuses a proposal or read: a local one (from this node's own API) throws; one forwarded by
   * another node is dropped with a log line, since there is no one to throw to.
   */
  dropRequest(m: Message, reason: ProposalDropReason, detail?: string): void {
    if (m.from === this.id) throw new ProposalDroppedError(reason, detail);
    this.log(`${this.id} [term ${this.term}] dropped ${m.type} from ${m.from}: ${reason}${detail === undefined ? '' : ` (${detail})`}`);
  }

  // ── ticks and messages ────────────────────────────────────────────────────────────────────

  tick(): void {
    this.roles[this.role].tick(this);
  }

  /**
   * Steps a message: first the term rules every role shares, then vote requests, then the
   * role's own step function. Local requests (proposals, reads, transfers from this node's API)
   * and forwarded proposals and reads carry term 0 and skip the term rules.
   */
  step(m: Message): void {
    if (m.term === 0) {
      if (m.type !== 'MsgProp' && m.type !== 'MsgReadIndex' && !(m.type === 'MsgTransferLeader' && m.from === this.id)) {
        this.log(`${this.id} [term: ${this.term}] ignored a ${m.type} message without a term from ${m.from}`);
        return;
      }
    } else if (m.term > this.term) {
      if (!this.stepHigherTerm(m)) return;
    } else if (m.term < this.term) {
      this.stepLowerTerm(m);
      return;
    }
    if (m.type === 'MsgVote' || m.type === 'MsgPreVote') {
      this.handleVoteRequest(m);
      return;
    }
    this.roles[this.role].step(this, m);
  }

  /** A message from a later term. Returns false if it is to be ignored. */
  private stepHigherTerm(m: Message): boolean {
    if (m.type === 'MsgVote' || m.type === 'MsgPreVote') {
      // The leader lease: a follower that heard from a leader within the election timeout
      // ignores campaigns, so a node rejoining from a partition cannot depose a working leader.
      // A leadership transfer's campaign is wanted, so it goes through.
      const inLease = this.config.checkQuorum && this.lead !== noNode && this.electionElapsed < this.config.electionTicks;
      if (!m.transfer && inLease) {
        const last = this.raftLog.lastEntryId();
        this.log(
          `${this.id} [logterm: ${last.term}, index: ${last.index}, vote: ${this.vote}] ignored ${m.type} from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}: lease is not expired (remaining ticks: ${this.config.electionTicks - this.electionElapsed})`,
        );
        return false;
      }
    }
    if (m.type === 'MsgPreVote') return true; // a pre-vote never moves our term
    if (m.type === 'MsgPreVoteResp' && !m.reject) return true; // the term moves when the pre-vote is won
    this.log(`${this.id} [term: ${this.term}] received a ${m.type} message with higher term from ${m.from} [term: ${m.term}]`);
    const fromLeader = m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap';
    this.becomeFollower(m.term, fromLeader ? m.from : noNode);
    return true;
  }

  private stepLowerTerm(m: Message): void {
    if ((this.config.checkQuorum || this.config.preVote) && (m.type === 'MsgHeartbeat' || m.type === 'MsgApp')) {
      // A stale leader (cut off while the others moved on) would never learn the new term from
      // us otherwise: with check-quorum or pre-vote nobody campaigns against it at a higher
      // term. This response carries our term, and makes it step down.
      send(this, { type: 'MsgAppResp', from: this.id, to: m.from, term: this.term, index: 0, reject: false, rejectHint: 0, logTerm: 0 });
    } else if (m.type === 'MsgPreVote') {
      const last = this.raftLog.lastEntryId();
      this.log(
        `${this.id} [logterm: ${last.term}, index: ${last.index}, vote: ${this.vote}] rejected MsgPreVote from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`,
      );
      send(this, { type: 'MsgPreVoteResp', from: this.id, to: m.from, term: this.term, reject: true });
    } else {
      this.log(`${this.id} [term: ${this.term}] ignored a ${m.type} message with lower term from ${m.from} [term: ${m.term}]`);
    }
  }

  /**
   * Grants a (pre-)vote if we have not voted for someone else this term (and know no leader),
   * and the candidate's log is at least as up to date as ours (the election restriction).
   */
  private handleVoteRequest(m: VoteMessage): void {
    const canVote = this.vote === m.from || (this.vote === noNode && this.lead === noNode) || (m.type === 'MsgPreVote' && m.term > this.term);
    const last = this.raftLog.lastEntryId();
    const respType = m.type === 'MsgVote' ? 'MsgVoteResp' : 'MsgPreVoteResp';
    const candidate = `${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${this.term}`;
    if (canVote && this.raftLog.isUpToDate(m.index, m.logTerm)) {
      this.log(`${this.id} [logterm: ${last.term}, index: ${last.index}, vote: ${this.vote}] cast ${m.type} for ${candidate}`);
      // A granted pre-vote answers in the candidate's future term, so the candidate counts it.
      send(this, { type: respType, from: this.id, to: m.from, term: m.term, reject: false });
      if (m.type === 'MsgVote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.log(`${this.id} [logterm: ${last.term}, index: ${last.index}, vote: ${this.vote}] rejected ${m.type} from ${candidate}`);
      send(this, { type: respType, from: this.id, to: m.from, term: this.term, reject: true });
    }
  }

  // ── applying progress, snapshots and membership ─────────────────────────────────────────────

  /**
   * A leader that is its group's only member (one voter, no learners, not joint) commits the
   * entries it is about to hand out for persisting, in the same Ready: the only quorum is
   * itself, and its commit index reaches no one — there is no follower to tell — before the
   * application has persisted that Ready's entries and hard state, which is also when it may
   * apply them (the Ready contract). etcd-raft's synchronous-storage mode does the same for a
   * single node (its `applyUnstableEntries`). Without it every entry took two Readies: one to
   * persist it, and after `advance` acknowledged it, one more to hand it out committed.
   * Called by `RawNode.ready`; a no-op in any other configuration.
   */
  commitAsSoleMember(): void {
    if (this.role !== 'leader' || !this.tracker.isSingleton() || this.tracker.progress.size !== 1) return;
    assert(this.tracker.progress.has(this.id), 'the sole member is this leader');
    if (this.raftLog.maybeCommit(this.raftLog.lastIndex(), this.term)) releasePendingReadIndexMessages(this);
  }

  appliedTo(index: number): void {
    this.raftLog.appliedTo(Math.max(index, this.raftLog.applied));
  }

  /**
   * Installs a snapshot from the leader. Returns false (and only fast-forwards the commit index
   * if our log already has the snapshot's last entry) when the snapshot is not newer than what
   * we have committed or does not include us.
   */
  restore(snapshot: Snapshot): boolean {
    const { index, term, confState } = snapshot.metadata;
    if (index <= this.raftLog.committed) return false;
    assert(this.role === 'follower', () => `${this.id} restores a snapshot as ${this.role}`);
    const member = confState.voters.includes(this.id) || confState.learners.includes(this.id) || confState.votersOutgoing.includes(this.id);
    if (!member) {
      this.log(`${this.id} attempted to restore snapshot but it is not in the ConfState; should never happen`);
      return false;
    }
    if (this.raftLog.matchTerm(index, term)) {
      const last = this.raftLog.lastEntryId();
      this.log(
        `${this.id} [commit: ${this.raftLog.committed}, lastindex: ${last.index}, lastterm: ${last.term}] fast-forwarded commit to snapshot [index: ${index}, term: ${term}]`,
      );
      this.raftLog.commitTo(index);
      return false;
    }
    this.raftLog.restore(snapshot);
    this.tracker.progress.clear();
    this.switchToConfig(validConfig(confState));
    const last = this.raftLog.lastEntryId();
    this.log(`${this.id} [commit: ${this.raftLog.committed}, lastindex: ${last.index}, lastterm: ${last.term}] restored snapshot [index: ${index}, term: ${term}]`);
    return true;
  }

  /** Applies a committed conf change; throws `InvalidConfChangeError` (configuration unchanged). */
  applyConfChange(cc: ConfChange): ConfState {
    return this.switchToConfig(applyConfChangeTo(this.tracker.config, cc));
  }

  /**
   * Makes `config` the active configuration. A leader removed (or demoted) by it steps down; a
   * leader that stays commits what the new quorum allows and probes new members at once.
   */
  private switchToConfig(config: TrackerConfig): ConfState {
    this.tracker.applyConfig(config, this.raftLog.lastIndex());
    this.log(`${this.id} switched to configuration ${describeConfig(config)}`);
    const cs = this.tracker.confState();
    const self = this.tracker.progress.get(this.id);
    if ((self === undefined || self.isLearner) && this.role === 'leader') {
      this.becomeFollower(this.term, noNode);
      return cs;
    }
    if (this.role !== 'leader' || cs.voters.length === 0) return cs;
    if (maybeCommit(this)) {
      releasePendingReadIndexMessages(this);
      bcastAppend(this);
    } else {
      for (const id of this.tracker.ids()) {
        if (id !== this.id) maybeSendAppend(this, id, false);
      }
    }
    if (this.leadTransferee !== noNode && !this.tracker.isVoter(this.leadTransferee)) this.abortLeaderTransfer();
    return cs;
  }
}

/** A configuration from persisted or received state; an invalid one is a corrupted input. */
function validConfig(cs: ConfState): TrackerConfig {
  const config = confStateToConfig(cs);
  try {
    checkConfigInvariants(config);
  } catch (error) {
    assert(!(error instanceof RangedbError), () => `invalid ConfState: ${(error as Error).message}`);
    throw error;
  }
  return config;
}
