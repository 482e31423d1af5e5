/**
 * Regression (H8 review s8, L1) through SQL: a 4.15 MB row then a 14 MB row inserted in one
 * transaction (each INSERT fits a Raft command) commit — the EndTxn checked its resolution byte
 * budget after resolving an intent and built an 18 MB command, refused on every retry
 * (kv/eval/end-txn.ts, test/kv/replica/endtxn-resolution-bytes.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTxn, Txn } from '../../../txn/index.js';
import { execRows as exec, openSqlWorld, type SqlWorld } from './harness.js';

describe('a transaction of two large rows', () => {
  let world: SqlWorld;
  beforeEach(async () => {
    world = await openSqlWorld();
    await runTxn(world.kv.sender, world.kv.txnDeps, (txn) => exec(world, txn, 'CREATE TABLE blobs (k INT PRIMARY KEY, v TEXT)'));
  });
  afterEach(async () => world.close());

  it('commits a 4.15 MB row and a 14 MB row inserted in one transaction', async () => {
    const txn = new Txn(world.kv.sender, world.kv.txnDeps, { priority: 1000 });
    await exec(world, txn, `INSERT INTO blobs VALUES (1, repeat('a', 4150000))`);
    await exec(world, txn, `INSERT INTO blobs VALUES (2, repeat('b', 14000000))`);
    await txn.commit();
    const rows = await runTxn(world.kv.sender, world.kv.txnDeps, (t) => exec(world, t, 'SELECT count(*), sum(length(v)) FROM blobs'));
    expect(rows[0]!.map(String)).toEqual(['2', String(4_150_000 + 14_000_000)]);
  }, 180_000);
});
