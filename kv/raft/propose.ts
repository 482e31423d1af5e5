/**
 * The leader accepting proposals: batching them into its log, refusing them while it cannot
 * take them (transfer under way, uncommitted data over its limit, removed from the group), and
 * guarding membership changes — one at a time, none but the leave while joint, each valid for
 * the configuration it will meet.
 *
 * Batching: accepted proposals are appended at once but sent with the next Ready (see
 * `flushAppends`), so everything proposed within one Ready cycle shares append messages.
 *
 * A refused proposal from this node's own API throws `ProposalDroppedError`. A refused
 * proposal forwarded by a follower is dropped (logged); a refused conf change in a forwarded
 * batch is replaced by an empty normal entry, as etcd does, so the rest of the batch proceeds.
 */
import { encodeConfChange, decodeConfChange } from './confchange-codec.js';
import { applyConfChangeTo, confChangeKind, describeConfChange } from './confchange.js';
import { InvalidConfChangeError, type ProposalDropReason } from './errors.js';
import type { Raft } from './raft.js';
import { appendEntries } from './replicate.js';
import { describeConfig, isJoint } from './tracker.js';
import { noNode, type EntryType, type ProposalMessage } from './types.js';

interface Proposal {
  readonly type: EntryType;
  readonly data: Uint8Array;
}

export function leaderPropose(r: Raft, m: ProposalMessage): void {
  if (!r.tracker.progress.has(r.id)) {
    r.dropRequest(m, 'notMember', `${r.id} was removed from the configuration`);
    return;
  }
  if (r.leadTransferee !== noNode) {
    r.dropRequest(m, 'leadershipTransfer', `transfer leadership to ${r.leadTransferee} is in progress`);
    return;
  }
  const proposals: Proposal[] = [];
  // Set only once the batch is appended; a second conf change in the batch sees the first.
  let pendingConfIndex = r.pendingConfIndex;
  for (let i = 0; i < m.entries.length; i++) {
    const entry = m.entries[i]!;
    if (entry.type !== 'confChange') {
      proposals.push({ type: entry.type, data: entry.data });
      continue;
    }
    const refusal = confChangeRefusal(r, pendingConfIndex, entry.data);
    if (refusal === undefined) {
      pendingConfIndex = r.raftLog.lastIndex() + i + 1;
      proposals.push({ type: entry.type, data: entry.data });
      continue;
    }
    r.log(`${r.id} ignoring conf change at config ${describeConfig(r.tracker.config)}: ${refusal.detail}`);
    if (m.from === r.id) {
      r.dropRequest(m, refusal.reason, refusal.detail);
      return;
    }
    proposals.push({ type: 'normal', data: new Uint8Array(0) });
  }
  if (!appendEntries(r, proposals)) {
    r.log(`${r.id} appending new entries to log would exceed uncommitted entry size limit; dropping proposal`);
    r.dropRequest(m, 'uncommittedSizeLimit', `${r.uncommittedSize} bytes uncommitted`);
    return;
  }
  r.pendingConfIndex = pendingConfIndex;
  // No broadcast here: the appends go out when the application next takes a Ready
  // (flushAppends), so proposals arriving within one Ready cycle travel together — one append
  // per follower carrying them all, rather than one per proposal.
}

/** Why a conf change may not be proposed now, or undefined if it may. */
function confChangeRefusal(r: Raft, pendingConfIndex: number, data: Uint8Array): { reason: ProposalDropReason; detail: string } | undefined {
  if (pendingConfIndex > r.raftLog.applied) {
    return { reason: 'confChangePending', detail: `possible unapplied conf change at index ${pendingConfIndex} (applied to ${r.raftLog.applied})` };
  }
  let cc;
  try {
    cc = decodeConfChange(data);
  } catch (error) {
    if (!(error instanceof InvalidConfChangeError)) throw error;
    return { reason: 'invalidConfChange', detail: error.message };
  }
  const joint = isJoint(r.tracker.config);
  const leaves = confChangeKind(cc) === 'leaveJoint';
  if (joint && !leaves) return { reason: 'jointConfig', detail: 'must transition out of joint config first' };
  if (!joint && leaves) return { reason: 'notJoint', detail: 'not in joint state; refusing empty conf change' };
  try {
    // No conf change is pending, so the tracker's configuration is the one this change meets.
    applyConfChangeTo(r.tracker.config, cc);
  } catch (error) {
    if (!(error instanceof InvalidConfChangeError)) throw error;
    return { reason: 'invalidConfChange', detail: `${describeConfChange(cc)}: ${error.message}` };
  }
  return undefined;
}

/**
 * Once a joint configuration entered with `autoLeave` is applied, the leader proposes leaving
 * it. If that is refused (a transfer is under way) it is tried again after the next apply.
 */
export function maybeAutoLeave(r: Raft): void {
  const config = r.tracker.config;
  if (r.role !== 'leader' || !config.autoLeave || r.raftLog.applied < r.pendingConfIndex) return;
  const m: ProposalMessage = {
    type: 'MsgProp',
    from: noNode, // not this node's API: a refusal is logged, not thrown
    to: r.id,
    term: 0,
    entries: [{ term: 0, index: 0, type: 'confChange', data: encodeConfChange({ changes: [], transition: 'simple' }) }],
  };
  const pendingBefore = r.pendingConfIndex;
  leaderPropose(r, m);
  if (r.pendingConfIndex !== pendingBefore) r.log(`${r.id} initiating automatic transition out of joint configuration ${describeConfig(config)}`);
  else r.log(`${r.id} not initiating automatic transition out of joint configuration ${describeConfig(config)}`);
}
