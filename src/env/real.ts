/**
 * The real `Env`: the process's clocks, Node's timers, the OS's randomness and file system.
 * This file (with the storage and network adapters) is the only place in rangedb allowed to
 * touch real time and randomness; the lint's ban-list exempts `src/env` alone.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { assert } from '../base/assert.js';
import { createLogger, type Logger } from '../base/logger.js';
import type { Disk, Env, EnvClock, RandomSource, TimerHandle, Timers } from './env.js';

/**
 * Wall time with sub-millisecond resolution: `Date.now()` follows the system clock (and NTP's
 * corrections to it); the monotonic clock fills in the nanoseconds since that millisecond began,
 * capped below the next millisecond so readings within one millisecond stay ordered.
 */
function realClock(): EnvClock {
  let lastMs = 0;
  let monoAtLastMs = 0n;
  return {
    nowNanos: () => {
      const ms = Date.now();
      const mono = process.hrtime.bigint();
      if (ms !== lastMs) {
        lastMs = ms;
        monoAtLastMs = mono;
      }
      const sub = mono - monoAtLastMs;
      return BigInt(ms) * 1_000_000n + (sub > 999_999n ? 999_999n : sub);
    },
    monotonicNanos: () => process.hrtime.bigint(),
  };
}

class RealTimers implements Timers {
  private nextId = 1;
  private readonly pending = new Map<number, NodeJS.Timeout>();

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    assert(delayMs >= 0, 'delay must be non-negative');
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.pending.delete(id);
      callback();
    }, delayMs);
    this.pending.set(id, timer);
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = this.pending.get(handle.id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.pending.delete(handle.id);
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, delayMs));
  }
}

const realRandom: RandomSource = {
  uint32: () => randomBytes(4).readUInt32LE(0),
  float: () => Number(randomBytes(8).readBigUInt64LE(0) >> 11n) / 2 ** 53,
  int: (bound) => randomInt(bound),
  bytes: (length) => new Uint8Array(randomBytes(length)),
};

const realDisk: Disk = {
  mkdirs: async (path) => {
    await mkdir(path, { recursive: true });
  },
  exists: async (path) => {
    try {
      await stat(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  },
  readFile: async (path) => new Uint8Array(await readFile(path)),
  writeFileAtomic: async (path, data) => {
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  },
  remove: async (path) => {
    await rm(path, { recursive: true, force: true });
  },
};

export interface RealEnvOptions {
  readonly logger?: Logger;
}

/** The production environment. */
export function realEnv(options: RealEnvOptions = {}): Env {
  return {
    clock: realClock(),
    timers: new RealTimers(),
    random: realRandom,
    disk: realDisk,
    logger: options.logger ?? createLogger(),
  };
}
