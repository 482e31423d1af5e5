/**
 * The follower's step function, and the handlers of the leader's messages that a candidate
 * shares once it learns of a leader (appends, heartbeats, snapshots).
 *
 * Every reply a follower sends promises durable state (an append acknowledged, a vote granted),
 * so all of them go in `Ready.messages`, sent only after the Ready is persisted.
 */
import { assert } from '../../src/base/assert.js';
import { hup } from './election.js';
import type { Raft } from './raft.js';
import { send } from './replicate.js';
import { noNode, type AppendMessage, type HeartbeatMessage, type Message, type SnapshotMessage } from './types.js';

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case 'MsgProp':
      if (r.lead === noNode) {
        r.dropRequest(m, 'noLeader', `no leader at term ${r.term}`);
        return;
      }
      send(r, { ...m, from: r.id, to: r.lead, term: 0 });
      return;
    case 'MsgReadIndex':
      if (r.lead === noNode) {
        r.dropRequest(m, 'noLeader', `no leader at term ${r.term}`);
        return;
      }
      send(r, { ...m, from: r.id, to: r.lead, term: 0 });
      return;
    case 'MsgTransferLeader':
      if (r.lead === noNode) {
        r.log(`${r.id} no leader at term ${r.term}; dropping leader transfer msg`);
        return;
      }
      send(r, { ...m, from: r.id, to: r.lead, term: r.term });
      return;
    case 'MsgApp':
      r.electionElapsed = 0;
      r.lead = m.from;
      handleAppendEntries(r, m);
      return;
    case 'MsgHeartbeat':
      r.electionElapsed = 0;
      r.lead = m.from;
      handleHeartbeat(r, m);
      return;
    case 'MsgSnap':
      r.electionElapsed = 0;
      r.lead = m.from;
      handleSnapshot(r, m);
      return;
    case 'MsgTimeoutNow':
      r.log(`${r.id} [term ${r.term}] received MsgTimeoutNow from ${m.from} and starts an election to get leadership`);
      hup(r, 'transfer');
      return;
    case 'MsgReadIndexResp':
      r.readStates.push({ index: m.index, context: m.context });
      return;
    case 'MsgAppResp':
    case 'MsgHeartbeatResp':
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
    case 'MsgVote':
    case 'MsgPreVote':
      return; // stale replies to a role we no longer hold; votes are handled before the role
  }
}

/**
 * An append from the leader: accept it if our log matches at (index, logTerm), else reject with
 * a hint — the largest index at or below `index` whose term is at most `logTerm`, skipping our
 * whole divergent tail in one round trip (fast backtracking).
 */
export function handleAppendEntries(r: Raft, m: AppendMessage): void {
  m.entries.forEach((entry, i) => {
    assert(entry.index === m.index + 1 + i, () => `MsgApp from ${m.from} has a gap at entry ${entry.index}`);
    assert(entry.term >= m.logTerm && entry.term <= m.term, () => `MsgApp from ${m.from} has an entry of term ${entry.term}`);
  });
  const committed = r.raftLog.committed;
  if (m.index < committed) {
    // Everything up to our commit index matches the leader's log (Log Matching).
    send(r, { type: 'MsgAppResp', from: r.id, to: m.from, term: r.term, index: committed, reject: false, rejectHint: 0, logTerm: 0 });
    return;
  }
  const lastNew = r.raftLog.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (lastNew !== undefined) {
    send(r, { type: 'MsgAppResp', from: r.id, to: m.from, term: r.term, index: lastNew, reject: false, rejectHint: 0, logTerm: 0 });
    return;
  }
  r.log(`${r.id} [logterm: ${r.raftLog.maybeTerm(m.index) ?? 0}, index: ${m.index}] rejected MsgApp [logterm: ${m.logTerm}, index: ${m.index}] from ${m.from}`);
  const hint = r.raftLog.findConflictByTerm(Math.min(m.index, r.raftLog.lastIndex()), m.logTerm);
  send(r, { type: 'MsgAppResp', from: r.id, to: m.from, term: r.term, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term });
}

/** A heartbeat: commit what the leader says we hold, and echo the read-index context. */
export function handleHeartbeat(r: Raft, m: HeartbeatMessage): void {
  r.raftLog.commitTo(m.commit);
  send(r, { type: 'MsgHeartbeatResp', from: r.id, to: m.from, term: r.term, context: m.context });
}

/** A snapshot: install it if it is ahead of our commit index; reply with our new last index. */
export function handleSnapshot(r: Raft, m: SnapshotMessage): void {
  const { index, term } = m.snapshot.metadata;
  if (r.restore(m.snapshot)) {
    r.log(`${r.id} [commit: ${r.raftLog.committed}] restored snapshot [index: ${index}, term: ${term}]`);
    send(r, { type: 'MsgAppResp', from: r.id, to: m.from, term: r.term, index: r.raftLog.lastIndex(), reject: false, rejectHint: 0, logTerm: 0 });
  } else {
    r.log(`${r.id} [commit: ${r.raftLog.committed}] ignored snapshot [index: ${index}, term: ${term}]`);
    send(r, { type: 'MsgAppResp', from: r.id, to: m.from, term: r.term, index: r.raftLog.committed, reject: false, rejectHint: 0, logTerm: 0 });
  }
}
