/**
 * The step function of candidates and pre-candidates: count votes; give up on hearing from a
 * leader of the term (or of a later one, which the shared term rules already turned into a
 * follower); refuse proposals, since there is no leader to forward them to.
 */
import { campaign, poll } from './election.js';
import type { Raft } from './raft.js';
import { bcastAppend } from './replicate.js';
import { handleAppendEntries, handleHeartbeat, handleSnapshot } from './step-follower.js';
import { noNode, type Message } from './types.js';

export function stepCandidate(r: Raft, m: Message): void {
  // A pre-candidate counts only pre-votes, a candidate only votes: a late answer to the other
  // round is stale.
  const myVoteRespType = r.role === 'preCandidate' ? 'MsgPreVoteResp' : 'MsgVoteResp';
  switch (m.type) {
    case 'MsgProp':
    case 'MsgReadIndex':
      r.dropRequest(m, 'noLeader', `no leader at term ${r.term}`);
      return;
    case 'MsgTransferLeader':
      r.log(`${r.id} no leader at term ${r.term}; dropping leader transfer msg`);
      return;
    case 'MsgApp':
      r.becomeFollower(m.term, m.from); // a leader of our term won: follow it
      handleAppendEntries(r, m);
      return;
    case 'MsgHeartbeat':
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return;
    case 'MsgSnap':
      r.becomeFollower(m.term, m.from);
      handleSnapshot(r, m);
      return;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp': {
      if (m.type !== myVoteRespType) return;
      const result = poll(r, m.from, m.type, !m.reject);
      if (result === 'won') {
        if (r.role === 'preCandidate') {
          campaign(r, 'election');
        } else {
          r.becomeLeader();
          bcastAppend(r);
        }
      } else if (result === 'lost') {
        // A rejected pre-vote response may carry a later term; we stay in ours.
        r.becomeFollower(r.term, noNode);
      }
      return;
    }
    case 'MsgTimeoutNow':
      r.log(`${r.id} [term ${r.term} state ${r.role}] ignored MsgTimeoutNow from ${m.from}`);
      return;
    case 'MsgAppResp':
    case 'MsgHeartbeatResp':
    case 'MsgReadIndexResp':
    case 'MsgVote':
    case 'MsgPreVote':
      return; // stale replies to a role we no longer hold; votes are handled before the role
  }
}
