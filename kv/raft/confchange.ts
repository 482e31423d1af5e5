/**
 * Membership changes as pure functions from one configuration to the next (etcd's
 * `confchange.Changer`, without the progress bookkeeping: the tracker derives that from the
 * result). Three kinds:
 *
 * - **simple**: one voter added or removed (any number of learner changes): a majority of the
 *   old voters and a majority of the new ones always overlap, so it applies directly.
 * - **enter joint**: the old voters become the outgoing half, the changes build the incoming
 *   half; decisions then need both majorities (Raft thesis §4.3). With `autoLeave` the leader
 *   proposes the leave itself once the joint configuration is applied.
 * - **leave joint**: the outgoing half is dropped; voters demoted during the change
 *   (`learnersNext`) become learners.
 *
 * A change that would break an invariant (no voters, a node both learner and voter, a second
 * change while joint, two voters changed without joint consensus) throws
 * `InvalidConfChangeError` and leaves the configuration as it was.
 */
import { InvalidConfChangeError } from './errors.js';
import { isJoint, type TrackerConfig } from './tracker.js';
import type { ConfChange, ConfChangeSingle, RaftNodeId } from './types.js';

export type ConfChangeKind = 'simple' | 'enterJoint' | 'leaveJoint';

/**
 * How a change applies: no changes leaves the joint configuration; several changes, or an
 * `auto`/`explicit` transition, enter one; a single change with `simple` applies directly.
 */
export function confChangeKind(cc: ConfChange): ConfChangeKind {
  if (cc.changes.length === 0) return 'leaveJoint';
  if (cc.transition !== 'simple' || cc.changes.length > 1) return 'enterJoint';
  return 'simple';
}

/** Applies `cc` to `config`, returning the new configuration; throws `InvalidConfChangeError`. */
export function applyConfChangeTo(config: TrackerConfig, cc: ConfChange): TrackerConfig {
  switch (confChangeKind(cc)) {
    case 'leaveJoint':
      return leaveJoint(config);
    case 'enterJoint':
      // A multi-change `simple` proposal cannot apply directly: it enters a joint configuration
      // that is left automatically, as if `auto` were asked (etcd's ConfChangeTransitionAuto).
      return enterJoint(config, cc.transition !== 'explicit', cc.changes);
    case 'simple':
      return simpleChange(config, cc.changes);
  }
}

interface Draft {
  incoming: Set<RaftNodeId>;
  outgoing: Set<RaftNodeId>;
  learners: Set<RaftNodeId>;
  learnersNext: Set<RaftNodeId>;
  autoLeave: boolean;
}

function draftOf(config: TrackerConfig): Draft {
  return {
    incoming: new Set(config.voters.incoming),
    outgoing: new Set(config.voters.outgoing),
    learners: new Set(config.learners),
    learnersNext: new Set(config.learnersNext),
    autoLeave: config.autoLeave,
  };
}

function finish(draft: Draft): TrackerConfig {
  const config: TrackerConfig = {
    voters: { incoming: draft.incoming, outgoing: draft.outgoing },
    learners: draft.learners,
    learnersNext: draft.learnersNext,
    autoLeave: draft.autoLeave,
  };
  checkConfigInvariants(config);
  return config;
}

function fail(message: string): never {
  throw new InvalidConfChangeError(message);
}

/** One voter (at most) changes; the configuration must not be joint. */
export function simpleChange(config: TrackerConfig, changes: readonly ConfChangeSingle[]): TrackerConfig {
  if (isJoint(config)) fail("can't apply simple config change in joint config");
  const draft = draftOf(config);
  applyChanges(draft, changes);
  let changed = 0;
  for (const id of draft.incoming) if (!config.voters.incoming.has(id)) changed++;
  for (const id of config.voters.incoming) if (!draft.incoming.has(id)) changed++;
  if (changed > 1) fail('more than one voter changed without entering joint config');
  return finish(draft);
}

/** Enters a joint configuration: outgoing = the current voters, incoming = them after `changes`. */
export function enterJoint(config: TrackerConfig, autoLeave: boolean, changes: readonly ConfChangeSingle[]): TrackerConfig {
  if (isJoint(config)) fail('config is already joint');
  if (config.voters.incoming.size === 0) fail("can't make a zero-voter config joint");
  const draft = draftOf(config);
  draft.outgoing = new Set(draft.incoming);
  applyChanges(draft, changes);
  draft.autoLeave = autoLeave;
  return finish(draft);
}

/** Leaves the joint configuration: outgoing voters go, demoted voters become learners. */
export function leaveJoint(config: TrackerConfig): TrackerConfig {
  if (!isJoint(config)) fail("can't leave a non-joint config");
  const draft = draftOf(config);
  for (const id of draft.learnersNext) draft.learners.add(id);
  draft.learnersNext.clear();
  draft.outgoing.clear();
  draft.autoLeave = false;
  return finish(draft);
}

function applyChanges(draft: Draft, changes: readonly ConfChangeSingle[]): void {
  for (const change of changes) {
    const id = change.nodeId;
    if (!Number.isSafeInteger(id) || id <= 0) fail(`invalid node id ${id}`);
    switch (change.type) {
      case 'addNode':
        makeVoter(draft, id);
        break;
      case 'addLearner':
        makeLearner(draft, id);
        break;
      case 'removeNode':
        remove(draft, id);
        break;
      default:
        fail(`unknown conf change type ${String((change as { type: unknown }).type)}`);
    }
  }
  if (draft.incoming.size === 0) fail('removed all voters');
}

function makeVoter(draft: Draft, id: RaftNodeId): void {
  draft.incoming.add(id);
  draft.learners.delete(id);
  draft.learnersNext.delete(id);
}

function makeLearner(draft: Draft, id: RaftNodeId): void {
  if (draft.learners.has(id)) return;
  remove(draft, id);
  // A voter of the outgoing half cannot be a learner while it still votes there: it becomes one
  // when the joint configuration is left.
  if (draft.outgoing.has(id)) draft.learnersNext.add(id);
  else draft.learners.add(id);
}

function remove(draft: Draft, id: RaftNodeId): void {
  draft.incoming.delete(id);
  draft.learners.delete(id);
  draft.learnersNext.delete(id);
}

/** The invariants every configuration satisfies; throws `InvalidConfChangeError` if one fails. */
export function checkConfigInvariants(config: TrackerConfig): void {
  const { incoming, outgoing } = config.voters;
  for (const id of config.learnersNext) {
    if (!outgoing.has(id)) fail(`${id} is in learners_next, but is not an outgoing voter`);
    if (config.learners.has(id)) fail(`${id} is in learners_next, but is already a learner`);
  }
  for (const id of config.learners) {
    if (incoming.has(id)) fail(`${id} is both a learner and an incoming voter`);
    if (outgoing.has(id)) fail(`${id} is both a learner and an outgoing voter`);
  }
  if (outgoing.size === 0) {
    if (config.learnersNext.size > 0) fail('learners_next must be empty outside a joint config');
    if (config.autoLeave) fail('autoleave must be false outside a joint config');
  }
}

/** `v2 l3 r4`, as etcd prints changes; `leave-joint` for an empty change; the transition if not simple. */
export function describeConfChange(cc: ConfChange): string {
  if (cc.changes.length === 0) return 'leave-joint';
  const prefix = { addNode: 'v', addLearner: 'l', removeNode: 'r' } as const;
  const changes = cc.changes.map((c) => `${prefix[c.type]}${c.nodeId}`).join(' ');
  return cc.transition === 'simple' ? changes : `${changes} (${cc.transition})`;
}
