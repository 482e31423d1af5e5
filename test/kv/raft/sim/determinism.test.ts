/**
 * Same seed, same run: the running hash over every event (deliveries, ticks, Readies, crashes,
 * client requests) of two runs of one seed is equal, and two seeds give different runs.
 */
import { describe, expect, it } from 'vitest';
import { simulateSeed } from '../../../../src/sim/raft/simulation.js';

describe('raft simulation determinism', () => {
  it('replays a seed exactly', () => {
    for (const seed of [3, 8]) {
      const first = simulateSeed(seed);
      const second = simulateSeed(seed);
      expect(second.hash).toBe(first.hash);
      expect(second.events).toBe(first.events);
      expect(second.stats).toEqual(first.stats);
      expect(first.events).toBeGreaterThan(1000);
    }
  });

  it('streaming the trace does not change the run', () => {
    const lines: string[] = [];
    const traced = simulateSeed(5, { traceSink: (line) => lines.push(line) });
    expect(traced.hash).toBe(simulateSeed(5).hash);
    expect(lines.length).toBeGreaterThan(100);
  });

  it('different seeds give different runs', () => {
    const hashes = new Set([10, 12, 14, 16].map((seed) => simulateSeed(seed, { nodeCount: 3 }).hash));
    expect(hashes.size).toBe(4);
  });
});
