/**
 * The leader's replication machinery: appending its own proposals, sending appends (or a
 * snapshot when the follower needs entries that were compacted), heartbeats carrying the commit
 * index, and advancing the commit index (the high-water mark) from the followers' progress.
 *
 * Flow control (per follower, see progress.ts): in probe one append at a time; in replicate up
 * to `maxInflightMessages` appends of at most `maxMessageBytes` each; in snapshot none.
 */
import { assert } from '../../src/base/assert.js';
import type { Progress } from './progress.js';
import type { RaftState } from './state.js';
import type { ConfState, Entry, EntryType, Message } from './types.js';
import { noNode } from './types.js';

/** Queues a message for the next Ready, checking the term discipline. */
export function send(r: RaftState, m: Message): void {
  assert(m.from === r.id, () => `${r.id} sends a message from ${m.from}`);
  assert(m.to !== r.id && m.to !== noNode, () => `${r.id} sends ${m.type} to ${m.to}`);
  switch (m.type) {
    case 'MsgVote':
    case 'MsgPreVote':
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      // A pre-vote carries the future term; a granted pre-vote response echoes it.
      assert(m.term > 0, () => `${m.type} must carry a term`);
      break;
    case 'MsgProp':
    case 'MsgReadIndex':
      // Forwarded requests are treated as local at the leader, whatever its term.
      assert(m.term === 0, () => `forwarded ${m.type} carries no term`);
      break;
    default:
      assert(m.term === r.term, () => `${m.type} must carry the current term ${r.term}, not ${m.term}`);
  }
  r.msgs.push(m);
}

function progressOf(r: RaftState, id: number): Progress {
  const pr = r.tracker.progress.get(id);
  assert(pr !== undefined, () => `${r.id} has no progress for ${id}`);
  return pr;
}

/**
 * Sends the follower an append of the entries from its `next` (or, if those are compacted, a
 * snapshot), unless sending is paused. With `sendIfEmpty` an append without entries goes too
 * (to carry the commit index, or to probe). Returns whether a message was sent.
 */
