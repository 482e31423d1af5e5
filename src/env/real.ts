/**
 * The real `Env`: the process's clocks, Node's timers, the OS's randomness and file system.
 * This file (with the storage and network adapters) is the only place in rangedb allowed to
 * touch real time and randomness; the lint's ban-list exempts `src/env` alone.
 */
import { randomBytes, randomFillSync, randomInt } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
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
  let lastMsNanos = 0n;
  let monoAtLastMs = 0;
  return {
    // Read several times per transaction: the bigint of the millisecond is made once per
    // millisecond, and the monotonic part is a double (`performance.now()`, fractional ms).
    // `performance` is perf_hooks' binding, not the global: the global is a lazy accessor on
    // the global object, about half the cost of the call on every reading.
    nowNanos: () => {
      const ms = Date.now();
      const mono = performance.now();
      if (ms !== lastMs) {
        lastMs = ms;
        lastMsNanos = BigInt(ms) * 1_000_000n;
        monoAtLastMs = mono;
      }
      const sub = Math.floor((mono - monoAtLastMs) * 1_000_000);
      return lastMsNanos + BigInt(sub > 999_999 ? 999_999 : sub);
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

  afterIo(callback: () => void): void {
    setImmediate(callback);
  }
}

/**
 * The OS's randomness, drawn from a pool refilled 4 KiB at a time: a transaction takes 16 bytes
 * for its id and 4 for its priority, and one `randomFillSync` per request cost more than the
 * rest of a point write's CPU. Large requests bypass the pool.
 */
class PooledRandom implements RandomSource {
  private readonly pool = Buffer.allocUnsafe(4096);
  private offset = this.pool.length;

  private take(length: number): Buffer {
    if (length > this.pool.length / 4) return randomBytes(length);
    if (this.offset + length > this.pool.length) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const out = this.pool.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  uint32(): number {
    return this.take(4).readUInt32LE(0);
  }

  float(): number {
    return Number(this.take(8).readBigUInt64LE(0) >> 11n) / 2 ** 53;
  }

  int(bound: number): number {
    assert(Number.isSafeInteger(bound) && bound > 0, () => `random bound must be a positive safe integer: ${bound}`);
    if (bound > 2 ** 32) return randomInt(bound);
    // Rejection sampling keeps every value in [0, bound) equally likely.
    const limit = Math.floor(2 ** 32 / bound) * bound;
    for (;;) {
      const x = this.uint32();
      if (x < limit) return x % bound;
    }
  }

  bytes(length: number): Uint8Array {
    if (length > this.pool.length / 4) return Uint8Array.from(this.take(length));
    // Copied byte by byte out of the pool: a transaction id is 16 bytes, and the pool's
    // `subarray` (a Buffer object) plus `Uint8Array.from` cost more than the copy.
    if (this.offset + length > this.pool.length) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const out = new Uint8Array(length);
    const pool = this.pool;
    const offset = this.offset;
    for (let index = 0; index < length; index++) out[index] = pool[offset + index]!;
    this.offset = offset + length;
    return out;
  }
}

const realRandom: RandomSource = new PooledRandom();

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
