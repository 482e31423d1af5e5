/**
 * # A deterministic simulation of the KV and transaction layers
 *
 * The store-level counterpart of src/sim/raft: one whole `Store` (through `openKv`, with its
 * DistSender, transactions, intent resolution, splits and merges) runs in one process on virtual
 * time from one seed, under two workloads with their checkers, while the process crashes and
 * restarts, clients abandon transactions half-way and the GC collects under the readers
 * (FoundationDB's simulation, TigerBeetle's VOPR). A failing seed is a bug, and replays exactly.
 *
 *      BankSim ─ transfers · scanner (checks every scan) · splits and merges
 *      RegisterSim ─ read-modify-write transactions, history checked for serializability
 *        (both: a seeded share of transactions written, then abandoned by their client)
 *      SnapshotSim ─ historical reads (AS OF) checked against a fresh read at that timestamp
 *      GcSim ─ every range collected at now − a TTL of milliseconds; a final sweep
 *      crash loop ─ kills the process at an engine commit, drops unsynced writes, restarts it
 *         │ SimNode.run (operations in flight at a crash fail with ProcessCrashedError)
 *         ▼
 *      SimNode ─ process n: SimEnv + SimEngine + openKv(...) ─┐ a crash kills its timers and
 *         │                                                   │ engine calls, then opens n+1
 *         ▼                                                   ▼ on what the disk kept
 *      Store ─ replicas, latches, lock table, Raft ─► SimEngine ─► MemoryEngine (synced image +
 *         │ SimEnv: virtual clock, timers           iterator steps and     unsynced commits,
 *         ▼         (scheduler events), seeded      commits complete       a crash keeps a prefix)
 *      Scheduler ◄─ random, silent logger           after seeded virtual delays
 *   (virtual µs, (time, sequence) order; the driver drains every promise continuation
 *    between two events, so the async code's interleaving is a function of the seed)
 *
 * - `env.ts`: `SimEnv` (clock, timers, random, disk; `kill()`) and `SimDriver` (runs events until
 *   a promise settles; a task still waiting past the deadline is a liveness failure).
 * - `engine.ts`: `SimEngine`, the delaying engine wrapper, where an armed crash strikes.
 * - `process.ts`: `SimNode`, the crashable process: a restart is `openKv` on the crashed
 *   `MemoryEngine` — the production start-up path (descriptors, Raft log replay from the applied
 *   index, the dead transactions' records and intents found where they were), not a copy.
 * - `clients.ts`: what the workload loops share (busy phase, client-side sleeps, operations in
 *   flight — the oldest protected one holds the GC below it); the clients live outside the
 *   process and survive its crashes.
 * - `abandon.ts`: a transaction whose client writes, heartbeats a while, then drops it (no
 *   commit, no rollback): the others must push it past the liveness threshold, abort it and
 *   resolve its intents, and the checkers hold it to "never committed".
 * - `gc.ts`: the MVCC GC (`gcRange`, what a queue pass runs) on every range during the
 *   workloads, the threshold held below the operations in flight; after them, once every
 *   abandoned or crashed coordinator is past the liveness threshold, a final GC and the check
 *   that its abandoned-intent cleanup left no intent below it.
 * - `snapshots.ts`: historical reads of the registers: the same values as a fresh read at that
 *   timestamp, or "before GC threshold" — only if the GC's threshold reached it.
 * - `bank.ts`: the bank workload and its checker (conservation, ledger, real time, no acknowledged
 *   transfer lost across crashes); `registers.ts` and `history.ts`: chained registers and the
 *   Elle-style dependency-graph checker (ww/wr/rw/real-time cycles, lost and aborted writes).
 * - `options.ts`: the profile drawn from the seed (the abandonment, GC and historical-read knobs
 *   from a stream of their own, so older knobs draw what they did); `simulation.ts`: one run, the crash loop,
 *   `KvSimFailure` with the replay command and the trace tail.
 * - `main.ts`: `npm run sim:kv -- --seeds N --start S` (or `--seed S --trace`).
 *
 * It reuses src/sim/raft's scheduler and trace. Only `test/` and `bench/` import this folder.
 */
export { simulateKv, simulateKvSeed, settleMsMax, KvSimFailure, type KvSimResult, type KvSeedRun } from './simulation.js';
export { optionsForSeed, describeOptions, defaultDurationMs, defaultTransfersMax, type KvSimOptions } from './options.js';
export { BankViolation, type BankStats } from './bank.js';
export { RegisterViolation, type RegisterStats } from './registers.js';
export { ProcessCrashedError } from './process.js';
export { GcViolation, type GcStats } from './gc.js';
export { HistoricalReadViolation, type SnapshotStats } from './snapshots.js';