export function maybeSendAppend(r: RaftState, to: number, sendIfEmpty: boolean): boolean {
  const pr = progressOf(r, to);
  if (pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  assert(prevIndex <= r.raftLog.lastIndex(), () => `progress of ${to} is beyond the leader's log: next ${pr.next}`);
  const prevTerm = r.raftLog.maybeTerm(prevIndex);
  if (prevTerm === undefined) return maybeSendSnapshot(r, to, pr);
  // With a full window only an empty append goes: it probes without adding to the window, so a
  // follower whose appends were all lost still answers (and frees the window).
  const entries = pr.state === 'replicate' && pr.inflights.full() ? [] : r.raftLog.entriesFrom(pr.next, r.config.maxMessageBytes);
  if (entries.length === 0 && !sendIfEmpty) return false;
  const commit = r.raftLog.committed;
  send(r, { type: 'MsgApp', from: r.id, to, term: r.term, logTerm: prevTerm, index: prevIndex, entries, commit });
  pr.sentEntries(entries.length, prevIndex + entries.length);
  pr.sentCommittedIndex(commit);
  return true;
}

/** Sends a snapshot to a follower that needs compacted entries. Returns whether one was sent. */
function maybeSendSnapshot(r: RaftState, to: number, pr: Progress): boolean {
  if (!pr.recentActive) {
    r.config.logger?.(`${r.id} ignore sending snapshot to ${to} since it is not recently active`);
    return false;
  }
  const snapshot = r.raftLog.snapshot();
  const firstIndex = r.raftLog.firstIndex();
  if (snapshot.metadata.index < firstIndex - 1) {
    // The application compacted the log without recording a snapshot that covers it.
    r.config.logger?.(`${r.id} failed to send snapshot to ${to}: snapshot at ${snapshot.metadata.index} is temporarily unavailable (first index ${firstIndex})`);
    return false;
  }
  if (!inConfState(to, snapshot.metadata.confState)) {
    // The follower would ignore a snapshot that does not name it, and stay in the snapshot
    // state forever: wait until the application offers one taken after the follower joined.
    r.config.logger?.(`${r.id} failed to send snapshot to ${to}: snapshot at ${snapshot.metadata.index} predates its membership (temporarily unavailable)`);
    return false;
  }
  const { index, term } = snapshot.metadata;
  r.config.logger?.(`${r.id} [firstindex: ${firstIndex}, commit: ${r.raftLog.committed}] sent snapshot[index: ${index}, term: ${term}] to ${to} [${pr.describe()}]`);
  pr.becomeSnapshot(index);
  r.config.logger?.(`${r.id} paused sending replication messages to ${to} [${pr.describe()}]`);
  send(r, { type: 'MsgSnap', from: r.id, to, term: r.term, snapshot });
  return true;
}

function inConfState(id: number, cs: ConfState): boolean {
  return cs.voters.includes(id) || cs.learners.includes(id) || cs.votersOutgoing.includes(id) || cs.learnersNext.includes(id);
}

/** Sends appends (empty ones too, for the commit index) to every other member. */
export function bcastAppend(r: RaftState): void {
  for (const id of r.tracker.ids()) {
    if (id !== r.id) maybeSendAppend(r, id, true);
  }
}

/**
 * Sends every follower the entries it lacks, as many messages as its window takes (no empty
 * appends): called when a Ready is taken, so that the proposals of one Ready cycle share
 * messages.
 */
export function flushAppends(r: RaftState): void {
  if (r.role !== 'leader') return;
  for (const id of r.tracker.ids()) {
    if (id !== r.id) while (maybeSendAppend(r, id, false));
  }
}

/**
 * A heartbeat carries the commit index capped at what the follower is known to hold (it may
 * not commit entries it does not have), and the newest read-index context to confirm.
 */
export function sendHeartbeat(r: RaftState, to: number, context: Uint8Array): void {
  const pr = progressOf(r, to);
  const commit = Math.min(pr.match, r.raftLog.committed);
  send(r, { type: 'MsgHeartbeat', from: r.id, to, term: r.term, commit, context });
  pr.sentCommittedIndex(commit);
}

export function bcastHeartbeat(r: RaftState, context: Uint8Array = r.readOnly.lastPendingContext()): void {
  for (const id of r.tracker.ids()) {
    if (id !== r.id) sendHeartbeat(r, id, context);
  }
}

/**
 * Advances the commit index to the highest index a quorum of the (possibly joint) voters
 * matches, if that entry is of the leader's term. Returns whether it moved.
 */
export function maybeCommit(r: RaftState): boolean {
  return r.raftLog.maybeCommit(r.tracker.committed(), r.term);
}

/** Bytes of entry data, as counted against `maxUncommittedEntriesBytes`. */
export function payloadBytes(entries: readonly { readonly data: Uint8Array }[]): number {
  let bytes = 0;
  for (const entry of entries) bytes += entry.data.length;
  return bytes;
}

/**
 * The leader appends new entries of its term to its own log. Refused (returns false) if they
 * would take the uncommitted data past `maxUncommittedEntriesBytes` — except when nothing is
 * uncommitted, so that one oversized proposal still goes through, and except for empty entries.
 * The leader's own progress is not touched: it counts toward a commit once `advance()`
 * confirms the entries persisted.
 */
export function appendEntries(r: RaftState, proposals: readonly { readonly type: EntryType; readonly data: Uint8Array }[]): boolean {
  assert(r.role === 'leader', 'only a leader appends proposals');
  const size = payloadBytes(proposals);
  if (r.uncommittedSize > 0 && size > 0 && r.uncommittedSize + size > r.config.maxUncommittedEntriesBytes) return false;
  const last = r.raftLog.lastIndex();
  const entries: Entry[] = proposals.map((p, i) => ({ term: r.term, index: last + 1 + i, type: p.type, data: p.data }));
  r.uncommittedSize += size;
  r.raftLog.append(entries);
  return true;
}

/** Committed entries were handed out: they no longer count as uncommitted. */
export function reduceUncommittedSize(r: RaftState, entries: readonly Entry[]): void {
  if (r.role !== 'leader') return;
  r.uncommittedSize = Math.max(0, r.uncommittedSize - payloadBytes(entries));
}
