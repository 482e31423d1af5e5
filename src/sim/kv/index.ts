/**
 * # A deterministic simulation of the KV and transaction layers
 *
 * The store-level counterpart of src/sim/raft: one whole `Store` (through `openKv`, with its
 * DistSender, transactions, intent resolution, splits and merges) runs in one process on virtual
 * time from one seed, under the bank workload, with its invariants checked after every scan
 * (FoundationDB's simulation, TigerBeetle's VOPR). A failing seed is a bug, and replays exactly.
 *
 *      BankSim ─ transfer loops · scanner (checks every scan) · splits and merges
 *         │ runTxn / DistSender
 *         ▼
 *      Store ─ replicas, latches, lock table, Raft ready loop ─► SimEngine ─► MemoryEngine
 *         │ SimEnv: virtual clock, timers           iterator steps and commits complete
 *         ▼         (scheduler events), seeded      after seeded virtual delays, so scans
 *      Scheduler ◄─ random, silent logger           pause between keys while writers apply
 *   (virtual µs, (time, sequence) order; the driver drains every promise continuation
 *    between two events, so the async code's interleaving is a function of the seed)
 *
 * - `env.ts`: `SimEnv` (clock, timers, random, disk) and `SimDriver` (runs events until a
 *   promise settles; a task still waiting past the deadline is a liveness failure).
 * - `engine.ts`: `SimEngine`, the delaying engine wrapper.
 * - `bank.ts`: the workload and its checker; `options.ts`: the profile drawn from the seed.
 * - `simulation.ts`: one run, `KvSimFailure` with the replay command and the trace tail.
 * - `main.ts`: `npm run sim:kv -- --seeds N --start S` (or `--seed S --trace`).
 *
 * It reuses src/sim/raft's scheduler and trace. Only `test/` and `bench/` import this folder.
 */
export { simulateKv, simulateKvSeed, settleMsMax, KvSimFailure, type KvSimResult, type KvSeedRun } from './simulation.js';
export { optionsForSeed, describeOptions, defaultDurationMs, defaultTransfersMax, type KvSimOptions } from './options.js';
export { BankViolation, type BankStats } from './bank.js';
