/**
 * Human-readable, deterministic renderings of Raft values for logs and golden tests, in the
 * spirit of etcd's `DescribeMessage`:
 *
 *     1->2 MsgApp Term:2 Log:1/3 Commit:3 Entries:[2/4 EntryNormal "put a"]
 *     2->1 MsgAppResp Term:2 Log:0/4
 *     3->1 MsgVoteResp Term:2 Rejected (Hint: 0)
 */
import { decodeConfChange } from './confchange-codec.js';
import { describeConfChange } from './confchange.js';
import type { ConfState, Entry, HardState, Message, Snapshot } from './types.js';

const printable = /^[\x20-\x7e]*$/;

/** Entry data as a quoted string if printable ASCII, else as hex. */
export function describeData(data: Uint8Array): string {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  return printable.test(text) ? JSON.stringify(text) : `0x${Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex')}`;
}

export function describeEntry(entry: Entry): string {
  if (entry.type === 'confChange') {
    let change: string;
    try {
      change = describeConfChange(decodeConfChange(entry.data));
    } catch {
      change = `<malformed ${describeData(entry.data)}>`;
    }
    return `${entry.term}/${entry.index} EntryConfChange ${change}`;
  }
  return entry.data.length === 0 ? `${entry.term}/${entry.index} EntryNormal ""` : `${entry.term}/${entry.index} EntryNormal ${describeData(entry.data)}`;
}

export function describeEntries(entries: readonly Entry[]): string {
  return entries.map(describeEntry).join(', ');
}

export function describeConfState(cs: ConfState): string {
  let out = `Voters:[${cs.voters.join(' ')}] VotersOutgoing:[${cs.votersOutgoing.join(' ')}] Learners:[${cs.learners.join(' ')}] LearnersNext:[${cs.learnersNext.join(' ')}]`;
  if (cs.autoLeave) out += ' AutoLeave';
  return out;
}

export function describeHardState(hs: HardState): string {
  return `Term:${hs.term} Vote:${hs.vote} Commit:${hs.commit}`;
}

export function describeSnapshot(snapshot: Snapshot): string {
  const md = snapshot.metadata;
  return `Index:${md.index} Term:${md.term} ConfState:${describeConfState(md.confState)}`;
}

/** One line per message: `from->to Type Term:t …` with the fields that type carries. */
export function describeMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} Term:${m.term}`;
  switch (m.type) {
    case 'MsgApp':
      return `${head} Log:${m.logTerm}/${m.index} Commit:${m.commit}${m.entries.length > 0 ? ` Entries:[${describeEntries(m.entries)}]` : ''}`;
    case 'MsgAppResp':
      return m.reject ? `${head} Log:0/${m.index} Rejected (Hint: ${m.rejectHint}/${m.logTerm})` : `${head} Log:0/${m.index}`;
    case 'MsgVote':
    case 'MsgPreVote':
      return `${head} Log:${m.logTerm}/${m.index}${m.transfer ? ' Transfer' : ''}`;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      return m.reject ? `${head} Rejected` : head;
    case 'MsgHeartbeat':
      return `${head} Commit:${m.commit}${m.context.length > 0 ? ` Context:${describeData(m.context)}` : ''}`;
    case 'MsgHeartbeatResp':
      return m.context.length > 0 ? `${head} Context:${describeData(m.context)}` : head;
    case 'MsgSnap':
      return `${head} Snapshot: ${describeSnapshot(m.snapshot)}`;
    case 'MsgTimeoutNow':
      return head;
    case 'MsgProp':
      return `${head} Entries:[${describeEntries(m.entries)}]`;
    case 'MsgReadIndex':
      return `${head} Context:${describeData(m.context)}`;
    case 'MsgReadIndexResp':
      return `${head} Index:${m.index} Context:${describeData(m.context)}`;
    case 'MsgTransferLeader':
      return `${head} Transferee:${m.transferee}`;
  }
}
