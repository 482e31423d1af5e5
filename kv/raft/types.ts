/**
 * The data of Raft: log entries, persistent state, configurations, snapshots and messages.
 * Everything here is a plain immutable value (no methods), so the core, the storage, the network
 * and the tests share one vocabulary. Node ids are positive integers (`RaftNodeId`); in rangedb a
 * range's Raft node id is its replica id.
 *
 * Names follow the Raft paper and etcd-io/raft. `term` is the generation clock: a node that sees
 * a higher term steps down; a message from a lower term is stale.
 */

/** A Raft node id (a replica id within one range); 0 means "none". */
export type RaftNodeId = number;
export const noNode: RaftNodeId = 0;

export type EntryType = 'normal' | 'confChange';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** The command (normal) or an encoded `ConfChange` (confChange); empty for the leader's no-op. */
  readonly data: Uint8Array;
}

/** State that must be on stable storage before any message that depends on it is sent. */
export interface HardState {
  readonly term: number;
  /** Who this node voted for in `term` (0: nobody). */
  readonly vote: RaftNodeId;
  /** The highest index known to be committed (the high-water mark). */
  readonly commit: number;
}

export const emptyHardState: HardState = Object.freeze({ term: 0, vote: noNode, commit: 0 });

/**
 * The membership of a group. In a joint configuration (`votersOutgoing` non-empty) a decision
 * needs a majority of `voters` AND a majority of `votersOutgoing`.
 */
export interface ConfState {
  readonly voters: readonly RaftNodeId[];
  readonly learners: readonly RaftNodeId[];
  /** The old voters while in a joint configuration; empty otherwise. */
  readonly votersOutgoing: readonly RaftNodeId[];
  /** Voters of the outgoing config that become learners when the joint config is left. */
  readonly learnersNext: readonly RaftNodeId[];
  /** Leave the joint configuration automatically once it is committed. */
  readonly autoLeave: boolean;
}

export const emptyConfState: ConfState = Object.freeze({ voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false });

export type ConfChangeType = 'addNode' | 'addLearner' | 'removeNode';

export interface ConfChangeSingle {
  readonly type: ConfChangeType;
  readonly nodeId: RaftNodeId;
}

/**
 * A membership change. One change on a non-joint config is applied directly (one voter more or
 * less cannot break quorum overlap). Several changes, or `transition: 'explicit' | 'auto'` with
 * one, enter a joint configuration; an empty `changes` list leaves it.
 */
export interface ConfChange {
  readonly changes: readonly ConfChangeSingle[];
  /** `auto`: the leader proposes the leave itself once the joint config commits. */
  readonly transition: 'simple' | 'auto' | 'explicit';
}

export interface SnapshotMetadata {
  /** The last index the snapshot covers, and its term. */
  readonly index: number;
  readonly term: number;
  /** The configuration as of `index`. */
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  /** The application's state machine as of `metadata.index` (opaque to Raft). */
  readonly data: Uint8Array;
}

/** Messages between Raft nodes; `type` discriminates. All carry `from`, `to` and `term`. */
export type Message =
  | AppendMessage
  | AppendResponseMessage
  | VoteMessage
  | VoteResponseMessage
  | HeartbeatMessage
  | HeartbeatResponseMessage
  | SnapshotMessage
  | TimeoutNowMessage
  | ProposalMessage
  | ReadIndexMessage
  | ReadIndexResponseMessage
  | TransferLeaderMessage;

interface MessageBase {
  readonly from: RaftNodeId;
  readonly to: RaftNodeId;
  readonly term: number;
}

/** Leader → follower: entries after (logTerm, index), and the leader's commit index. */
export interface AppendMessage extends MessageBase {
  readonly type: 'MsgApp';
  readonly logTerm: number;
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

/**
 * Follower → leader. Accepted: `index` is the follower's last index matching the leader.
 * Rejected: `index` is the rejected append's index; `rejectHint`/`logTerm` point the leader to
 * where the logs may match (the fast log backtracking of etcd raft).
 */
export interface AppendResponseMessage extends MessageBase {
  readonly type: 'MsgAppResp';
  readonly index: number;
  readonly reject: boolean;
  readonly rejectHint: number;
  readonly logTerm: number;
}

/** Candidate → all: a (pre-)vote request with the candidate's last log position. */
export interface VoteMessage extends MessageBase {
  readonly type: 'MsgVote' | 'MsgPreVote';
  readonly logTerm: number;
  readonly index: number;
  /** Set when campaigning because of a leadership transfer: voters ignore their leader lease. */
  readonly transfer: boolean;
}

export interface VoteResponseMessage extends MessageBase {
  readonly type: 'MsgVoteResp' | 'MsgPreVoteResp';
  readonly reject: boolean;
}

/** Leader → follower: liveness, and the commit index (capped at what the follower has). */
export interface HeartbeatMessage extends MessageBase {
  readonly type: 'MsgHeartbeat';
  readonly commit: number;
  /** A read-index request id this heartbeat confirms leadership for, if any. */
  readonly context: Uint8Array;
}

export interface HeartbeatResponseMessage extends MessageBase {
  readonly type: 'MsgHeartbeatResp';
  readonly context: Uint8Array;
}

export interface SnapshotMessage extends MessageBase {
  readonly type: 'MsgSnap';
  readonly snapshot: Snapshot;
}

/** Leader → transferee: campaign now, ignoring the election timeout (leadership transfer). */
export interface TimeoutNowMessage extends MessageBase {
  readonly type: 'MsgTimeoutNow';
}

/** Follower → leader: proposals forwarded to the leader. */
export interface ProposalMessage extends MessageBase {
  readonly type: 'MsgProp';
  readonly entries: readonly Entry[];
}

/** Follower → leader: a read-index request forwarded to the leader. */
export interface ReadIndexMessage extends MessageBase {
  readonly type: 'MsgReadIndex';
  readonly context: Uint8Array;
}

/** Leader → follower: the commit index at which the forwarded read may be served. */
export interface ReadIndexResponseMessage extends MessageBase {
  readonly type: 'MsgReadIndexResp';
  readonly context: Uint8Array;
  readonly index: number;
}

/** Follower → leader: a request to transfer leadership to `transferee`. */
export interface TransferLeaderMessage extends MessageBase {
  readonly type: 'MsgTransferLeader';
  readonly transferee: RaftNodeId;
}

export type MessageType = Message['type'];

/** Role of a node. PreCandidate runs a pre-vote round that does not disturb the term. */
export type RaftRole = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** Volatile state worth telling the application about when it changes. */
export interface SoftState {
  readonly leader: RaftNodeId;
  readonly role: RaftRole;
}

/** A linearizable read that may be served once the application has applied `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: Uint8Array;
}
