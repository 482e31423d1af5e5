/**
 * Flow control: the inflights window and the progress state machine (probe, replicate, snapshot).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Inflights } from '../../../../kv/raft/inflights.js';
import { Progress } from '../../../../kv/raft/progress.js';

describe('Inflights', () => {
  it('fills to capacity, frees up to an index, and wraps around', () => {
    const w = new Inflights(3);
    w.add(1);
    w.add(2);
    w.add(5);
    expect(w.full()).toBe(true);
    expect(() => w.add(6)).toThrow(/full/);
    w.freeLE(2);
    expect(w.count()).toBe(1);
    w.add(7);
    w.add(9); // wraps in the ring buffer
    expect(w.full()).toBe(true);
    w.freeLE(8);
    expect(w.count()).toBe(1);
    w.freeLE(100);
    expect(w.count()).toBe(0);
  });

  it('refuses an index that does not increase', () => {
    const w = new Inflights(4);
    w.add(5);
    expect(() => w.add(5)).toThrow(/not above/);
  });

  it('matches a simple list model (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.oneof(fc.constant('add' as const), fc.integer({ min: 0, max: 60 }))), (capacity, ops) => {
        const w = new Inflights(capacity);
        let model: number[] = [];
        let next = 1;
        for (const op of ops) {
          if (op === 'add') {
            if (model.length === capacity) continue;
            w.add(next);
            model.push(next);
            next += 2;
          } else {
            w.freeLE(op);
            model = model.filter((i) => i > op);
          }
          expect(w.count()).toBe(model.length);
          expect(w.full()).toBe(model.length === capacity);
        }
      }),
    );
  });
});

describe('Progress', () => {
  it('probe: one append in flight until a reply; an ack moves to replicate', () => {
    const pr = new Progress(0, 6, 4, false);
    expect(pr.state).toBe('probe');
    expect(pr.isPaused()).toBe(false);
    pr.sentEntries(2, 7);
    expect(pr.isPaused()).toBe(true);
    expect(pr.next).toBe(6); // probing does not move next optimistically
    expect(pr.maybeUpdate(7)).toBe(true);
    expect(pr.isPaused()).toBe(false);
    expect(pr.next).toBe(8);
    pr.becomeReplicate();
    expect(pr.state).toBe('replicate');
    expect(pr.next).toBe(8);
  });

  it('replicate: pipelines up to the window, frees on acks', () => {
    const pr = new Progress(5, 6, 2, false);
    pr.becomeReplicate();
    pr.sentEntries(2, 7);
    expect(pr.next).toBe(8);
    expect(pr.isPaused()).toBe(false);
    pr.sentEntries(1, 8);
    expect(pr.isPaused()).toBe(true);
    pr.maybeUpdate(7);
    pr.inflights.freeLE(7);
    expect(pr.inflights.count()).toBe(1);
    expect(pr.match).toBe(7);
  });

  it('maybeDecrTo: stale rejections are ignored; probe follows the hint but never below match', () => {
    const pr = new Progress(5, 11, 4, false);
    pr.becomeReplicate();
    expect(pr.next).toBe(6);
    expect(pr.maybeDecrTo(4, 4)).toBe(false); // at or below match: stale in replicate
    pr.sentEntries(4, 9);
    expect(pr.maybeDecrTo(9, 7)).toBe(true);
    expect(pr.next).toBe(6); // replicate falls back to match + 1
    pr.becomeProbe();
    pr.sentEntries(0, 5);
    expect(pr.maybeDecrTo(8, 3)).toBe(false); // not the probe in flight (next - 1 = 5)
    expect(pr.maybeDecrTo(5, 2)).toBe(true);
    expect(pr.next).toBe(6); // the hint (3) is below match + 1
    expect(pr.isPaused()).toBe(false);
    const fresh = new Progress(0, 20, 4, false);
    expect(fresh.maybeDecrTo(19, 12)).toBe(true);
    expect(fresh.next).toBe(13);
  });

  it('snapshot: paused until reported; probing resumes after the snapshot index', () => {
    const pr = new Progress(3, 4, 4, false);
    pr.becomeSnapshot(20);
    expect(pr.state).toBe('snapshot');
    expect(pr.isPaused()).toBe(true);
    expect(pr.next).toBe(21);
    expect(pr.match).toBeLessThan(pr.next);
    pr.becomeProbe();
    expect(pr.next).toBe(21);
    pr.becomeSnapshot(20);
    pr.pendingSnapshot = 0; // a failed snapshot
    pr.becomeProbe();
    expect(pr.next).toBe(4);
  });

  it('canBumpCommit: only when the follower can learn a higher commit for entries it has', () => {
    const pr = new Progress(5, 9, 4, false);
    expect(pr.canBumpCommit(3)).toBe(true);
    pr.sentCommittedIndex(3);
    expect(pr.canBumpCommit(3)).toBe(false);
    expect(pr.canBumpCommit(20)).toBe(true); // min(20, next - 1 = 8) > 3
    pr.sentCommittedIndex(8);
    expect(pr.canBumpCommit(20)).toBe(false);
  });
});
