/**
 * mvccScan steps through the entries an iterator has at hand without awaiting (`tryNext`: the
 * LevelDB iterator's read-ahead buffer, an in-memory view) and awaits only when a refill is due.
 * This checks the scan's answers on LevelEngine — whose read-ahead batches (4, 8, 16, … entries,
 * reset by each seek) end at arbitrary points of a key's versions — against MemoryEngine's (every
 * entry at hand) and against a model, over keys with many versions (the seek past them),
 * tombstones, versions above the read (history and uncertainty), intents (the lock table sorts
 * inside a data span from the empty key: a seek over it) and key limits (resume spans), forward
 * and in reverse.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { timestamp, type Timestamp } from '../../../../clock/timestamp.js';
import { txnId } from '../../../../src/base/ids.js';
import { Batch } from '../../../../kv/storage/batch.js';
import type { Engine } from '../../../../kv/storage/engine.js';
import { LevelEngine } from '../../../../kv/storage/level-engine.js';
import { MemoryEngine } from '../../../../kv/storage/memory-engine.js';
import { emptyStats, mvccPut, mvccScan, type MvccTxn, type ScanOptions } from '../../../../kv/storage/mvcc/index.js';
import { SeededRandom } from '../../../../src/env/random.js';
import { tempDir } from '../../../support/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const ts = (n: number): Timestamp => timestamp(BigInt(n));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Keys on both sides of the lock table's 0x01 'z' prefix, so a scan from the empty key crosses it. */
function keyOf(i: number): Uint8Array {
  const text = enc(`k${String(i).padStart(5, '0')}`);
  if (i % 7 !== 0) return text;
  const low = new Uint8Array(text.length + 1);
  low[0] = 0x01;
  low.set(text, 1);
  return low; // 0x01 'k' … sorts below 0x01 'z'
}

interface Written {
  readonly engine: Engine;
  /** Per key (hex), its committed versions, newest last: [timestamp, value or null]. */
  readonly model: Map<string, [number, string | null][]>;
  readonly intentKeys: Set<string>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

async function write(engine: Engine, seed: number): Promise<Written> {
  const random = new SeededRandom(seed);
  const model = new Map<string, [number, string | null][]>();
  const intentKeys = new Set<string>();
  const stats = emptyStats();
  const keys = 300;
  // Versions at ts 10, 20, 30, … in commit order, one batch per round so each key's versions
  // accumulate (some keys get up to 8: more than the scan steps over before it seeks).
  for (let round = 1; round <= 8; round++) {
    const batch = new Batch(engine);
    for (let i = 0; i < keys; i++) {
      if (round > 1 && random.int(round) > 1 && i % 5 !== 0) continue;
      const key = keyOf(i);
      const value = random.int(10) === 0 ? null : `v${i}@${round}`;
      mvccPut(batch, stats, key, ts(round * 10), value === null ? null : enc(value));
      const versions = model.get(hex(key)) ?? [];
      versions.push([round * 10, value]);
      model.set(hex(key), versions);
    }
    await engine.commit(batch.ops, { sync: false });
  }
  // Intents of one transaction at ts 100 on every 37th key (and one key with only an intent).
  const meta = { id: txnId('ab'.repeat(16)), key: enc('txn'), epoch: 0, writeTimestamp: ts(100), minTimestamp: ts(100), priority: 0, sequence: 1 };
  const txn: MvccTxn = { meta, readTimestamp: ts(100), ignoredSequences: [] };
  const batch = new Batch(engine);
  for (let i = 3; i < keys + 1; i += 37) {
    mvccPut(batch, stats, keyOf(i), ts(100), enc(`intent${i}`), { txn });
    intentKeys.add(hex(keyOf(i)));
  }
  await engine.commit(batch.ops, { sync: false });
  return { engine, model, intentKeys };
}

/** The model's answer: the newest version at or below `at` of each key, tombstones left out. */
function expected(written: Written, at: number, reverse: boolean): string[] {
  const rows: [string, string][] = [];
  for (const [key, versions] of written.model) {
    const visible = versions.filter(([t]) => t <= at).at(-1);
    if (visible !== undefined && visible[1] !== null) rows.push([key, visible[1]]);
  }
  rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (reverse) rows.reverse();
  return rows.map(([key, value]) => `${key}=${value}`);
}

/** Scans everything in pages of `maxKeys`, following resume spans. */
async function scanAll(engine: Engine, at: number, options: ScanOptions): Promise<string[]> {
  let start: Uint8Array = new Uint8Array(0);
  let end: Uint8Array = Uint8Array.of(0xff);
  const out: string[] = [];
  for (;;) {
    const result = await mvccScan(engine, start, end, ts(at), options);
    for (const row of result.rows) out.push(`${hex(row.key)}=${row.value === null ? 'null' : dec(row.value)}`);
    if (result.resumeSpan === undefined) return out;
    ({ start, end } = result.resumeSpan);
  }
}

async function levelEngine(): Promise<Engine> {
  const dir = tempDir('scan-engines');
  const engine = await LevelEngine.open(dir.path);
  cleanups.push(dir.remove, () => engine.close());
  return engine;
}

describe('mvccScan over LevelEngine and MemoryEngine', () => {
  it('returns the same visible rows as the model, at every timestamp, forward and reverse, in pages', async () => {
    const level = await write(await levelEngine(), 7);
    const memory = await write(new MemoryEngine(), 7);
    for (const at of [5, 40, 95]) {
      for (const reverse of [false, true]) {
        for (const maxKeys of [undefined, 1, 7]) {
          const options: ScanOptions = { reverse, inconsistent: true, ...(maxKeys === undefined ? {} : { maxKeys }) };
          const want = expected(level, at, reverse);
          expect(await scanAll(level.engine, at, options), `LevelEngine at ${at} reverse=${reverse} maxKeys=${maxKeys}`).toEqual(want);
          expect(await scanAll(memory.engine, at, options)).toEqual(want);
        }
      }
    }
  });

  it('reports the intents it read around, and fails on them without `inconsistent`, on both engines', async () => {
    for (const written of [await write(await levelEngine(), 11), await write(new MemoryEngine(), 11)]) {
      const result = await mvccScan(written.engine, new Uint8Array(0), Uint8Array.of(0xff), ts(200), { inconsistent: true });
      expect(new Set(result.intents.map((intent) => hex(intent.key)))).toEqual(written.intentKeys);
      await expect(mvccScan(written.engine, new Uint8Array(0), Uint8Array.of(0xff), ts(200))).rejects.toThrow(/intent/i);
      // Below the intents' timestamp they do not conflict: the committed data is read.
      expect(await scanAll(written.engine, 95, {})).toEqual(expected(written, 95, false));
    }
  });

  it('a read above a newer version within its uncertainty interval fails, on both engines', async () => {
    for (const written of [await write(await levelEngine(), 3), await write(new MemoryEngine(), 3)]) {
      await expect(mvccScan(written.engine, new Uint8Array(0), Uint8Array.of(0xff), ts(75), { uncertaintyLimit: ts(85), inconsistent: true })).rejects.toThrow(/uncertain/i);
    }
  });
});
