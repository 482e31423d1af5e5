/**
 * Operating errors of the Raft core. Programmer errors (a broken invariant, a misused API) are
 * assertions and crash; these are the outcomes a correct caller must handle.
 */
import { RangedbError, type ErrorClass } from '../../src/base/errors.js';

/**
 * Why a proposal (or a read-index request, or a conf change) was refused:
 * - `noLeader`: this node knows no leader to forward to (an election is under way).
 * - `leadershipTransfer`: the leader is handing leadership over; retry at the new leader.
 * - `uncommittedSizeLimit`: the leader holds `maxUncommittedEntriesBytes` of uncommitted data.
 * - `notMember`: this leader was removed from the configuration.
 * - `confChangePending`: an earlier conf change is not applied yet.
 * - `jointConfig`: the configuration is joint; only the change that leaves it is accepted.
 * - `notJoint`: a leave-joint change was proposed outside a joint configuration.
 * - `invalidConfChange`: the change cannot apply to the current configuration (it would
 *   remove every voter, change two voters without joint consensus, …).
 */
export type ProposalDropReason =
  | 'noLeader'
  | 'leadershipTransfer'
  | 'uncommittedSizeLimit'
  | 'notMember'
  | 'confChangePending'
  | 'jointConfig'
  | 'notJoint'
  | 'invalidConfChange';

/**
 * The proposal was not appended to any log; it will never commit. Safe to retry (at the leader,
 * or later): nothing of it reached another node. A proposal that was *forwarded* to a leader and
 * dropped there is not reported — the proposer learns of it by never seeing it applied (etcd's
 * behaviour; the replica layer reproposes on a timeout).
 */
export class ProposalDroppedError extends RangedbError {
  readonly code = 'RAFT_PROPOSAL_DROPPED';
  readonly errorClass: ErrorClass;

  constructor(
    readonly reason: ProposalDropReason,
    detail?: string,
  ) {
    super(`raft proposal dropped: ${reason}${detail === undefined ? '' : ` (${detail})`}`);
    this.errorClass = reason === 'invalidConfChange' ? 'input' : 'unavailable';
  }
}

/**
 * A membership change that cannot be applied to the configuration it meets. Thrown by the
 * changer; `RawNode.applyConfChange` leaves the configuration untouched when it throws, and
 * because every replica applies the same entry to the same configuration, every replica reaches
 * the same verdict — the application treats the entry as a no-op.
 */
export class InvalidConfChangeError extends RangedbError {
  readonly code = 'RAFT_INVALID_CONF_CHANGE';
  readonly errorClass = 'input';
  override readonly sqlState = '22023'; // invalid_parameter_value
}
