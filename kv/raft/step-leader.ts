/**
 * The leader's step function and tick: proposals and reads from anyone, append and heartbeat
 * responses from followers (progress, commit, flow control), leadership transfer; on ticks,
 * heartbeats and check-quorum.
 */
import { assert } from '../../src/base/assert.js';
import { leaderPropose } from './propose.js';
import type { Progress } from './progress.js';
import type { Raft } from './raft.js';
import { leaderReadIndex, leaderReadIndexAck, releasePendingReadIndexMessages } from './read-index.js';
import { bcastAppend, bcastHeartbeat, maybeCommit, maybeSendAppend, send } from './replicate.js';
import { noNode, type AppendResponseMessage, type HeartbeatResponseMessage, type Message, type RaftNodeId, type TransferLeaderMessage } from './types.js';

export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case 'MsgProp':
      assert(m.entries.length > 0, () => `${r.id} stepped an empty MsgProp`);
      leaderPropose(r, m);
      return;
    case 'MsgReadIndex':
      leaderReadIndex(r, m);
      return;
    case 'MsgTransferLeader':
      transferLeadership(r, m);
      return;
    case 'MsgAppResp':
    case 'MsgHeartbeatResp': {
      const pr = r.tracker.progress.get(m.from);
      if (pr === undefined) {
        r.log(`${r.id} no progress available for ${m.from}`);
        return;
      }
      if (m.type === 'MsgAppResp') handleAppendResponse(r, m, pr);
      else handleHeartbeatResponse(r, m, pr);
      return;
    }
    case 'MsgApp':
    case 'MsgHeartbeat':
    case 'MsgSnap':
      // Election safety: there is at most one leader per term.
      assert(false, () => `${r.id} is leader at term ${r.term} and received ${m.type} from ${m.from} of the same term`);
      return;
    case 'MsgTimeoutNow':
      r.log(`${r.id} [term ${r.term} state leader] ignored MsgTimeoutNow from ${m.from}`);
      return;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
    case 'MsgReadIndexResp':
    case 'MsgVote':
    case 'MsgPreVote':
      return; // late votes; votes are handled before the role
  }
}

function handleAppendResponse(r: Raft, m: AppendResponseMessage, pr: Progress): void {
  pr.recentActive = true;
  if (m.reject) {
    r.log(`${r.id} received MsgAppResp(rejected, hint: (index ${m.rejectHint}, term ${m.logTerm})) from ${m.from} for index ${m.index}`);
    // The follower's entry at rejectHint has term logTerm. No index of ours whose term is above
    // logTerm can match, so skip to the last index at or below the hint with a term <= logTerm:
    // at most one probe per term of our log.
    const nextProbe = m.logTerm > 0 ? r.raftLog.findConflictByTerm(Math.min(m.rejectHint, r.raftLog.lastIndex()), m.logTerm).index : m.rejectHint;
    if (pr.maybeDecrTo(m.index, nextProbe)) {
      r.log(`${r.id} decreased progress of ${m.from} to [${pr.describe()}]`);
      if (pr.state === 'replicate') pr.becomeProbe();
      maybeSendAppend(r, m.from, true);
    }
    return;
  }
  // A probing follower that answers at its known match is in sync again, too.
  if (!pr.maybeUpdate(m.index) && !(pr.match === m.index && pr.state === 'probe')) return;
  if (pr.state === 'probe') {
    pr.becomeReplicate();
  } else if (pr.state === 'snapshot' && pr.match + 1 >= r.raftLog.firstIndex()) {
    // Whatever index the snapshot was applied at, the log can take it from here.
    r.log(`${r.id} recovered from needing snapshot, resumed sending replication messages to ${m.from} [${pr.describe()}]`);
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === 'replicate') {
    pr.inflights.freeLE(m.index);
  }
  if (maybeCommit(r)) {
    releasePendingReadIndexMessages(r);
    bcastAppend(r);
  } else if (m.from !== r.id && pr.canBumpCommit(r.raftLog.committed)) {
    maybeSendAppend(r, m.from, true);
  }
  // The window may have opened for several messages (entering replicate, or freeing many).
  if (m.from !== r.id) {
    while (maybeSendAppend(r, m.from, false));
  }
  if (m.from === r.leadTransferee && pr.match === r.raftLog.lastIndex()) {
    r.log(`${r.id} sent MsgTimeoutNow to ${m.from} after received MsgAppResp`);
    sendTimeoutNow(r, m.from);
  }
}

function handleHeartbeatResponse(r: Raft, m: HeartbeatResponseMessage, pr: Progress): void {
  pr.recentActive = true;
  pr.msgAppFlowPaused = false;
  // Even with a full window this sends (an empty append): if every append in flight was lost,
  // the follower's answer to this one frees the window.
  if (pr.match < r.raftLog.lastIndex() || pr.canBumpCommit(r.raftLog.committed)) maybeSendAppend(r, m.from, true);
  leaderReadIndexAck(r, m.from, m.context);
}

