/**
 * Quorum arithmetic against brute-force models.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jointCommittedIndex, jointVoteResult, majorityCommittedIndex, majorityVoteResult } from '../../../../kv/raft/quorum.js';

const set = (...ids: number[]): Set<number> => new Set(ids);
const lookup = (m: Record<number, number>) => (id: number): number | undefined => m[id];

/** The largest index that more than half of the voters have acknowledged, by brute force. */
function modelCommitted(voters: number[], acked: Map<number, number>): number {
  if (voters.length === 0) return Number.POSITIVE_INFINITY;
  let best = 0;
  for (const candidate of voters.map((v) => acked.get(v) ?? 0)) {
    const holders = voters.filter((v) => (acked.get(v) ?? 0) >= candidate).length;
    if (holders * 2 > voters.length) best = Math.max(best, candidate);
  }
  return best;
}

describe('quorum', () => {
  it('majority committed index: examples', () => {
    expect(majorityCommittedIndex(set(1, 2, 3), lookup({ 1: 5, 2: 3, 3: 1 }))).toBe(3);
    expect(majorityCommittedIndex(set(1, 2, 3, 4), lookup({ 1: 5, 2: 3, 3: 1, 4: 9 }))).toBe(3);
    expect(majorityCommittedIndex(set(1, 2, 3), lookup({ 1: 5 }))).toBe(0); // unheard voters count as 0
    expect(majorityCommittedIndex(set(1), lookup({ 1: 7 }))).toBe(7);
    expect(majorityCommittedIndex(set(), lookup({}))).toBe(Number.POSITIVE_INFINITY);
  });

  it('majority committed index equals the brute-force model', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { maxLength: 7 }), fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 9, maxLength: 9 }), (voters, indexes) => {
        const acked = new Map(indexes.map((index, i) => [i + 1, index]));
        expect(majorityCommittedIndex(new Set(voters), (id) => acked.get(id))).toBe(modelCommitted(voters, acked));
      }),
    );
  });

  it('joint committed index is the minimum of both halves, and joint(C, ∅) = C', () => {
    const acked = lookup({ 1: 10, 2: 8, 3: 2, 4: 1, 5: 1 });
    expect(jointCommittedIndex({ incoming: set(1, 2, 3), outgoing: set() }, acked)).toBe(8);
    expect(jointCommittedIndex({ incoming: set(1, 2, 3), outgoing: set(3, 4, 5) }, acked)).toBe(1);
    expect(jointCommittedIndex({ incoming: set(3, 4, 5), outgoing: set(1, 2, 3) }, acked)).toBe(1);
  });

  it('majority vote result: won, lost, pending', () => {
    const votes = (m: Record<number, boolean>) => (id: number): boolean | undefined => m[id];
    expect(majorityVoteResult(set(1, 2, 3), votes({ 1: true, 2: true }))).toBe('won');
    expect(majorityVoteResult(set(1, 2, 3), votes({ 1: true }))).toBe('pending');
    expect(majorityVoteResult(set(1, 2, 3), votes({ 1: true, 2: false, 3: false }))).toBe('lost');
    expect(majorityVoteResult(set(1, 2, 3, 4), votes({ 1: true, 2: true, 3: false }))).toBe('pending');
    expect(majorityVoteResult(set(1, 2, 3, 4), votes({ 1: true, 2: false, 3: false }))).toBe('lost');
    expect(majorityVoteResult(set(), votes({}))).toBe('won');
  });

  it('joint vote result needs both halves to win, and loses if either loses', () => {
    const votes = (m: Record<number, boolean>) => (id: number): boolean | undefined => m[id];
    const voters = { incoming: set(1, 2, 3), outgoing: set(3, 4, 5) };
    expect(jointVoteResult(voters, votes({ 1: true, 2: true }))).toBe('pending');
    expect(jointVoteResult(voters, votes({ 1: true, 2: true, 3: true, 4: true }))).toBe('won');
    expect(jointVoteResult(voters, votes({ 1: true, 2: true, 4: false, 5: false }))).toBe('lost');
  });

  it('a vote result is never won by a minority of either half (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { maxLength: 5 }),
        fc.array(fc.option(fc.boolean(), { nil: undefined }), { minLength: 7, maxLength: 7 }),
        (incoming, outgoing, answers) => {
          const votes = (id: number): boolean | undefined => answers[id - 1];
          const result = jointVoteResult({ incoming: new Set(incoming), outgoing: new Set(outgoing) }, votes);
          const yes = (ids: number[]): number => ids.filter((id) => votes(id) === true).length;
          const majority = (ids: number[]): boolean => ids.length === 0 || yes(ids) * 2 > ids.length;
          expect(result === 'won').toBe(majority(incoming) && majority(outgoing));
        },
      ),
    );
  });
});
