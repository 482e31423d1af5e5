/**
 * Quorum arithmetic. A majority configuration decides with more than half of its voters; a joint
 * configuration (during a membership change, Raft thesis §4.3) decides only when both its
 * incoming and its outgoing majority do, so no decision can be made by the old or the new
 * members alone.
 *
 * An empty majority configuration decides everything (it is the "outgoing" half of a
 * non-joint configuration: joint(C, ∅) behaves exactly like C).
 */

export type VoteResult = 'won' | 'lost' | 'pending';

/** Majority and joint voter sets. `outgoing` is empty unless the configuration is joint. */
export interface JointVoters {
  readonly incoming: ReadonlySet<number>;
  readonly outgoing: ReadonlySet<number>;
}

/**
 * The highest index acknowledged by a majority of `voters`, given each voter's acknowledged
 * index (`ackedIndex` returns undefined for a voter not heard from, counted as 0). Infinity for
 * an empty set, so that it never constrains a joint minimum.
 */
export function majorityCommittedIndex(voters: ReadonlySet<number>, ackedIndex: (id: number) => number | undefined): number {
  const n = voters.size;
  if (n === 0) return Number.POSITIVE_INFINITY;
  const acked: number[] = [];
  for (const id of voters) acked.push(ackedIndex(id) ?? 0);
  acked.sort((a, b) => b - a);
  // Sorted descending, the (n/2+1)-th largest value is held by a majority.
  return acked[Math.floor(n / 2)]!;
}

/** The committed index of a joint configuration: the smaller of its two majorities'. */
export function jointCommittedIndex(voters: JointVoters, ackedIndex: (id: number) => number | undefined): number {
  return Math.min(majorityCommittedIndex(voters.incoming, ackedIndex), majorityCommittedIndex(voters.outgoing, ackedIndex));
}

/**
 * The outcome of an election (or any yes/no poll) in a majority configuration, given each
 * voter's answer (undefined: not yet answered). Won with a majority of yes; lost once a majority
 * of yes is impossible; pending otherwise.
 */
export function majorityVoteResult(voters: ReadonlySet<number>, votes: (id: number) => boolean | undefined): VoteResult {
  if (voters.size === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const vote = votes(id);
    if (vote === undefined) missing++;
    else if (vote) granted++;
  }
  const quorum = Math.floor(voters.size / 2) + 1;
  if (granted >= quorum) return 'won';
  if (granted + missing >= quorum) return 'pending';
  return 'lost';
}

/** A joint poll is won only if both halves win, lost if either loses. */
export function jointVoteResult(voters: JointVoters, votes: (id: number) => boolean | undefined): VoteResult {
  const incoming = majorityVoteResult(voters.incoming, votes);
  const outgoing = majorityVoteResult(voters.outgoing, votes);
  if (incoming === outgoing) return incoming;
  if (incoming === 'lost' || outgoing === 'lost') return 'lost';
  return 'pending';
}

/** Every voter of either half, ascending. */
export function jointVoterIds(voters: JointVoters): number[] {
  const ids = new Set<number>(voters.incoming);
  for (const id of voters.outgoing) ids.add(id);
  return [...ids].sort((a, b) => a - b);
}
