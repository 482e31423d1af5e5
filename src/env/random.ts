/**
 * A seeded pseudo-random source: xoshiro128** seeded through splitmix32. Deterministic for a
 * seed on every platform, fast, and good enough for simulation and workload generation (it is
 * not cryptographic; transaction ids in production come from `crypto.randomBytes`).
 */
import { assert } from '../base/assert.js';
import type { RandomSource } from './env.js';

export class SeededRandom implements RandomSource {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(readonly seed: number) {
    assert(Number.isSafeInteger(seed), 'seed must be a safe integer');
    let x = (seed ^ Math.floor(seed / 0x1_0000_0000)) >>> 0;
    const next = (): number => {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  float(): number {
    // 53 random bits: 21 from one draw, 32 from another.
    return ((this.uint32() >>> 11) * 0x1_0000_0000 + this.uint32()) / 2 ** 53;
  }

  int(bound: number): number {
    assert(Number.isSafeInteger(bound) && bound > 0, () => `bound must be a positive integer: ${bound}`);
    return Math.floor(this.float() * bound);
  }

  bytes(length: number): Uint8Array {
    assert(Number.isSafeInteger(length) && length >= 0, 'length must be a non-negative integer');
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const word = this.uint32();
      for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
