/**
 * `npm run bench -- mvcc [--keys=N] [--reads=N]`: what MVCC costs over raw LevelDB.
 *
 * Writes: MVCC puts in batches of 100 (each put reads the key's intent and newest version, then
 * writes; the batch commits unsynced through `LevelEngine`), against the same 100-key batches
 * written with raw classic-level. Reads: MVCC point reads at the current time against raw
 * classic-level point reads (`getSync`, the fastest raw read, which `LevelEngine` also uses)
 * of the same keys in the same order. Both stores are fresh folders on the same disk.
 *
 * A third line compares MVCC puts with raw read-then-put: one `getSync` of the key, then the
 * same batched put. Every MVCC write must check its key for a newer version or an intent; the
 * keys here are fresh, so `LevelEngine`'s key filter answers that check from memory and skips
 * LevelDB's read, which the raw side pays.
 *
 * A last line shows the case the key filter cannot help: MVCC puts over keys that exist (each
 * reads the key's newest version from LevelDB and moves it into the history: two writes),
 * against raw batch puts over the same existing keys. It runs after the reads, so they see the
 * same data as before.
 */
import { ClassicLevel } from 'classic-level';
import { timestamp } from '../clock/timestamp.js';
import { Batch } from '../kv/storage/batch.js';
import { LevelEngine } from '../kv/storage/level-engine.js';
import { emptyStats, mvccGet, mvccPut } from '../kv/storage/mvcc/index.js';
import { benchDir, flag, nowMs, permutation, progress, report } from './_report.js';

const keyCount = flag('keys', 200_000);
const readCount = flag('reads', 200_000);
const batchSize = 100;
const value = new Uint8Array(100).fill(7);
const order = permutation(keyCount, 42);
const keys = Array.from({ length: keyCount }, (_, i) => new TextEncoder().encode(`user${String(order[i]).padStart(10, '0')}`));

async function rawWrites(db: ClassicLevel<Uint8Array, Uint8Array>): Promise<number> {
  const start = nowMs();
  for (let i = 0; i < keyCount; i += batchSize) {
    const batch = db.batch();
    for (let j = i; j < Math.min(i + batchSize, keyCount); j++) batch.put(keys[j]!, value);
    await batch.write({ sync: false });
  }
  return (keyCount / (nowMs() - start)) * 1000;
}

async function mvccWrites(engine: LevelEngine): Promise<number> {
  const stats = emptyStats();
  const start = nowMs();
  for (let i = 0; i < keyCount; i += batchSize) {
    const batch = new Batch(engine);
    const ts = timestamp(BigInt(1 + i) * 1000n);
    for (let j = i; j < Math.min(i + batchSize, keyCount); j++) mvccPut(batch, stats, keys[j]!, ts, value);
    await engine.commit(batch.ops, { sync: false });
  }
  if (stats.liveCount !== keyCount) throw new Error(`expected ${keyCount} live keys, stats say ${stats.liveCount}`);
  return (keyCount / (nowMs() - start)) * 1000;
}

async function rawOverwrites(db: ClassicLevel<Uint8Array, Uint8Array>): Promise<number> {
  const overwrite = new Uint8Array(value.length).fill(8);
  const start = nowMs();
  for (let i = 0; i < keyCount; i += batchSize) {
    const batch = db.batch();
    for (let j = i; j < Math.min(i + batchSize, keyCount); j++) batch.put(keys[j]!, overwrite);
    await batch.write({ sync: false });
  }
  return (keyCount / (nowMs() - start)) * 1000;
}

/** A second version of every key, above the first pass's timestamps. */
async function mvccOverwrites(engine: LevelEngine): Promise<number> {
  const overwrite = new Uint8Array(value.length).fill(8);
  const stats = emptyStats();
  const start = nowMs();
  for (let i = 0; i < keyCount; i += batchSize) {
    const batch = new Batch(engine);
    const ts = timestamp(BigInt(keyCount + 1 + i) * 1000n);
    for (let j = i; j < Math.min(i + batchSize, keyCount); j++) mvccPut(batch, stats, keys[j]!, ts, overwrite);
    await engine.commit(batch.ops, { sync: false });
  }
  if (stats.valCount !== keyCount || stats.liveCount !== 0 || stats.keyCount !== 0) throw new Error(`overwrites: unexpected stats delta ${JSON.stringify(stats)}`);
  return (keyCount / (nowMs() - start)) * 1000;
}

