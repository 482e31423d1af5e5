/**
 * The serialization-graph checker (dsg.ts) must be able to fail: hand-made histories of each
 * anomaly the KV tests look for are rejected, and serial ones are accepted with their order.
 */
import { describe, expect, it } from 'vitest';
import { checkSerializable, describeCycle, type CommittedTxn, type History } from './dsg.js';

const txn = (name: string, reads: Record<string, string | undefined>, writes: Record<string, string>): CommittedTxn => ({
  name,
  reads: new Map(Object.entries(reads)),
  writes: new Map(Object.entries(writes)),
});

function history(committed: CommittedTxn[], versionOrder: Record<string, string[]>, abortedWrites: string[] = []): History {
  return { initial: new Map([['x', 'x0'], ['y', 'y0']]), committed, abortedWrites: new Set(abortedWrites), versionOrder: new Map(Object.entries(versionOrder)) };
}

function cycleOf(h: History): string {
  const verdict = checkSerializable(h);
  expect(verdict.serializable).toBe(false);
  if (verdict.serializable) return '';
  expect(verdict.anomaly).toBe('cycle in the direct serialization graph');
  return describeCycle(verdict.cycle ?? []);
}

describe('direct serialization graph checker', () => {
  it('accepts a serial history and returns its order', () => {
    const h = history([txn('T1', { x: 'x0' }, { x: 'x1' }), txn('T2', { x: 'x1', y: 'y0' }, { y: 'y2' })], { x: ['x1'], y: ['y2'] });
    expect(checkSerializable(h)).toEqual({ serializable: true, serialOrder: ['T0', 'T1', 'T2'] });
  });

  it('rejects a lost update (P4): both read x0, both write x', () => {
    const h = history([txn('T1', { x: 'x0' }, { x: 'x1' }), txn('T2', { x: 'x0' }, { x: 'x2' })], { x: ['x1', 'x2'] });
    expect(cycleOf(h)).toBe('T1 -ww(x)-> T2 -rw(x)-> T1');
  });

  it('rejects write skew (G2-item): each reads both keys, writes one', () => {
    const h = history([txn('T1', { x: 'x0', y: 'y0' }, { x: 'x1' }), txn('T2', { x: 'x0', y: 'y0' }, { y: 'y2' })], { x: ['x1'], y: ['y2'] });
    expect(cycleOf(h)).toMatch(/^T[12] -rw\([xy]\)-> T[12] -rw\([xy]\)-> T[12]$/);
  });

  it('rejects read skew (G-single): T1 sees x before T2 and y after it', () => {
    const h = history([txn('T1', { x: 'x0', y: 'y2' }, {}), txn('T2', { x: 'x0', y: 'y0' }, { x: 'x2', y: 'y2' })], { x: ['x2'], y: ['y2'] });
    expect(cycleOf(h)).toMatch(/T1 -rw\(x\)-> T2 -wr\(y\)-> T1|T2 -wr\(y\)-> T1 -rw\(x\)-> T2/);
  });

  it('rejects a three-transaction anti-dependency cycle (G2)', () => {
    const h = history(
      [txn('T1', { x: 'x0' }, { y: 'y1' }), txn('T2', { y: 'y0' }, { z: 'z2' }), txn('T3', { z: undefined }, { x: 'x3' })],
      { x: ['x3'], y: ['y1'], z: ['z2'] },
    );
    expect(cycleOf(h).split(' -').length).toBe(4); // three edges
  });

  it('rejects a dirty write cycle (G0): the versions of x and y are installed in opposite orders', () => {
    const h = history([txn('T1', {}, { x: 'x1', y: 'y1' }), txn('T2', {}, { x: 'x2', y: 'y2' })], { x: ['x1', 'x2'], y: ['y2', 'y1'] });
    expect(cycleOf(h)).toMatch(/ww\(x\).*ww\(y\)|ww\(y\).*ww\(x\)/);
  });

  it('rejects a read of an aborted write (G1a) and of a value nobody wrote', () => {
    const aborted = checkSerializable(history([txn('T1', { x: 'xa' }, {})], {}, ['xa']));
    expect(aborted).toEqual({ serializable: false, anomaly: 'G1a (aborted read): T1 read x=xa' });
    const garbage = checkSerializable(history([txn('T1', { x: 'nobody' }, {})], {}));
    expect(garbage.serializable).toBe(false);
  });

  it('rejects a committed write missing from the version order (a lost version)', () => {
    const verdict = checkSerializable(history([txn('T1', {}, { x: 'x1' })], { x: [] }));
    expect(verdict).toEqual({ serializable: false, anomaly: "T1's committed write x=x1 is not in the version order" });
  });
});
