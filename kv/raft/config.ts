/**
 * `RaftConfig`: what a Raft node is built from. Everything nondeterministic is injected (the
 * election jitter's random source) and every limit has a default from `src/base/limits`.
 */
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import type { LogStorage } from './storage.js';
import type { RaftNodeId } from './types.js';

/** A deterministic random source: `int(bound)` returns an integer in `[0, bound)`. */
export interface RaftRandom {
  int(bound: number): number;
}

/** Receives one human-readable line per event (`1 became leader at term 2`). Deterministic. */
export type RaftLogger = (line: string) => void;

export interface RaftConfig {
  /** This node's id; non-zero. */
  readonly id: RaftNodeId;
  /** The persisted log, hard state and configuration (read only; the caller writes it). */
  readonly storage: LogStorage;
  /**
   * Ticks without hearing from a leader before a follower campaigns. The actual timeout is
   * drawn from `[electionTicks, 2 * electionTicks)` at every role change, so that nodes rarely
   * campaign together. A leader with `checkQuorum` steps down after this many ticks without a
   * quorum of recent contact, and aborts a leadership transfer that takes longer.
   */
  readonly electionTicks: number;
  /** Ticks between the leader's heartbeats; must be less than `electionTicks`. */
  readonly heartbeatTicks: number;
  /** The source of the election jitter (no `Math.random` in a sans-I/O core). */
  readonly random: RaftRandom;
  /**
   * The last index the application has applied (its state machine is at), when restarting.
   * Defaults to the storage snapshot's index. Entries above it and at most the commit index are
   * handed out again in the first `Ready`. Must be at most the commit index of the storage's
   * hard state (asserted, as etcd's `Config.Applied`): an application that may persist its
   * applied index ahead of the hard state forwards the commit index it loads.
   */
  readonly applied?: number;
  /** Most bytes of entries (`entrySize`) in one append message; also caps `committedEntries` per Ready. */
  readonly maxMessageBytes?: number;
  /** Most append messages in flight to one follower in the replicate state. */
  readonly maxInflightMessages?: number;
  /** Most bytes of entry data the leader holds uncommitted; proposals beyond are dropped. */
  readonly maxUncommittedEntriesBytes?: number;
  /** Run a pre-vote round before a real election, so a partitioned node cannot inflate terms. Default false. */
  readonly preVote?: boolean;
  /**
   * The leader steps down without a quorum of recent contact within an election timeout, and
   * followers that heard from a leader within an election timeout refuse (pre-)votes (the
   * leader lease). Default false.
   */
  readonly checkQuorum?: boolean;
  readonly logger?: RaftLogger;
}

/** `RaftConfig` with every default filled in. */
export interface ResolvedRaftConfig {
  readonly id: RaftNodeId;
  readonly storage: LogStorage;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly random: RaftRandom;
  readonly applied: number | undefined;
  readonly maxMessageBytes: number;
  readonly maxInflightMessages: number;
  readonly maxUncommittedEntriesBytes: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly logger: RaftLogger | undefined;
}

function positive(value: number, what: string): void {
  assert(Number.isSafeInteger(value), () => `raft config: ${what} must be an integer, got ${value}`);
  assert(value > 0, () => `raft config: ${what} must be positive, got ${value}`);
}

/** Validates a config (misconfiguration is a programmer error: it asserts) and fills defaults. */
export function resolveConfig(config: RaftConfig): ResolvedRaftConfig {
  positive(config.id, 'id');
  positive(config.electionTicks, 'electionTicks');
  positive(config.heartbeatTicks, 'heartbeatTicks');
  assert(config.heartbeatTicks < config.electionTicks, 'raft config: heartbeatTicks must be less than electionTicks');
  const resolved: ResolvedRaftConfig = {
    id: config.id,
    storage: config.storage,
    electionTicks: config.electionTicks,
    heartbeatTicks: config.heartbeatTicks,
    random: config.random,
    applied: config.applied,
    maxMessageBytes: config.maxMessageBytes ?? limits.raftMessageBytesMax,
    maxInflightMessages: config.maxInflightMessages ?? limits.raftInflightMessagesMax,
    maxUncommittedEntriesBytes: config.maxUncommittedEntriesBytes ?? limits.raftUncommittedEntriesBytesMax,
    preVote: config.preVote ?? false,
    checkQuorum: config.checkQuorum ?? false,
    logger: config.logger,
  };
  positive(resolved.maxMessageBytes, 'maxMessageBytes');
  positive(resolved.maxInflightMessages, 'maxInflightMessages');
  positive(resolved.maxUncommittedEntriesBytes, 'maxUncommittedEntriesBytes');
  if (resolved.applied !== undefined) assert(Number.isSafeInteger(resolved.applied) && resolved.applied >= 0, 'raft config: applied must be a non-negative integer');
  return resolved;
}
