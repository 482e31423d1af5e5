/**
 * An `Env` on a manual clock for in-process KV tests (openKv over a MemoryEngine): time moves only
 * when the test advances `manual`, timers never fire (the test drives the queues itself), the
 * random source is seeded, and there is no disk (openKv does not touch the file system).
 */
import type { ManualClock } from '../../clock/manual.js';
import { silentLogger } from '../../src/base/logger.js';
import type { Env } from '../../src/env/env.js';
import { SeededRandom } from '../../src/env/random.js';
import { StillTimers } from './still-timers.js';

export function manualEnv(manual: ManualClock, seed = 7): Env {
  return {
    clock: { nowNanos: () => manual.nowNanos(), monotonicNanos: () => manual.nowNanos() },
    timers: new StillTimers(),
    random: new SeededRandom(seed),
    disk: undefined as never,
    logger: silentLogger(),
  };
}
