/**
 * `unique_rowid()` (sql/plan/expr/unique-rowid.ts): time in 10 µs units, then the node id in the
 * low 15 bits — two nodes never meet, one node never repeats itself, even with its clock going
 * back or many ids in one 10 µs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rowIdNodeIdMax, UniqueRowIds } from '../../../sql/plan/expr/unique-rowid.js';
import { runTxn } from '../../../txn/index.js';
import { execRows as exec, openSqlWorld, type SqlWorld } from '../exec/harness.js';

const nodeOf = (id: bigint): bigint => id & 0x7fffn;
const tickOf = (id: bigint): bigint => id >> 15n;

describe('UniqueRowIds', () => {
  const micros = 850_000_000_000_000n; // 2026-12 since 2000-01-01

  it('carries the node id, so two nodes at the same instant give different ids', () => {
    const one = new UniqueRowIds(1).next(micros);
    const two = new UniqueRowIds(2).next(micros);
    expect(one).not.toBe(two);
    expect([nodeOf(one), nodeOf(two)]).toEqual([1n, 2n]);
    expect(tickOf(one)).toBe(tickOf(two));
    expect(tickOf(one)).toBe((micros + 946_684_800_000_000n) / 10n); // 10 µs since the Unix epoch
    expect(nodeOf(new UniqueRowIds(rowIdNodeIdMax).next(micros))).toBe(BigInt(rowIdNodeIdMax));
  });

  it('grows on one node, even for many ids at one instant and with the clock going back', () => {
    const ids = new UniqueRowIds(7);
    const given: bigint[] = [];
    for (let i = 0; i < 1_000; i++) given.push(ids.next(micros));
    given.push(ids.next(micros - 60_000_000n)); // the clock stepped back a minute
    given.push(ids.next(micros + 20n)); // and forward, but not past the counter
    for (let i = 1; i < given.length; i++) expect(given[i]! > given[i - 1]!).toBe(true);
    expect(given.every((id) => nodeOf(id) === 7n && id > 0n)).toBe(true);
    const later = ids.next(micros + 1_000_000n); // the clock passed the counter: follows the clock again
    expect(tickOf(later)).toBe((micros + 1_000_000n + 946_684_800_000_000n) / 10n);
  });

  it('refuses a node id that does not fit in 15 bits', () => {
    expect(() => new UniqueRowIds(rowIdNodeIdMax + 1)).toThrow();
    expect(() => new UniqueRowIds(-1)).toThrow();
  });
});

describe('unique_rowid() in SQL', () => {
  let world: SqlWorld;
  beforeEach(async () => {
    world = await openSqlWorld();
  });
  afterEach(async () => world.close());

  it('gives distinct ids carrying the engine’s node id, to a table’s hidden rowid too', async () => {
    const rows = await runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
      await exec(world, txn, 'CREATE TABLE t (a INT)');
      return exec(world, txn, 'SELECT unique_rowid() FROM generate_series(1, 100)');
    });
    const ids = rows.map((row) => row[0] as bigint);
    expect(new Set(ids).size).toBe(100);
    expect(ids.every((id) => nodeOf(id) === 1n)).toBe(true); // the test engine's node: 1
    const rowids = await runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
      await exec(world, txn, 'INSERT INTO t SELECT g FROM generate_series(1, 3) g');
      return exec(world, txn, 'SELECT rowid FROM t ORDER BY a');
    });
    expect(rowids.map((row) => nodeOf(row[0] as bigint))).toEqual([1n, 1n, 1n]);
    expect(new Set(rowids.map((row) => row[0])).size).toBe(3);
  });
});
