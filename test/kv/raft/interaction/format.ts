/**
 * Compact, deterministic descriptions of Raft values for the interaction logs, close to
 * etcd-io/raft's `DescribeMessage` / `DescribeReady` so a reader who knows those logs can read
 * these:
 *
 *     1->2 MsgApp Term:1 Log:1/3 Commit:3 Entries:[1/4 EntryNormal "prop_1"]
 *     2->1 MsgAppResp Term:1 Log:0/4
 *     2->1 MsgAppResp Term:2 Log:1/7 Rejected (Hint: 5)
 *
 * An entry is `term/index type data`; a conf change entry prints its changes (`v4` add voter,
 * `l5` add learner, `r2` remove) and its transition, a leave-joint entry prints `leave-joint`.
 */
import { assertNever } from '../../../../src/base/assert.js';
import type { ConfChange, ConfState, Entry, HardState, Message, Snapshot, SoftState } from '../../../../kv/raft/index.js';

const decoder = new TextDecoder();

/** Bytes as a quoted string when printable, hex otherwise. */
export function fmtData(data: Uint8Array): string {
  const printable = data.every((b) => b >= 0x20 && b < 0x7f && b !== 0x22);
  return printable ? `"${decoder.decode(data)}"` : `0x${Buffer.from(data).toString('hex')}`;
}

export function fmtConfChange(change: ConfChange): string {
  if (change.changes.length === 0) return 'leave-joint';
  const letters = { addNode: 'v', addLearner: 'l', removeNode: 'r' } as const;
  const changes = change.changes.map((c) => `${letters[c.type]}${c.nodeId}`).join(' ');
  return change.transition === 'simple' ? changes : `${changes} transition=${change.transition}`;
}

export type ConfChangeDecoder = (data: Uint8Array) => ConfChange;

export function fmtEntry(entry: Entry, decode: ConfChangeDecoder): string {
  if (entry.type === 'confChange') return `${entry.term}/${entry.index} EntryConfChange ${fmtConfChange(decode(entry.data))}`;
  return `${entry.term}/${entry.index} EntryNormal ${fmtData(entry.data)}`;
}

export function fmtEntries(entries: readonly Entry[], decode: ConfChangeDecoder): string {
  return `[${entries.map((e) => fmtEntry(e, decode)).join(', ')}]`;
}

function ids(list: readonly number[]): string {
  return `(${list.join(' ')})`;
}

export function fmtConfState(cs: ConfState): string {
  let out = `Voters:${ids(cs.voters)}`;
  if (cs.votersOutgoing.length > 0) out += `&&${ids(cs.votersOutgoing)}`;
  if (cs.learners.length > 0) out += ` Learners:${ids(cs.learners)}`;
  if (cs.learnersNext.length > 0) out += ` LearnersNext:${ids(cs.learnersNext)}`;
  if (cs.autoLeave) out += ' AutoLeave';
  return out;
}

export function fmtSnapshot(snap: Snapshot): string {
  const m = snap.metadata;
  return `Index:${m.index} Term:${m.term} ConfState:[${fmtConfState(m.confState)}] Data:${fmtData(snap.data)}`;
}

export function fmtHardState(hs: HardState): string {
  return `HardState Term:${hs.term} Vote:${hs.vote} Commit:${hs.commit}`;
}

const roleNames = { follower: 'StateFollower', preCandidate: 'StatePreCandidate', candidate: 'StateCandidate', leader: 'StateLeader' } as const;

export function fmtSoftState(ss: SoftState): string {
  return `Lead:${ss.leader} State:${roleNames[ss.role]}`;
}

export function fmtMessage(m: Message, decode: ConfChangeDecoder): string {
  const head = `${m.from}->${m.to} ${m.type} Term:${m.term}`;
  switch (m.type) {
    case 'MsgApp':
      return `${head} Log:${m.logTerm}/${m.index} Commit:${m.commit}${m.entries.length > 0 ? ` Entries:${fmtEntries(m.entries, decode)}` : ''}`;
    case 'MsgAppResp':
      return `${head} Log:${m.logTerm}/${m.index}${m.reject ? ` Rejected (Hint: ${m.rejectHint})` : ''}`;
    case 'MsgVote':
    case 'MsgPreVote':
      return `${head} Log:${m.logTerm}/${m.index}${m.transfer ? ' Transfer' : ''}`;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      return `${head}${m.reject ? ' Rejected' : ''}`;
    case 'MsgHeartbeat':
      return `${head} Commit:${m.commit}${m.context.length > 0 ? ` Context:${fmtData(m.context)}` : ''}`;
    case 'MsgHeartbeatResp':
      return `${head}${m.context.length > 0 ? ` Context:${fmtData(m.context)}` : ''}`;
    case 'MsgSnap':
      return `${head} Snapshot: ${fmtSnapshot(m.snapshot)}`;
    case 'MsgTimeoutNow':
      return head;
    case 'MsgProp':
      return `${head} Entries:${fmtEntries(m.entries, decode)}`;
    case 'MsgReadIndex':
      return `${head} Context:${fmtData(m.context)}`;
    case 'MsgReadIndexResp':
      return `${head} Index:${m.index} Context:${fmtData(m.context)}`;
    case 'MsgTransferLeader':
      return `${head} Transferee:${m.transferee}`;
    default:
      return assertNever(m, 'message');
  }
}
