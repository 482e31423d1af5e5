/**
 * # kv/replica: ranges on a store
 *
 * A **range** is a key span `[start, end)` (key-range partitions) replicated by its own Raft
 * group; a **replica** is its member on one store; the **store** holds every replica of one
 * engine. This folder turns kv/raft (consensus), kv/eval (commands), kv/concurrency (isolation
 * between concurrent requests) and kv/storage (MVCC) into a transactional, range-partitioned
 * key-value server. Today every range has one voter (this store): adding nodes adds a transport,
 * voters and routing, not a different path.
 *
 * ```
 *   Store.send(batch) ──route by range id──► Replica.send
 *     lease (leader and followers: only the leaseholder evaluates)
 *     RequestSequencer (concurrency.ts): span latches ─► lock table ─► wait / push ─► evaluate
 *     timestamp cache: writes move above earlier reads (serializability)
 *     evaluateBatch ─► ReplicatedCommand (command.ts) ─► Raft propose
 *   Store scheduler — the singular update queue: one Ready cycle at a time for all replicas
 *     stage log entries + hard state + applied commands into ONE engine batch ─► commit (synced
 *     if any Ready needs it) ─► advance ─► install applied state ─► answer proposers
 * ```
 *
 * Patterns, by file:
 * - `store.ts` — **group commit** over every range (one fsync per cycle), the **replicated log**
 *   applied in order, bootstrap of range 1, reload on restart, the store-wide **timestamp cache**
 *   (whose floor, a **low-water mark**, is the store's start), asynchronous intent resolution
 *   (**request batch**: resolutions grouped per send).
 * - `replica.ts` — **leader and followers** and the **lease** (a new lease starts above all an old
 *   one could have served; commands evaluated under a lost lease apply as no-ops), **versioned
 *   values** through MVCC, the **high-water mark** (Raft's commit index) and the applied index.
 * - `command.ts` — what is replicated: evaluated writes, a stats delta, and effects (lease,
 *   split, merge, GC threshold). Apply is deterministic (proposer-evaluated KV).
 * - `concurrency.ts` — the **waiting list**: span latches and per-key lock queues; the
 *   distinguished waiter pushes the holder soon, every other transactional waiter after a
 *   deadlock-detection delay.
 * - `txn-wait.ts` — pushers that lost wait for the pushee (**state watch** on its record):
 *   released when it finalizes, re-pushing periodically to catch an abandoned one (no
 *   **heartbeat** within the liveness threshold), and breaking waits-for cycles (deadlock
 *   detection) by force-aborting the victim.
 * - `split-merge.ts` — splits and merges as transactions with commit triggers; the descriptor's
 *   generation is a **generation clock** (stale routing is detected by it).
 * - `raft-log.ts`, `raft-log-codec.ts`, `raft-entry-cache.ts` — the **write-ahead log** of each
 *   range in the shared engine, its truncated state (the log's **low-water mark**), a bounded
 *   cache of its tail.
 * - `replica-state.ts` — applied state, lease, GC threshold and the descriptor copy; how a new
 *   range's state is laid down.
 * - `gc-queue.ts` — the MVCC GC queue (a **singular update queue** on the store's timers): past
 *   the `kv.gc.ttl_seconds` TTL it raises each range's GC threshold (a **low-water mark** of
 *   reads, held below the oldest open reader: a **protected timestamp**), removes the versions
 *   only reads below it could see, and aborts abandoned transactions whose old intents it meets.
 *
 * Not yet: more than one replica per range (transport, snapshots to followers, replica changes,
 * the allocator), log truncation by a queue, quiescence, follower reads, closed timestamps,
 * node liveness (epoch leases are held at epoch 1), a finalized-transaction record GC (records
 * stay: gc-queue.ts's closing note says what removing them needs first).
 */
export * from './raft-log.js';
export * from './raft-log-codec.js';
export { RaftEntryCache } from './raft-entry-cache.js';
export { Store, StoreFailedError, type StoreConfig } from './store.js';
export { Replica } from './replica.js';
export { DescriptorChangedError } from './split-merge.js';
export { PushCancelledError } from './concurrency.js';