/**
 * Leadership transfer: bring the transferee's log up to date, then tell it to campaign at once
 * (MsgTimeoutNow; its votes bypass the leader lease). Proposals are refused meanwhile, so the
 * transferee can catch up; the transfer is abandoned after an election timeout.
 */
function transferLeadership(r: Raft, m: TransferLeaderMessage): void {
  const transferee = m.transferee;
  const pr = r.tracker.progress.get(transferee);
  if (pr === undefined) {
    r.log(`${r.id} [term ${r.term}] ignored transferring leadership to ${transferee}: not a member`);
    return;
  }
  if (pr.isLearner) {
    r.log(`${r.id} [term ${r.term}] ignored transferring leadership to ${transferee}: it is a learner`);
    return;
  }
  if (r.leadTransferee !== noNode) {
    if (r.leadTransferee === transferee) {
      r.log(`${r.id} [term ${r.term}] transfer leadership to ${transferee} is in progress, ignores request to same node ${transferee}`);
      return;
    }
    r.log(`${r.id} [term ${r.term}] abort previous transferring leadership to ${r.leadTransferee}`);
    r.abortLeaderTransfer();
  }
  if (transferee === r.id) {
    r.log(`${r.id} is already leader. Ignored transferring leadership to self`);
    return;
  }
  r.log(`${r.id} [term ${r.term}] starts to transfer leadership to ${transferee}`);
  r.electionElapsed = 0; // the transfer must finish within an election timeout
  r.leadTransferee = transferee;
  if (pr.match === r.raftLog.lastIndex()) {
    sendTimeoutNow(r, transferee);
    r.log(`${r.id} sends MsgTimeoutNow to ${transferee} immediately as ${transferee} already has up-to-date log`);
  } else {
    maybeSendAppend(r, transferee, true);
  }
}

function sendTimeoutNow(r: Raft, to: RaftNodeId): void {
  send(r, { type: 'MsgTimeoutNow', from: r.id, to, term: r.term });
}

/**
 * The leader's tick: heartbeats every `heartbeatTicks`; every `electionTicks`, check-quorum
 * (step down without a quorum of recent contact) and the end of an unfinished transfer.
 */
export function tickHeartbeat(r: Raft): void {
  r.heartbeatElapsed++;
  r.electionElapsed++;
  if (r.electionElapsed >= r.config.electionTicks) {
    r.electionElapsed = 0;
    if (r.config.checkQuorum) checkQuorum(r);
    if (r.role === 'leader' && r.leadTransferee !== noNode) {
      r.log(`${r.id} [term ${r.term}] abort transferring leadership to ${r.leadTransferee} after an election timeout`);
      r.abortLeaderTransfer();
    }
  }
  if (r.role !== 'leader') return;
  if (r.heartbeatElapsed >= r.config.heartbeatTicks) {
    r.heartbeatElapsed = 0;
    bcastHeartbeat(r);
  }
}

function checkQuorum(r: Raft): void {
  if (!r.tracker.quorumActive(r.id)) {
    r.log(`${r.id} stepped down to follower since quorum is not active`);
    r.becomeFollower(r.term, noNode);
    return;
  }
  for (const id of r.tracker.ids()) {
    if (id !== r.id) r.tracker.progress.get(id)!.recentActive = false;
  }
}

/** The application could not deliver a message to `id`: appends in flight are likely lost. */
export function leaderReportUnreachable(r: Raft, id: RaftNodeId): void {
  const pr = r.tracker.progress.get(id);
  if (r.role !== 'leader' || pr === undefined) return;
  if (pr.state === 'replicate') pr.becomeProbe();
  r.log(`${r.id} failed to send message to ${id} because it is unreachable [${pr.describe()}]`);
}

/**
 * The application reports how sending a snapshot to `id` ended. Either way the follower is
 * probed next; after a success from the snapshot's index. Sending pauses until the follower's
 * reply (or, after a failure, the next heartbeat response).
 */
export function leaderReportSnapshot(r: Raft, id: RaftNodeId, status: 'finish' | 'failure'): void {
  const pr = r.tracker.progress.get(id);
  if (r.role !== 'leader' || pr === undefined || pr.state !== 'snapshot') return;
  if (status === 'failure') pr.pendingSnapshot = 0; // or we would probe from a snapshot never applied
  pr.becomeProbe();
  r.log(`${r.id} snapshot ${status === 'finish' ? 'succeeded' : 'failed'}, resumed sending replication messages to ${id} [${pr.describe()}]`);
  pr.msgAppFlowPaused = true;
}
