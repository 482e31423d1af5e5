/**
 * Bank across kill -9 (Issue 5): the bank worker (`dist/bench/bank.js --worker`, built by
 * `npm run build`) runs 32 concurrent transfer transactions and a scanner over 1,000 accounts in
 * 8+ ranges on a LevelDB store, printing `ack <id>` after each acknowledged transfer. Once enough
 * acks are read, the process is killed with SIGKILL mid-run. The store is then opened in this
 * process, and must show:
 * - the total unchanged and no balance negative;
 * - at least 8 ranges over the accounts;
 * - a transfer record for every acknowledged transfer (acknowledged = durable);
 * - balances that are exactly what the transfer records present say (a transfer committed
 *   before the kill but not yet acknowledged may be there; half of one may not).
 * The first worker is killed only once its scanner has also completed a scan (it exits at once,
 * and the test fails, if a scan finds an invariant broken). Then a second worker restarts on the
 * same store (finding the bank initialised), makes more transfers, is killed too, and the store
 * is checked again, with the acknowledgements of both runs.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelEngine } from '../../kv/storage/level-engine.js';
import { silentLogger } from '../../src/base/logger.js';
import { realEnv } from '../../src/env/real.js';
import { openKv, type Kv } from '../../src/node/kv.js';
import { bankViolation, defaultBankConfig, readBank } from '../../bench/workloads/bank.js';
import { accountRanges } from './bank-harness.js';
import { tempDir } from '../support/tmp.js';

const worker = join(process.cwd(), 'dist/bench/bank.js');
const config = defaultBankConfig;
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/**
 * Runs a worker on `store` until it has acknowledged `acksMin` transfers and completed `scansMin`
 * checking scans, then SIGKILLs it; the ids it acknowledged (complete lines only: a line cut by
 * the kill was not an ack).
 */
async function runWorkerAndKill(store: string, acksMin: number, scansMin: number): Promise<Set<string>> {
  const child = spawn(process.execPath, [worker, '--worker', `--store=${store}`, '--seconds=600', '--clients=32'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked = new Set<string>();
  let scans = 0;
  let pending = '';
  let stderr = '';
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(`code ${code} signal ${signal}`)));
  const enough = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${acked.size} acks and ${scans} scans after 45s; stderr:\n${stderr}`)), 45_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ack ')) acked.add(line.slice(4));
        if (line.startsWith('scan ')) scans++;
      }
      if (acked.size >= acksMin && scans >= scansMin) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((how) => reject(new Error(`worker exited early (${how}); stderr:\n${stderr}`)));
  });
  try {
    await enough;
  } finally {
    child.kill('SIGKILL');
  }
  expect(await exited).toBe('code null signal SIGKILL');
  return acked;
}

/** Opens the store in this process, runs `fn` on it, closes it. */
async function withStore<T>(store: string, fn: (kv: Kv) => Promise<T>): Promise<T> {
  const kv = await openKv({ engine: await LevelEngine.open(store), env: realEnv({ logger: silentLogger() }) });
  try {
    return await fn(kv);
  } finally {
    await kv.close();
  }
}

/** Every invariant of the header, and that every id in `acked` has its record; the transfers present. */
async function checkStore(kv: Kv, acked: ReadonlySet<string>): Promise<number> {
  const bank = await readBank(kv, true);
  expect(bankViolation(bank, config)).toBeUndefined();
  expect([...acked].filter((id) => !bank.transfers!.has(id))).toEqual([]);
  expect(await accountRanges(kv)).toBeGreaterThanOrEqual(8);
  return bank.transfers!.size;
}

describe('bank across kill -9', () => {
  it('keeps the total, never goes negative and loses no acknowledged transfer across two crashes', async () => {
    expect(existsSync(worker), 'run `npm run build` first').toBe(true);
    const dir = tempDir('bank-crash');
    cleanups.push(dir.remove);

    const acked = await runWorkerAndKill(dir.path, 300, 1);
    const present = await withStore(dir.path, (kv) => checkStore(kv, acked));
    expect(present).toBeGreaterThanOrEqual(acked.size);

    // The restarted worker finds the bank initialised, moves more money, and is killed again.
    const ackedAfterRestart = await runWorkerAndKill(dir.path, 150, 0);
    for (const id of ackedAfterRestart) {
      expect(acked.has(id)).toBe(false);
      acked.add(id);
    }
    expect(await withStore(dir.path, (kv) => checkStore(kv, acked))).toBeGreaterThan(present);
  }, 150_000); // about 30 s on an idle machine; the margin is for a loaded one (every wait above is bounded)
});
