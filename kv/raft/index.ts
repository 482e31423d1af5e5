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
 *   commit never depends on an entry the leader has not persisted. (A leader that is its group's
 *   only member, no learners, commits the entries of the Ready that hands them out: it has no
 *   one to send that commit index to, and they are applied only once the Ready is persisted.)
 * - `committedEntries` may be applied once `entries` and `hardState` are persisted; they are
 *   handed out in index order, exactly once, and never beyond what was persisted.
 * - `advance(ready)` tells the core that all of it was done; the next `ready()` starts after it.
 *   While a Ready is outstanding `hasReady()` is false and `ready()` asserts.
 * - A new leader's appends go in `messagesBeforePersist` only once its term is durable (the
 *   hard state of an earlier Ready); in the Ready that first records the term they wait in
 *   `messages`, so a leader that crashes before persisting its term has never spoken in it.
 *
 * ## Bootstrapping and membership
 *
 * A group starts from storage whose snapshot names the voters: on every initial member,
 * `MemoryStorage.applySnapshot({ metadata: { index: 1, term: 1, confState: { voters: [1, 2, 3],
 * … } }, data })`. Bootstrap above index 0 (CockroachDB's `raftInitialLogIndex`): a member added
 * later starts with empty storage, and since the log then has no entry 1 for it, the leader
 * catches it up with a snapshot, which carries the configuration. (From a bootstrap at index 0
 * it would replay the log from entry 1 without knowing the initial voters.) For the same reason
 * `LogStorage.snapshot()` should describe the application's current state and configuration
 * (built on demand, as CockroachDB does), not only the last compaction point: a node that is not
 * in a snapshot's configuration ignores it.
 * A restart with `config.applied` past the snapshot must find, in `initialState().confState`,
 * the configuration as of that index: the application persists what `applyConfChange` returns
 * (`MemoryStorage.setConfState`).
 *
 * Conf changes travel as `confChange` entries (`encodeConfChange`); the application applies each
 * committed one with `applyConfChange`. The leader refuses a conf change proposed through its
 * own API with `ProposalDroppedError` (`confChangePending`, `jointConfig`, `notJoint`,
 * `invalidConfChange`); one forwarded by a follower is replaced by an empty entry (etcd's way).
 *
 * ## Obligations of the transport
 *
 * Every `MsgSnap` handed out must be reported with `reportSnapshot(to, 'finish' | 'failure')`
 * once the transport knows whether it arrived; until then the leader sends that follower only
 * heartbeats. `reportUnreachable(to)` after a failed send makes the leader probe instead of
 * pipelining into the void.
 *
 * ## Batching and pipelining
 *
 * Proposals are appended at once but sent when the next Ready is taken, so everything proposed
 * in one Ready cycle shares one append per follower (up to `maxMessageBytes`); a follower in the
 * replicate state has up to `maxInflightMessages` appends in flight.
 *
 * ## Where the code lives
 *
 *     rawnode.ts, ready.ts      the API: RawNode, Ready, status, quiescence
 *     raft.ts                   node state, role transitions, term rules, votes, restore, conf switch
 *     election.ts               election timer, campaign (pre-vote, transfer), vote counting
 *     step-follower.ts          follower role; append/heartbeat/snapshot handling
 *     step-candidate.ts         (pre-)candidate role
 *     step-leader.ts            leader role: responses, transfer, heartbeat tick, check-quorum
 *     propose.ts                the leader accepting proposals and conf changes, auto-leave
 *     replicate.ts              sending appends/snapshots/heartbeats, commit advancement
 *     read-index.ts, read-only.ts   linearizable reads
 *     log.ts, unstable.ts       the log: storage + unstable tail, committed/applied
 *     tracker.ts, progress.ts, inflights.ts, quorum.ts   per-follower progress, flow control, quorums
 *     confchange.ts, confchange-codec.ts   membership changes and their encoding
 *     config.ts, errors.ts, describe.ts    configuration, errors, log/test formatting
 */
export * from './types.js';
export * from './storage.js';
export type { RaftConfig, RaftRandom, RaftLogger } from './config.js';
export { RawNode } from './rawnode.js';
export type { Ready, RaftStatus, ProgressStatus } from './ready.js';
export type { ProgressState } from './progress.js';
export { ProposalDroppedError, InvalidConfChangeError, type ProposalDropReason } from './errors.js';
export { encodeConfChange, decodeConfChange } from './confchange-codec.js';
export { confChangeKind, describeConfChange, type ConfChangeKind } from './confchange.js';
export { describeMessage, describeEntry, describeEntries, describeConfState, describeHardState, describeSnapshot, describeData } from './describe.js';
