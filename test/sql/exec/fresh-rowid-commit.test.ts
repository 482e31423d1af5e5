/**
 * The commit of held fresh rows (sql/exec/row-writer.ts `generatesRowid`, txn/write-buffer.ts
 * "Fresh keys") on several ranges: a big INSERT's rows ride with the commit, and its STAGING
 * record would list every one of them as an in-flight write. Past
 * `limits.parallelCommitInFlightWritesMax` the commit goes in two phases instead
 * (txn/committer.ts): the writes, then an EndTxn that names none.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchRequest, Request, Sender } from '../../../kv/api/index.js';
import { limits } from '../../../src/base/limits.js';
import { runTxn, Txn } from '../../../txn/index.js';
import { execRows as exec, openSqlWorld, runSql, type SqlWorld } from './harness.js';

describe('a commit carrying many held fresh rows over several ranges', () => {
  let world: SqlWorld;
  beforeEach(async () => {
    world = await openSqlWorld();
    await runSql(world, 'CREATE TABLE hist (a INT)');
  });
  afterEach(async () => world.close());

  /** The sender of the test's transaction, which notes how many in-flight writes each EndTxn names. */
  const watching = (sender: Sender, inFlightCounts: number[]): Sender => ({
    send: (batch) => {
      for (const request of (batch as BatchRequest).requests as readonly Request[]) if (request.kind === 'endTxn') inFlightCounts.push(request.inFlightWrites.length);
      return sender.send(batch);
    },
  });

  it('stages no record past the in-flight limit: the rows commit, in two phases', async () => {
    const rowsPerStatement = Math.ceil(limits.parallelCommitInFlightWritesMax * 0.75);
    const inFlightCounts: number[] = [];
    const setting = world.kv.txnDeps.parallelCommits!;
    const txn = new Txn(watching(world.kv.sender, inFlightCounts), { ...world.kv.txnDeps, writeBufferPolicy: 'locked' }, { priority: 1000, implicit: true });
    await exec(world, txn, `INSERT INTO hist SELECT g FROM generate_series(1, ${rowsPerStatement}) g`);
    expect(txn.interceptors.writeBuffer.size).toBe(rowsPerStatement); // held, not sent
    // The next statement's rowids are above this one (unique_rowid grows): split between them.
    const [[lastRowid]] = (await exec(world, txn, 'SELECT unique_rowid()')) as [[bigint]];
    expect(await runSql(world, `ALTER TABLE hist SPLIT AT VALUES (${lastRowid + 1n})`)).toContain('SELECT 1');
    await exec(world, txn, `INSERT INTO hist SELECT g FROM generate_series(${rowsPerStatement + 1}, ${2 * rowsPerStatement}) g`);
    expect(txn.interceptors.writeBuffer.size).toBe(2 * rowsPerStatement);
    const [staged, oversized] = [setting.stagedCommits, setting.oversizedCommits];
    await txn.commit();

    expect(Math.max(...inFlightCounts)).toBeLessThanOrEqual(limits.parallelCommitInFlightWritesMax);
    expect(setting.stagedCommits).toBe(staged);
    expect(setting.oversizedCommits).toBeGreaterThan(oversized); // (again, if a refresh re-sent it)
    const counts = await runTxn(world.kv.sender, world.kv.txnDeps, (t) => exec(world, t, `SELECT count(*), count(DISTINCT rowid), sum(a) FROM hist WHERE rowid > ${lastRowid}`));
    expect(counts[0]!.map(String)).toEqual([String(rowsPerStatement), String(rowsPerStatement), String((rowsPerStatement * (3 * rowsPerStatement + 1)) / 2)]);
    expect(String((await runTxn(world.kv.sender, world.kv.txnDeps, (t) => exec(world, t, 'SELECT count(*) FROM hist')))[0]![0])).toBe(String(2 * rowsPerStatement));
  });

  it('still commits a small insert over the same ranges in parallel, one record naming its writes', async () => {
    const inFlightCounts: number[] = [];
    const setting = world.kv.txnDeps.parallelCommits!;
    const txn = new Txn(watching(world.kv.sender, inFlightCounts), { ...world.kv.txnDeps, writeBufferPolicy: 'locked' }, { priority: 1000, implicit: true });
    await exec(world, txn, 'INSERT INTO hist VALUES (1), (2)');
    const [[lastRowid]] = (await exec(world, txn, 'SELECT unique_rowid()')) as [[bigint]];
    await runSql(world, `ALTER TABLE hist SPLIT AT VALUES (${lastRowid + 1n})`);
    await exec(world, txn, 'INSERT INTO hist VALUES (3)');
    const staged = setting.stagedCommits;
    await txn.commit();
    expect(setting.stagedCommits).toBeGreaterThan(staged); // staged (again, if a refresh re-staged it)
    expect(inFlightCounts[0]).toBe(3);
    expect(String((await runTxn(world.kv.sender, world.kv.txnDeps, (t) => exec(world, t, 'SELECT sum(a) FROM hist')))[0]![0])).toBe('6');
  });

  it('fails a commit whose held row meets a taken rowid with 23505 naming the primary key, as the statement would', async () => {
    const txn = new Txn(world.kv.sender, { ...world.kv.txnDeps, writeBufferPolicy: 'locked' }, { priority: 1000, implicit: true });
    const [[rowid]] = (await exec(world, txn, 'INSERT INTO hist VALUES (1) RETURNING rowid')) as [[bigint]];
    expect(txn.interceptors.writeBuffer.size).toBe(1);
    // Another node's generator (or a clock gone back over a restart) gave the same id, and committed first.
    expect(await runSql(world, `INSERT INTO hist (rowid, a) VALUES (${rowid}, 2)`)).toBe('INSERT 0 1');
    await expect(txn.commit()).rejects.toMatchObject({ sqlState: '23505', message: 'duplicate key value violates unique constraint "hist_pkey"', detail: `Key (rowid)=(${rowid}) already exists.` });
    await txn.rollback();
    expect(String((await runTxn(world.kv.sender, world.kv.txnDeps, (t) => exec(world, t, 'SELECT sum(a) FROM hist')))[0]![0])).toBe('2');
  });

  it('fails a later statement that carries the held row down with the same 23505', async () => {
    const txn = new Txn(world.kv.sender, { ...world.kv.txnDeps, writeBufferPolicy: 'locked' }, { priority: 1000, implicit: true });
    const [[rowid]] = (await exec(world, txn, 'INSERT INTO hist VALUES (1) RETURNING rowid')) as [[bigint]];
    expect(txn.interceptors.writeBuffer.size).toBe(1);
    await runSql(world, `INSERT INTO hist (rowid, a) VALUES (${rowid}, 2)`);
    // A read of the table sends the held row ahead of it (not a plain read: the scan has a limit).
    await expect(exec(world, txn, 'SELECT a FROM hist')).rejects.toMatchObject({ sqlState: '23505', message: 'duplicate key value violates unique constraint "hist_pkey"' });
    await txn.rollback();
  });
});
