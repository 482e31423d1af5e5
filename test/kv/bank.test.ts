/**
 * The bank workload (bench/workloads/bank.ts) in process against a single-node rangedb on a
 * LevelDB store: 1,000 accounts over 8 ranges, 32 concurrent transfer transactions and a
 * concurrent scanner, for at least three seconds and until a scan has completed (a full scan
 * under 32 writers takes seconds: it waits on their intents). Every scan — one transaction reading
 * all balances and all transfer records — must find the total unchanged, no balance negative, and
 * the balances exactly what the transfer records present say; at the end every acknowledged
 * transfer must have its record, and no other record may exist.
 *
 * LevelEngine, not MemoryEngine: under this load the in-memory engine made the run 2–4× slower.
 */
import { describe, expect, it } from 'vitest';
import { LevelEngine } from '../../kv/storage/level-engine.js';
import { silentLogger } from '../../src/base/logger.js';
import { realEnv } from '../../src/env/real.js';
import { openKv } from '../../src/node/kv.js';
import { bankViolation, defaultBankConfig, initBank, readBank } from '../../bench/workloads/bank.js';
import { tempDir } from '../support/tmp.js';
import { accountRanges, runBank } from './bank-harness.js';

const config = defaultBankConfig;

describe('bank on a single node', () => {
  it('32 concurrent transfers over 8 ranges with a concurrent scanner: money is conserved and every ack has its record', async () => {
    const dir = tempDir('bank');
    const kv = await openKv({ engine: await LevelEngine.open(dir.path), env: realEnv({ logger: silentLogger() }) });
    try {
      expect((await initBank(kv, config)).created).toBe(true);
      expect((await initBank(kv, config)).created).toBe(false); // idempotent: a restart runs it again
      expect(await accountRanges(kv)).toBeGreaterThanOrEqual(8);

      const { acked } = await runBank(kv, config, { clients: 32, runMsMin: 3_000, runMsMax: 40_000, scansMin: 1, scanTransfers: true, seed: 20_261_126, idPrefix: 'run' });

      const final = await readBank(kv, true);
      expect(bankViolation(final, config)).toBeUndefined();
      expect(acked.length).toBeGreaterThan(32);
      expect(acked.filter((id) => !final.transfers!.has(id))).toEqual([]);
      expect(final.transfers!.size).toBe(acked.length); // nothing committed that was not acknowledged
      expect(await accountRanges(kv)).toBeGreaterThanOrEqual(8);
    } finally {
      await kv.close();
      dir.remove();
    }
  }, 90_000); // about 10 s on an idle machine; the scanner is given up to 40 s under load
});
