/**
 * Compact, deterministic renderings of messages and Readies for the trace tail, and the integer
 * fields of each that go into the run's hash. (kv/raft's `describeMessage` prints entry data in
 * full, which buries a trace under the clients' padding.)
 */
import type { Entry, Message, MessageType, Ready } from '../../../kv/raft/index.js';

const typeCodes: Readonly<Record<MessageType, number>> = {
  MsgApp: 1,
  MsgAppResp: 2,
  MsgVote: 3,
  MsgVoteResp: 4,
  MsgPreVote: 5,
  MsgPreVoteResp: 6,
  MsgHeartbeat: 7,
  MsgHeartbeatResp: 8,
  MsgSnap: 9,
  MsgTimeoutNow: 10,
  MsgProp: 11,
  MsgReadIndex: 12,
  MsgReadIndexResp: 13,
  MsgTransferLeader: 14,
};

/** The integers that identify a message in the hash. */
export function messageFields(m: Message): number[] {
  const fields = [typeCodes[m.type], m.from, m.to, m.term];
  switch (m.type) {
    case 'MsgApp':
      fields.push(m.logTerm, m.index, m.commit, m.entries.length, lastIndexOf(m.entries));
      break;
    case 'MsgAppResp':
      fields.push(m.index, m.reject ? 1 : 0, m.rejectHint, m.logTerm);
      break;
    case 'MsgVote':
    case 'MsgPreVote':
      fields.push(m.logTerm, m.index, m.transfer ? 1 : 0);
      break;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      fields.push(m.reject ? 1 : 0);
      break;
    case 'MsgHeartbeat':
      fields.push(m.commit, m.context.length);
      break;
    case 'MsgSnap':
      fields.push(m.snapshot.metadata.index, m.snapshot.metadata.term);
      break;
    case 'MsgProp':
      fields.push(m.entries.length);
      break;
    case 'MsgReadIndexResp':
      fields.push(m.index);
      break;
    case 'MsgTransferLeader':
      fields.push(m.transferee);
      break;
    case 'MsgHeartbeatResp':
    case 'MsgTimeoutNow':
    case 'MsgReadIndex':
      break;
  }
  return fields;
}

export function describeMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} t${m.term}`;
  switch (m.type) {
    case 'MsgApp':
      return `${head} log ${m.index}/${m.logTerm} commit ${m.commit} entries [${entryRange(m.entries)}]`;
    case 'MsgAppResp':
      return m.reject ? `${head} REJECT ${m.index} hint ${m.rejectHint}/${m.logTerm}` : `${head} index ${m.index}`;
    case 'MsgVote':
    case 'MsgPreVote':
      return `${head} last ${m.index}/${m.logTerm}${m.transfer ? ' transfer' : ''}`;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      return m.reject ? `${head} REJECT` : `${head} granted`;
    case 'MsgHeartbeat':
      return `${head} commit ${m.commit}${m.context.length > 0 ? ' +read' : ''}`;
    case 'MsgSnap':
      return `${head} snapshot ${m.snapshot.metadata.index}/${m.snapshot.metadata.term} voters [${m.snapshot.metadata.confState.voters.join(' ')}]`;
    case 'MsgProp':
      return `${head} entries ${m.entries.length}`;
    case 'MsgReadIndexResp':
      return `${head} index ${m.index}`;
    case 'MsgTransferLeader':
      return `${head} to ${m.transferee}`;
    case 'MsgHeartbeatResp':
    case 'MsgTimeoutNow':
    case 'MsgReadIndex':
      return head;
  }
}

/** `first/term..last/term` of a run of entries, `-` if none. */
export function entryRange(entries: readonly Entry[]): string {
  if (entries.length === 0) return '-';
  const first = entries[0]!;
  const last = entries[entries.length - 1]!;
  return entries.length === 1 ? `${first.index}/${first.term}` : `${first.index}/${first.term}..${last.index}/${last.term}`;
}

function lastIndexOf(entries: readonly Entry[]): number {
  return entries.length === 0 ? 0 : entries[entries.length - 1]!.index;
}

/** The integers that identify a Ready in the hash. */
export function readyFields(node: number, ready: Ready): number[] {
  const hs = ready.hardState;
  return [
    100,
    node,
    hs === undefined ? -1 : hs.term,
    hs === undefined ? -1 : hs.vote,
    hs === undefined ? -1 : hs.commit,
    ready.entries.length,
    lastIndexOf(ready.entries),
    ready.committedEntries.length,
    lastIndexOf(ready.committedEntries),
    ready.messages.length,
    ready.messagesBeforePersist.length,
    ready.snapshot === undefined ? -1 : ready.snapshot.metadata.index,
    ready.readStates.length,
    ready.softState === undefined ? -1 : ready.softState.leader,
  ];
}

export function describeReady(node: number, ready: Ready): string {
  const parts = [`n${node} ready`];
  if (ready.softState !== undefined) parts.push(`soft ${ready.softState.role} leader ${ready.softState.leader}`);
  const hs = ready.hardState;
  if (hs !== undefined) parts.push(`hard t${hs.term} vote ${hs.vote} commit ${hs.commit}`);
  if (ready.snapshot !== undefined) parts.push(`snapshot ${ready.snapshot.metadata.index}/${ready.snapshot.metadata.term}`);
  if (ready.entries.length > 0) parts.push(`append [${entryRange(ready.entries)}]`);
  if (ready.committedEntries.length > 0) parts.push(`apply [${entryRange(ready.committedEntries)}]`);
  const sent = ready.messagesBeforePersist.length + ready.messages.length;
  if (sent > 0) parts.push(`msgs ${ready.messagesBeforePersist.length}+${ready.messages.length}`);
  if (ready.readStates.length > 0) parts.push(`reads ${ready.readStates.length}`);
  if (ready.mustSync) parts.push('sync');
  return parts.join(' ');
}