async function rawReadThenWrites(db: ClassicLevel<Uint8Array, Uint8Array>): Promise<number> {
  const start = nowMs();
  for (let i = 0; i < keyCount; i += batchSize) {
    const batch = db.batch();
    for (let j = i; j < Math.min(i + batchSize, keyCount); j++) {
      if (db.getSync(keys[j]!) !== undefined) throw new Error('fresh key already present');
      batch.put(keys[j]!, value);
    }
    await batch.write({ sync: false });
  }
  return (keyCount / (nowMs() - start)) * 1000;
}

function rawReads(db: ClassicLevel<Uint8Array, Uint8Array>): number {
  const start = nowMs();
  for (let i = 0; i < readCount; i++) {
    if (db.getSync(keys[(i * 7919) % keyCount]!) === undefined) throw new Error('raw read missed');
  }
  return (readCount / (nowMs() - start)) * 1000;
}

async function mvccReads(engine: LevelEngine): Promise<number> {
  const readTs = timestamp(1n << 62n);
  const start = nowMs();
  for (let i = 0; i < readCount; i++) {
    const result = await mvccGet(engine, keys[(i * 7919) % keyCount]!, readTs);
    if (result.value === undefined) throw new Error('mvcc read missed');
  }
  return (readCount / (nowMs() - start)) * 1000;
}

async function main(): Promise<void> {
  progress(`mvcc: ${keyCount} keys in batches of ${batchSize}, ${readCount} point reads`);
  const raw = new ClassicLevel<Uint8Array, Uint8Array>(benchDir('raw'), { keyEncoding: 'view', valueEncoding: 'view' });
  await raw.open();
  const engine = await LevelEngine.open(benchDir('mvcc'));
  const rawWritesPerSecond = await rawWrites(raw);
  progress(`raw classic-level writes: ${Math.round(rawWritesPerSecond)}/s`);
  const mvccWritesPerSecond = await mvccWrites(engine);
  progress(`MVCC writes: ${Math.round(mvccWritesPerSecond)}/s`);
  const readThenWrite = new ClassicLevel<Uint8Array, Uint8Array>(benchDir('rmw'), { keyEncoding: 'view', valueEncoding: 'view' });
  await readThenWrite.open();
  const rawReadThenWritesPerSecond = await rawReadThenWrites(readThenWrite);
  await readThenWrite.close();
  progress(`raw classic-level read-then-put: ${Math.round(rawReadThenWritesPerSecond)}/s`);
  const rawReadsPerSecond = rawReads(raw);
  progress(`raw classic-level point reads: ${Math.round(rawReadsPerSecond)}/s`);
  const mvccReadsPerSecond = await mvccReads(engine);
  progress(`MVCC point reads: ${Math.round(mvccReadsPerSecond)}/s`);
  const rawOverwritesPerSecond = await rawOverwrites(raw);
  progress(`raw classic-level overwrites: ${Math.round(rawOverwritesPerSecond)}/s`);
  const mvccOverwritesPerSecond = await mvccOverwrites(engine);
  progress(`MVCC overwrites: ${Math.round(mvccOverwritesPerSecond)}/s`);
  await raw.close();
  await engine.close();
  report({ bench: 'mvcc', metric: 'mvcc puts (batches of 100, no sync) vs raw classic-level batch puts', unit: 'keys/s', value: mvccWritesPerSecond, reference: rawWritesPerSecond });
  report({ bench: 'mvcc', metric: 'mvcc puts vs raw classic-level read-then-put (the key filter skips the read for fresh keys)', unit: 'keys/s', value: mvccWritesPerSecond, reference: rawReadThenWritesPerSecond });
  report({ bench: 'mvcc', metric: 'mvcc point reads vs raw classic-level getSync', unit: 'reads/s', value: mvccReadsPerSecond, reference: rawReadsPerSecond });
  report({ bench: 'mvcc', metric: 'mvcc puts over existing keys (a LevelDB read and two writes each) vs raw classic-level batch puts over them', unit: 'keys/s', value: mvccOverwritesPerSecond, reference: rawOverwritesPerSecond });
}

await main();
