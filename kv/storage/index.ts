/**
 * # kv/storage: the store's disk, and MVCC on top of it
 *
 * One engine per store holds everything the store persists — every replica's Raft log, hard
 * state and state machine — so one synced write per Ready cycle commits the work of every range
 * (group commit). Layers, bottom up:
 *
 *     mvcc/        versioned values, intents (lock table), reads, writes, resolution, GC, stats
 *     keys/        order-preserving encoding of SQL values into keys
 *     batch.ts     buffered writes that read through to the engine (indexed batch)
 *     engine.ts    the Engine contract: sync point reads, async iteration, snapshots, commits
 *       level-engine.ts   LevelDB (classic-level) + group commit  — the write-ahead log
 *         key-filter.ts   Bloom filter of the keys it holds: reads of never-written keys
 *                         (an MVCC write's check of a fresh key) skip LevelDB
 *       memory-engine.ts  in memory, loses unsynced commits on `crash()` — for the simulator
 *
 * `classic-level` is imported by `level-engine.ts` only (the lint enforces it). Both engines pass
 * the same contract tests (test/kv/storage/engine.test.ts) and run the same MVCC histories.
 */
export * from './engine.js';
export { Batch } from './batch.js';
export { LevelEngine, type GroupCommitStats, type LevelEngineOptions } from './level-engine.js';
export { MemoryEngine } from './memory-engine.js';
