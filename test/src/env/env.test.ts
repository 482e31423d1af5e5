import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/env/random.js';
import { realEnv } from '../../../src/env/real.js';
import { silentLogger } from '../../../src/base/logger.js';
import { tempDir } from '../../support/tmp.js';
import { join } from 'node:path';

describe('SeededRandom', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    const a = new SeededRandom(12345);
    const b = new SeededRandom(12345);
    const c = new SeededRandom(12346);
    const seqA = Array.from({ length: 100 }, () => a.uint32());
    expect(Array.from({ length: 100 }, () => b.uint32())).toEqual(seqA);
    expect(Array.from({ length: 100 }, () => c.uint32())).not.toEqual(seqA);
  });

  it('draws uniformly: ints stay in bounds and every bucket is hit about equally', () => {
    const random = new SeededRandom(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const value = random.int(10);
      expect(value >= 0 && value < 10).toBe(true);
      buckets[value]!++;
    }
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    const f = random.float();
    expect(f >= 0 && f < 1).toBe(true);
    expect(random.bytes(13)).toHaveLength(13);
    expect(() => random.int(0)).toThrow();
  });
});

describe('realEnv', () => {
  it('reads a wall clock in nanoseconds that does not run backwards within a burst', () => {
    const env = realEnv({ logger: silentLogger() });
    let previous = env.clock.nowNanos();
    for (let i = 0; i < 10_000; i++) {
      const now = env.clock.nowNanos();
      expect(now >= previous).toBe(true);
      previous = now;
    }
    expect(previous > 1_700_000_000_000_000_000n).toBe(true); // after 2023
  });

  it('runs and cancels timers', async () => {
    const env = realEnv({ logger: silentLogger() });
    const fired: string[] = [];
    const cancelled = env.timers.setTimeout(() => fired.push('cancelled'), 5);
    env.timers.setTimeout(() => fired.push('kept'), 5);
    env.timers.clearTimeout(cancelled);
    await env.timers.sleep(30);
    expect(fired).toEqual(['kept']);
  });

  it('writes files atomically and removes folders', async () => {
    const env = realEnv({ logger: silentLogger() });
    const dir = tempDir('env');
    try {
      const path = join(dir.path, 'a/b/file');
      await env.disk.writeFileAtomic(path, new Uint8Array([1, 2, 3]));
      expect(await env.disk.exists(path)).toBe(true);
      expect(Array.from(await env.disk.readFile(path))).toEqual([1, 2, 3]);
      await env.disk.remove(join(dir.path, 'a'));
      expect(await env.disk.exists(path)).toBe(false);
    } finally {
      dir.remove();
    }
  });
});
