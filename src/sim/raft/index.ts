/**
 * # A deterministic simulation of Raft groups
 *
 * The randomized half of the Raft core's tests (issue 4; the golden interaction scripts are the
 * other half): whole groups of `RawNode`s run in one process, on virtual time, from one seed,
 * through lossy networks, partitions, crashes that lose unsynced writes, membership changes and
 * leadership transfers — with the safety properties of the Raft paper checked at every step
 * (FoundationDB's simulation, TigerBeetle's VOPR).
 *
 *      Workload ─ proposals, reads, conf changes, transfers, compactions, crashes, partitions
 *         │
 *         ▼                    ┌──────────────────────── SimNode ───────────────────────┐
 *     Scheduler ── events ───► │ inbox ► RawNode ► Ready ► SimDisk (volatile → durable)  │
 *   (virtual time,             │                     └────► StateMachine (volatile)      │
 *    (time, seq) order)        └──────────────┬───────────────────────────▲─────────────┘
 *         ▲                                   │ messages                  │
 *         └──────────── SimNetwork ◄──────────┘ delay · drop · dup · partition
 *                                                 │
 *     SafetyChecker ◄── every Ready, sync, apply, message: election safety, log matching,
 *                       leader completeness, state machine safety, read-index linearizability
 *
 * - `scheduler.ts`: the event loop; a priority queue ordered by (virtual time, sequence).
 * - `network.ts`: per-message delay (hence reordering), drop, duplication; partitions, both
 *   ways or one way, that form and heal.
 * - `disk.ts`: `MemoryStorage` as the durable state plus a volatile write buffer; a crash
 *   forgets what was written and not synced.
 * - `node.ts`: one node — its `RawNode`, disk, state machine, inbox; crash and restart.
 * - `cluster.ts`: the nodes' lifecycle (bootstrap, ticks, crash, restart, replica GC), their
 *   inputs, and the transport's part (snapshot and unreachable reports).
 * - `ready-pipeline.ts`: write → sync → send and apply → advance, each a step a crash can
 *   fall between; feeds the checkers where the state they watch changes.
 * - `checker.ts`: the invariants, over the whole run's history.
 * - `workload.ts`: clients and faults; `options.ts`: a fault profile drawn from the seed.
 * - `simulation.ts`: one run — faulty phase, quiet phase (heal, restart, converge), final
 *   check that every acknowledged value is applied on every member; `SimFailure` on a
 *   violation, with the seed, the replay command and the trace tail.
 * - `trace.ts`: the running hash (same seed ⇒ same hash, checked by a test) and the tail.
 * - `main.ts`: `npm run sim:raft -- --seeds N --start S`.
 *
 * Only `test/` and `bench/` import this folder (DESIGN.md §1).
 */
export { simulate, simulateSeed, nodeCountForSeed, defaultDuration, SimFailure, type SimResult, type SeedRun } from './simulation.js';
export { optionsForSeed, describeOptions, type SimOptions } from './options.js';
export { SimViolation } from './checker.js';
