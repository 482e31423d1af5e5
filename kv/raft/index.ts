/**
 * # Raft: a sans-I/O consensus core
 *
 * Each range of rangedb is replicated by its own Raft group (leader and followers, a replicated
 * log, majority quorum). This folder is the consensus algorithm and nothing else: a synchronous,
 * deterministic state machine in the style of etcd-io/raft's `RawNode`. It has no timers (time
 * is counted in `tick()`s), no network (messages are returned, delivered by the caller), no disk
 * (entries and state to persist are returned; the log is read through `LogStorage`) and no
 * randomness of its own (the election jitter comes from an injected source).
 *
 *      application ──propose/campaign/readIndex──►┌──────────┐◄── step(message) ── network
 *      (the range)  ◄──────── Ready ──────────────│ RawNode  │
 *            │  persist entries + hard state       │  (Raft)  │──── tick() ◄── timer
 *            │  send messages, apply committed     └──────────┘
 *            └──────────── advance(ready) ──────────────►
 *
 * Patterns: the term is the generation clock; the commit index is the high-water mark; the
 * compacted prefix's end is the low-water mark; heartbeats carry the commit index; a leader
 * steps down without a quorum of recent contact (check-quorum) — a lease-like guard.
 *
 * ## The API (`rawnode.ts`)
 *
 *     const node = new RawNode({ id, storage, electionTicks: 10, heartbeatTicks: 1, random, … });
 *     node.tick();                      // called every tick interval
 *     node.step(message);               // every message from the network addressed to `id`
 *     node.propose(data);               // leader only; forwarded by followers; throws ProposalDroppedError
 *     node.proposeConfChange(change);
 *     node.campaign();                  // start an election now (tests, bootstrap)
 *     node.transferLeadership(id);
 *     node.readIndex(context);          // linearizable read: answered as a ReadState in Ready
 *     if (node.hasReady()) {
 *       const ready = node.ready();
 *       send(ready.messagesBeforePersist); // safe to send before persisting (see below)
 *       storage.append(ready.entries); storage.setHardState(ready.hardState); …  // sync if ready.mustSync
 *       send(ready.messages);
 *       apply(ready.committedEntries);     // conf changes: node.applyConfChange(change)
 *       node.advance(ready);
 *     }
 *
 * ## The `Ready` contract
 *
 * - `entries`, `hardState` and `snapshot` must be written to stable storage (synced when
 *   `mustSync`) before any message in `messages` is sent: those messages (votes, append
 *   acknowledgements) promise the receiver that the state is durable.
 * - `messagesBeforePersist` holds only the leader's appends and heartbeats to followers. They
 *   may be sent before the leader's own entries are durable (Raft thesis §10.2.1): the leader
 *   counts itself toward a commit only once its own append is acknowledged by `advance()`, so a
 *   commit never depends on an entry the leader has not persisted.
 * - `committedEntries` may be applied once `entries` and `hardState` are persisted; they are
 *   handed out in index order, exactly once, and never beyond what was persisted.
 * - `advance(ready)` tells the core that all of it was done; the next `ready()` starts after it.
 */
export * from './types.js';
export * from './storage.js';
