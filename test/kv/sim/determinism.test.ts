/**
 * Same seed, same run: the running hash over every event of the KV simulation (timers, iterator
 * steps, engine commits with their first key, workload outcomes) is equal for two runs of one
 * seed, streaming the trace does not change it, and different seeds give different runs.
 */
import { describe, expect, it } from 'vitest';
import { simulateKvSeed } from '../../../src/sim/kv/simulation.js';

describe('kv simulation determinism', () => {
  it('replays a seed exactly', async () => {
    const first = await simulateKvSeed(3, { durationMs: 150 });
    const second = await simulateKvSeed(3, { durationMs: 150 });
    expect(second.hash).toBe(first.hash);
    expect(second.events).toBe(first.events);
    expect(second.steps).toBe(first.steps);
    expect(second.stats).toEqual(first.stats);
    expect(first.stats.acked).toBeGreaterThan(0);
    expect(first.stats.scans).toBeGreaterThan(0);
  });

  it('replays a seed with crashes and the register workload exactly', async () => {
    // Seed 10: three crashes (the process restarted on what its disk kept) and the registers.
    const first = await simulateKvSeed(10, { durationMs: 150 });
    const second = await simulateKvSeed(10, { durationMs: 150 });
    expect(first.crashes).toBeGreaterThan(0);
    expect(first.stats.crashed).toBeGreaterThan(0);
    expect(first.registers?.committed).toBeGreaterThan(0);
    expect(second.hash).toBe(first.hash);
    expect(second.stats).toEqual(first.stats);
    expect(second.registers).toEqual(first.registers);
  });

  it('streaming the trace does not change the run', async () => {
    const lines: string[] = [];
    const traced = await simulateKvSeed(5, { durationMs: 100, traceSink: (line) => lines.push(line) });
    expect(traced.hash).toBe((await simulateKvSeed(5, { durationMs: 100 })).hash);
    expect(lines.length).toBeGreaterThan(10);
  });

  it('different seeds give different runs', async () => {
    const hashes = new Set<string>();
    for (const seed of [10, 11, 12]) hashes.add((await simulateKvSeed(seed, { durationMs: 100 })).hash);
    expect(hashes.size).toBe(3);
  });
});
