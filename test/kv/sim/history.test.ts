/**
 * The register history checker (src/sim/kv/history.ts) on hand-written histories: serializable
 * ones pass with the graph they should have, and each anomaly it claims to catch is caught —
 * write skew (G2), a lost update, a lost write, a read of a failed write (G1a), a partially
 * visible transaction, and a real-time inversion (serializable, not strictly).
 */
import { describe, expect, it } from 'vitest';
import { checkHistory, type FinalValue, type TxnRecord } from '../../../src/sim/kv/history.js';

interface Spec {
  readonly status?: TxnRecord['status'];
  readonly startedAt?: number;
  readonly ackedAt?: number;
  readonly reads?: Record<number, string | undefined>;
  readonly writes?: Record<number, string | undefined>;
}

let clock = 0;
function txn(id: string, spec: Spec): TxnRecord {
  const startedAt = spec.startedAt ?? ++clock;
  const status = spec.status ?? 'acked';
  return {
    id,
    status,
    startedAt,
    ackedAt: status === 'acked' ? (spec.ackedAt ?? startedAt + 1) : undefined,
    reads: new Map(Object.entries(spec.reads ?? {}).map(([k, v]) => [Number(k), v])),
    writes: new Map(Object.entries(spec.writes ?? {}).map(([k, v]) => [Number(k), v])),
  };
}

function history(...records: TxnRecord[]): Map<string, TxnRecord> {
  return new Map(records.map((r) => [r.id, r]));
}

function finals(values: Record<number, FinalValue>): Map<number, FinalValue> {
  return new Map(Object.entries(values).map(([k, v]) => [Number(k), v]));
}

describe('register history checker', () => {
  it('passes a serial history, with its ww, wr, rw and real-time edges', () => {
    // a writes 0; b reads 0 (a) and 1 (∅), writes 1; c reads 0 (a), writes 0.
    const records = history(
      txn('a', { startedAt: 1, ackedAt: 2, reads: { 0: undefined }, writes: { 0: undefined } }),
      txn('b', { startedAt: 3, ackedAt: 4, reads: { 0: 'a', 1: undefined }, writes: { 1: undefined } }),
      txn('c', { startedAt: 5, ackedAt: 6, reads: { 0: 'a' }, writes: { 0: 'a' } }),
    );
    const outcome = checkHistory(records, finals({ 0: { writer: 'c', previous: 'a' }, 1: { writer: 'b', previous: undefined } }));
    // a→c ww; a→b, a→c wr; b→c rw (b read a's version of 0, c wrote the next); rt through barriers.
    expect(outcome).toEqual({ committed: 3, edges: expect.any(Number) as number });
    expect((outcome as { edges: number }).edges).toBeGreaterThanOrEqual(4);
  });

  it('finds write skew: each read both registers and wrote one (G2)', () => {
    const records = history(
      txn('a', { startedAt: 1, ackedAt: 5, reads: { 0: undefined, 1: undefined }, writes: { 0: undefined } }),
      txn('b', { startedAt: 2, ackedAt: 6, reads: { 0: undefined, 1: undefined }, writes: { 1: undefined } }),
    );
    const outcome = checkHistory(records, finals({ 0: { writer: 'a', previous: undefined }, 1: { writer: 'b', previous: undefined } }));
    expect(outcome).toMatch(/not serializable.*-rw->.*-rw->/);
  });

  it('finds a lost update: two acknowledged writers replaced the same version', () => {
    const records = history(
      txn('a', { startedAt: 1, ackedAt: 5, reads: { 0: undefined }, writes: { 0: undefined } }),
      txn('b', { startedAt: 2, ackedAt: 6, reads: { 0: undefined }, writes: { 0: undefined } }),
    );
    expect(checkHistory(records, finals({ 0: { writer: 'b', previous: undefined } }))).toMatch(/^a \(acked\) wrote register 0, but its write is not in the register's history b: a lost write/);
  });

  it('finds a read of a version whose writer failed (G1a), and a failed writer on a chain', () => {
    const readsFailed = history(
      txn('a', { status: 'failed', reads: { 0: undefined }, writes: { 0: undefined } }),
      txn('b', { reads: { 0: 'a' } }),
    );
    expect(checkHistory(readsFailed, finals({}))).toMatch(/^b read register 0 from a, which is not in the register's history/);
    expect(checkHistory(readsFailed, finals({ 0: { writer: 'a', previous: undefined } }))).toMatch(/by a, which failed \(G1a\)/);
  });

  it('counts an ambiguous transaction as committed iff its writes are seen, and then all of them', () => {
    const seenWhole = history(txn('a', { status: 'ambiguous', reads: { 0: undefined, 1: undefined }, writes: { 0: undefined, 1: undefined } }));
    expect(checkHistory(seenWhole, finals({ 0: { writer: 'a', previous: undefined }, 1: { writer: 'a', previous: undefined } }))).toMatchObject({ committed: 1 });
    expect(checkHistory(seenWhole, finals({}))).toMatchObject({ committed: 0 });
    expect(checkHistory(seenWhole, finals({ 0: { writer: 'a', previous: undefined } }))).toMatch(/only part of the transaction is visible/);
  });

  it('finds a real-time inversion: b began after a was acknowledged but read before a', () => {
    const records = history(
      txn('a', { startedAt: 1, ackedAt: 2, reads: { 0: undefined }, writes: { 0: undefined } }),
      txn('b', { startedAt: 3, ackedAt: 4, reads: { 0: undefined } }),
    );
    expect(checkHistory(records, finals({ 0: { writer: 'a', previous: undefined } }))).toMatch(/not serializable.*b -rw-> a|a -rt->/);
    // Concurrent (b began before a's acknowledgement): serializable with b first.
    const concurrent = history(
      txn('a', { startedAt: 1, ackedAt: 4, reads: { 0: undefined }, writes: { 0: undefined } }),
      txn('b', { startedAt: 3, ackedAt: 5, reads: { 0: undefined } }),
    );
    expect(checkHistory(concurrent, finals({ 0: { writer: 'a', previous: undefined } }))).toMatchObject({ committed: 2 });
  });

  it('finds an abandoned transaction\'s write read by another, or on a chain (G1a)', () => {
    const records = history(
      txn('a', { status: 'abandoned', reads: { 0: undefined }, writes: { 0: undefined } }),
      txn('b', { reads: { 0: 'a' } }),
    );
    expect(checkHistory(records, finals({}))).toMatch(/^b read register 0 from a, which is not in the register's history/);
    expect(checkHistory(records, finals({ 0: { writer: 'a', previous: undefined } }))).toMatch(/by a, which its client abandoned \(G1a\)/);
    // Its writes never visible: nothing to check, and it is not in the graph.
    expect(checkHistory(history(txn('a', { status: 'abandoned', reads: { 0: undefined }, writes: { 0: undefined } })), finals({}))).toMatchObject({ committed: 0 });
  });

  it('finds a final value its writer never wrote', () => {
    const records = history(txn('a', { reads: { 0: undefined }, writes: { 0: undefined } }));
    expect(checkHistory(records, finals({ 0: { writer: 'a', previous: 'x' } }))).toMatch(/which its last attempt did not write/);
    expect(checkHistory(records, finals({ 0: { writer: 'z', previous: undefined } }))).toMatch(/a transaction never run/);
  });
});
