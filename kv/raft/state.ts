/**
 * `RaftState`: the fields of a Raft node that the leader's helpers (replication, read index)
 * read and write. `Raft` (raft.ts) implements it; the helpers take this interface rather than
 * the class so that `raft.ts` can use them without an import cycle.
 */
import type { ResolvedRaftConfig } from './config.js';
import type { RaftLog } from './log.js';
import type { ReadOnly } from './read-only.js';
import type { ProgressTracker } from './tracker.js';
import type { Message, RaftNodeId, RaftRole, ReadIndexMessage, ReadState } from './types.js';

export interface RaftState {
  readonly id: RaftNodeId;
  readonly config: ResolvedRaftConfig;
  /** The current term (the generation clock). */
  term: number;
  /** Whom this node voted for in `term` (0: nobody). */
  vote: RaftNodeId;
  /** The leader this node knows in `term` (0: none). */
  lead: RaftNodeId;
  role: RaftRole;
  readonly raftLog: RaftLog;
  readonly tracker: ProgressTracker;
  /** Read-index requests awaiting their heartbeat confirmation (leader). */
  readOnly: ReadOnly;
  /** Read-index requests deferred until the leader commits an entry of its term. */
  pendingReadIndexMessages: ReadIndexMessage[];
  /** Reads released for the application, handed out in the next Ready. */
  readStates: ReadState[];
  /** Messages to send, handed out in the next Ready. */
  msgs: Message[];
  /** The node leadership is being transferred to (leader; 0: none). */
  leadTransferee: RaftNodeId;
  /** Bytes of entry data appended by this leader and not yet committed. */
  uncommittedSize: number;
  /** The index of the latest conf change this leader may have proposed; none other until it is applied. */
  pendingConfIndex: number;
  electionElapsed: number;
  heartbeatElapsed: number;
}
