/**
 * `Ready` and `RaftStatus`: what a `RawNode` hands the application. See index.ts for the
 * contract in full.
 */
import type { ProgressState } from './progress.js';
import type { ConfState, Entry, HardState, Message, RaftNodeId, RaftRole, ReadState, Snapshot, SoftState } from './types.js';

/**
 * One batch of work for the application. Do it in this order:
 *
 *   1. send `messagesBeforePersist` (may overlap with step 2);
 *   2. persist `snapshot` (if any), then append `entries`, then write `hardState` (if any) —
 *      synced to disk when `mustSync`;
 *   3. send `messages`;
 *   4. apply `snapshot` to the state machine, then `committedEntries` in order (calling
 *      `applyConfChange` for each conf change entry); serve `readStates` once applied up to
 *      their index;
 *   5. call `advance(ready)`.
 */
export interface Ready {
  /** The volatile state, if it changed since the last Ready (leader or role). */
  readonly softState: SoftState | undefined;
  /** Term, vote and commit index to persist, if they changed since the last Ready. */
  readonly hardState: HardState | undefined;
  /** Linearizable reads released since the last Ready, in request order. */
  readonly readStates: readonly ReadState[];
  /** Entries to append to storage (overwriting any entries at their indexes and above). */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader, to install before `entries`. */
  readonly snapshot: Snapshot | undefined;
  /** Committed entries to apply, in index order, each handed out exactly once. */
  readonly committedEntries: readonly Entry[];
  /**
   * The leader's appends and heartbeats to followers of a term already durable here. Safe to
   * send before step 2 (Raft thesis §10.2.1): they promise nothing about this node's storage,
   * and the leader counts its own entries toward a commit only after `advance()`.
   */
  readonly messagesBeforePersist: readonly Message[];
  /** Every other message: send only after step 2 — they may promise persisted state. */
  readonly messages: readonly Message[];
  /** Whether step 2 must be synced to disk (new entries, a snapshot, or a new term or vote). */
  readonly mustSync: boolean;
}

export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly isLearner: boolean;
  readonly recentActive: boolean;
  /** Sending appends is paused (probe in flight, window full, or snapshot). */
  readonly paused: boolean;
  readonly pendingSnapshot: number;
  /** Append messages in flight (replicate state). */
  readonly inflight: number;
}

export interface RaftStatus {
  readonly id: RaftNodeId;
  readonly term: number;
  readonly vote: RaftNodeId;
  readonly commit: number;
  readonly applied: number;
  readonly role: RaftRole;
  readonly leader: RaftNodeId;
  readonly lastIndex: number;
  /** The node a leadership transfer is under way to (leader only; 0: none). */
  readonly leadTransferee: RaftNodeId;
  readonly config: ConfState;
  /** On the leader: every member's progress (its own included), by id ascending. */
  readonly progress: ReadonlyMap<RaftNodeId, ProgressStatus> | undefined;
}
