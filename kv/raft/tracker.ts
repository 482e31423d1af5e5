/**
 * `ProgressTracker`: the active configuration (who votes, who learns), a `Progress` per member,
 * and the votes of the election under way. The leader derives the commit index from it (the
 * high-water mark of a majority of voters' `match`), a candidate its election result, a leader
 * with check-quorum whether a quorum was recently active.
 *
 * The set of tracked members always equals the configuration's members: `applyConfig` creates
 * progress for new members and drops it for removed ones.
 */
import { assert } from '../../src/base/assert.js';
import { Progress } from './progress.js';
import { jointCommittedIndex, jointVoteResult, jointVoterIds, type JointVoters, type VoteResult } from './quorum.js';
import type { ConfState, RaftNodeId } from './types.js';

/** A membership configuration, as sets. Values are never mutated (changes build new ones). */
export interface TrackerConfig {
  readonly voters: JointVoters;
  readonly learners: ReadonlySet<RaftNodeId>;
  /** Outgoing voters that become learners when the joint configuration is left. */
  readonly learnersNext: ReadonlySet<RaftNodeId>;
  readonly autoLeave: boolean;
}

export const emptyTrackerConfig: TrackerConfig = Object.freeze({
  voters: Object.freeze({ incoming: new Set<number>(), outgoing: new Set<number>() }),
  learners: new Set<number>(),
  learnersNext: new Set<number>(),
  autoLeave: false,
});

const ascending = (a: number, b: number): number => a - b;

export function isJoint(config: TrackerConfig): boolean {
  return config.voters.outgoing.size > 0;
}

export function configToConfState(config: TrackerConfig): ConfState {
  return {
    voters: [...config.voters.incoming].sort(ascending),
    learners: [...config.learners].sort(ascending),
    votersOutgoing: [...config.voters.outgoing].sort(ascending),
    learnersNext: [...config.learnersNext].sort(ascending),
    autoLeave: config.autoLeave,
  };
}

export function confStateToConfig(cs: ConfState): TrackerConfig {
  return {
    voters: { incoming: new Set(cs.voters), outgoing: new Set(cs.votersOutgoing) },
    learners: new Set(cs.learners),
    learnersNext: new Set(cs.learnersNext),
    autoLeave: cs.autoLeave,
  };
}

/** `voters=(1 2 3)&&(1 2) learners=(4) learners_next=(5) autoleave` — etcd's format. */
export function describeConfig(config: TrackerConfig): string {
  const list = (ids: ReadonlySet<number>): string => [...ids].sort(ascending).join(' ');
  let out = `voters=(${list(config.voters.incoming)})`;
  if (isJoint(config)) out += `&&(${list(config.voters.outgoing)})`;
  if (config.learners.size > 0) out += ` learners=(${list(config.learners)})`;
  if (config.learnersNext.size > 0) out += ` learners_next=(${list(config.learnersNext)})`;
  if (config.autoLeave) out += ' autoleave';
  return out;
}

export class ProgressTracker {
  config: TrackerConfig = emptyTrackerConfig;
  readonly progress = new Map<RaftNodeId, Progress>();
  /** Votes received in the current election: true granted, false rejected. */
  private readonly votes = new Map<RaftNodeId, boolean>();
  /** Member ids ascending, so that iteration (and so message order) is deterministic. */
  private sortedIds: RaftNodeId[] = [];

  constructor(readonly maxInflight: number) {}

  /**
   * Switches to `config`: members new to it get a fresh progress (probing from `lastIndex + 1`,
   * counted as recently active so check-quorum does not trip before they are heard from);
   * members no longer in it lose theirs.
   */
  applyConfig(config: TrackerConfig, lastIndex: number): void {
    const members = new Set<RaftNodeId>([...config.voters.incoming, ...config.voters.outgoing, ...config.learners, ...config.learnersNext]);
    for (const id of [...this.progress.keys()]) {
      if (!members.has(id)) this.progress.delete(id);
    }
    for (const id of members) {
      let pr = this.progress.get(id);
      if (pr === undefined) {
        // Next at the last index, not after it (as etcd): the leader then has an entry to probe
        // the new member with right away instead of waiting for the next heartbeat or proposal.
        pr = new Progress(0, Math.max(lastIndex, 1), this.maxInflight, false);
        pr.recentActive = true;
        this.progress.set(id, pr);
      }
      pr.isLearner = config.learners.has(id);
    }
    this.config = config;
    this.sortedIds = [...members].sort(ascending);
    assert(this.sortedIds.length === this.progress.size, 'every member has a progress');
  }

  /** Member ids (voters of both halves and learners), ascending. */
  ids(): readonly RaftNodeId[] {
    return this.sortedIds;
  }

  /** Voter ids of both halves, ascending. */
  voterIds(): RaftNodeId[] {
    return jointVoterIds(this.config.voters);
  }

  isVoter(id: RaftNodeId): boolean {
    return this.config.voters.incoming.has(id) || this.config.voters.outgoing.has(id);
  }

  /** One voter (and not joint): decisions need no one else. */
  isSingleton(): boolean {
    return this.config.voters.incoming.size === 1 && this.config.voters.outgoing.size === 0;
  }

  /** The highest index replicated on a quorum of voters (by `match`). */
  committed(): number {
    return jointCommittedIndex(this.config.voters, (id) => this.progress.get(id)?.match);
  }

  resetVotes(): void {
    this.votes.clear();
  }

  /** Records a voter's answer; only its first answer in an election counts. */
  recordVote(id: RaftNodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voterIds()) {
      const vote = this.votes.get(id);
      if (vote === true) granted++;
      else if (vote === false) rejected++;
    }
    return { granted, rejected, result: jointVoteResult(this.config.voters, (id) => this.votes.get(id)) };
  }

  /** Whether a quorum of voters was active recently (check-quorum); the leader counts itself. */
  quorumActive(self: RaftNodeId): boolean {
    return jointVoteResult(this.config.voters, (id) => id === self || this.progress.get(id)?.recentActive === true) === 'won';
  }

  /** The outcome of a poll whose yes-answers are `acks` (read index confirmation). */
  voteResultOf(acks: ReadonlySet<RaftNodeId>): VoteResult {
    return jointVoteResult(this.config.voters, (id) => (acks.has(id) ? true : undefined));
  }

  confState(): ConfState {
    return configToConfState(this.config);
  }
}
