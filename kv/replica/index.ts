/**
 * # kv/replica: a range's replica on a store
 *
 * A replica is one member of a range's Raft group on one store: it persists the group's log and
 * hard state in the store's engine, proposes evaluated commands through Raft, applies committed
 * ones to its state machine, and (on the leaseholder) serves reads and evaluates writes.
 *
 * Built so far: the Raft log storage — `RaftLogStorage` (raft-log.ts), the `LogStorage` of one
 * range over the store's engine, with writes staged into the store's shared group-commit batch
 * and a bounded cache of the log tail (raft-entry-cache.ts; encodings in raft-log-codec.ts).
 * Next (issue 5): the Replica (lease, latches and lock table, evaluation, propose/apply), the
 * Store (bootstrap range 1, reload replicas, route batches) and the Ready scheduler.
 */
export * from './raft-log.js';
export * from './raft-log-codec.js';
export { RaftEntryCache } from './raft-entry-cache.js';
