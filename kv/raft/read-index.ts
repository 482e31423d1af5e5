/**
 * The leader's side of read index (see read-only.ts): take a read at the commit index, confirm
 * leadership with a heartbeat round carrying the request's context, then release the read.
 *
 * A new leader's commit index may lag behind what its predecessor committed, so a leader that
 * has not yet committed an entry of its own term (its empty election entry) defers reads until
 * it has (Raft thesis §6.4 step 1).
 */
import type { RaftState } from './state.js';
import { bcastHeartbeat, send } from './replicate.js';
import type { RaftNodeId, ReadIndexMessage } from './types.js';

export function committedEntryInCurrentTerm(r: RaftState): boolean {
  return r.raftLog.maybeTerm(r.raftLog.committed) === r.term;
}

/** Hands a confirmed read to whoever asked: this node's application, or the forwarding follower. */
export function respondToReadIndex(r: RaftState, from: RaftNodeId, context: Uint8Array, index: number): void {
  if (from === r.id) {
    r.readStates.push({ index, context });
  } else {
    send(r, { type: 'MsgReadIndexResp', from: r.id, to: from, term: r.term, index, context });
  }
}

/** A read-index request reached the leader. */
export function leaderReadIndex(r: RaftState, m: ReadIndexMessage): void {
  if (!committedEntryInCurrentTerm(r)) {
    r.pendingReadIndexMessages.push(m);
    return;
  }
  if (r.tracker.isSingleton()) {
    respondToReadIndex(r, m.from, m.context, r.raftLog.committed);
    return;
  }
  r.readOnly.addRequest(r.raftLog.committed, m.from, m.context);
  r.readOnly.recvAck(r.id, m.context);
  bcastHeartbeat(r, m.context);
}

/** Once the leader has committed in its term, the deferred reads proceed. */
export function releasePendingReadIndexMessages(r: RaftState): void {
  if (r.pendingReadIndexMessages.length === 0 || !committedEntryInCurrentTerm(r)) return;
  const pending = r.pendingReadIndexMessages;
  r.pendingReadIndexMessages = [];
  for (const m of pending) leaderReadIndex(r, m);
}

/** A follower echoed a read context in a heartbeat response; release reads once a quorum did. */
export function leaderReadIndexAck(r: RaftState, from: RaftNodeId, context: Uint8Array): void {
  if (context.length === 0) return;
  const acks = r.readOnly.recvAck(from, context);
  if (acks === undefined || r.tracker.voteResultOf(acks) !== 'won') return;
  for (const read of r.readOnly.advance(context)) respondToReadIndex(r, read.from, read.context, read.index);
}
