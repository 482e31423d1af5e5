/**
 * Elections: the follower's and candidate's election timer, and campaigning.
 *
 * With pre-vote (Raft thesis §9.6) a node first asks whether it *could* win in the next term
 * (`MsgPreVote`, term unchanged); only if a quorum says yes does it move to the next term and
 * ask for real votes. A node cut off by a partition thus keeps its term, and does not force the
 * healthy majority into a new election when it returns. A leadership transfer campaigns
 * directly (the old leader asked for it).
 */
import type { Raft } from './raft.js';
import { bcastAppend, send } from './replicate.js';
import type { VoteResult } from './quorum.js';
import type { RaftNodeId } from './types.js';

/** `preElection`: the pre-vote round; `election`: a real one; `transfer`: a real one asked for by the leader. */
export type CampaignKind = 'preElection' | 'election' | 'transfer';

/** The follower's and candidate's tick: campaign once the randomized election timeout passes. */
export function tickElection(r: Raft): void {
  r.electionElapsed++;
  if (r.promotable() && r.pastElectionTimeout()) {
    r.electionElapsed = 0;
    hup(r, r.config.preVote ? 'preElection' : 'election');
  }
}

/** Starts a campaign if this node may: not already leader, a voter, no conf change unapplied. */
export function hup(r: Raft, kind: CampaignKind): void {
  if (r.role === 'leader') {
    r.log(`${r.id} ignoring MsgHup because already leader`);
    return;
  }
  if (!r.promotable()) {
    r.log(`${r.id} is unpromotable and can not campaign`);
    return;
  }
  if (r.hasUnappliedConfChanges()) {
    // The configuration we would campaign in may be about to change.
    r.log(`${r.id} cannot campaign at term ${r.term} since there are still pending configuration changes to apply`);
    return;
  }
  r.log(`${r.id} is starting a new election at term ${r.term}`);
  campaign(r, kind);
}

/** Becomes a (pre-)candidate, votes for itself and asks every other voter. */
export function campaign(r: Raft, kind: CampaignKind): void {
  let term: number;
  let voteType: 'MsgVote' | 'MsgPreVote';
  if (kind === 'preElection') {
    r.becomePreCandidate();
    voteType = 'MsgPreVote';
    term = r.term + 1; // pre-votes are asked for the term we would move to
  } else {
    r.becomeCandidate();
    voteType = 'MsgVote';
    term = r.term;
  }
  // Our own vote counts at once: it is persisted with the term before any vote request leaves
  // (they go in Ready.messages), and a lone voter wins here.
  if (poll(r, r.id, voteType === 'MsgVote' ? 'MsgVoteResp' : 'MsgPreVoteResp', true) === 'won') {
    if (kind === 'preElection') {
      campaign(r, 'election');
    } else {
      r.becomeLeader();
      bcastAppend(r);
    }
    return;
  }
  const last = r.raftLog.lastEntryId();
  for (const id of r.tracker.voterIds()) {
    if (id === r.id) continue;
    r.log(`${r.id} [logterm: ${last.term}, index: ${last.index}] sent ${voteType} request to ${id} at term ${r.term}`);
    send(r, { type: voteType, from: r.id, to: id, term, logTerm: last.term, index: last.index, transfer: kind === 'transfer' });
  }
}

/** Records a vote and returns the election's result so far. */
export function poll(r: Raft, from: RaftNodeId, type: 'MsgVoteResp' | 'MsgPreVoteResp', granted: boolean): VoteResult {
  r.log(granted ? `${r.id} received ${type} from ${from} at term ${r.term}` : `${r.id} received ${type} rejection from ${from} at term ${r.term}`);
  r.tracker.recordVote(from, granted);
  const { granted: yes, rejected: no, result } = r.tracker.tallyVotes();
  if (from !== r.id) r.log(`${r.id} has received ${yes} ${type} votes and ${no} vote rejections`);
  return result;
}
