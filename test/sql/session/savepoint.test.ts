// Savepoints over the fake engine and real local KV: ROLLBACK TO SAVEPOINT undoes the writes
// since the savepoint (partial rollback through the KV transaction's ignored sequences) and
// reopens a failed block as PostgreSQL does; savepoints nest, RELEASE drops them; after a
// retryable error only a savepoint at the start of the transaction restarts it (CockroachDB).
import { serialize } from 'pg-protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../../sql/parser/index.js';
import { started, type Harness } from './harness.js';

beforeAll(() => loadParser());

const q = (sql: string): Uint8Array => serialize.query(sql);

async function rows(h: Harness, table = 't'): Promise<string[]> {
  return (await h.send(q(`select * from ${table}`))).filter((line) => line.startsWith('D '));
}

async function withTable(): Promise<Harness> {
  const h = await started();
  await h.send(q('create table t (a int)'));
  return h;
}

describe('ROLLBACK TO SAVEPOINT undoes the writes since the savepoint', () => {
  it('BEGIN; INSERT a; SAVEPOINT s; INSERT b; ROLLBACK TO s; INSERT c; COMMIT keeps a and c', async () => {
    const h = await withTable();
    expect(await h.send(q('begin; insert into t values (1); savepoint s; insert into t values (2)'))).toEqual(['C BEGIN', 'C INSERT 0 1', 'C SAVEPOINT', 'C INSERT 0 1', 'Z T']);
    expect(await h.send(q('rollback to savepoint s'))).toEqual(['C ROLLBACK', 'Z T']);
    expect(await rows(h)).toEqual(['D 1']); // the block's own reads no longer see b
    expect(await h.send(q('insert into t values (3); commit'))).toEqual(['C INSERT 0 1', 'C COMMIT', 'Z I']);
    expect(await rows(h)).toEqual(['D 1', 'D 3']);
  });

  it('nests: the inner rollback keeps what came between, the outer one drops it; a savepoint survives its rollback', async () => {
    const h = await withTable();
    await h.send(q('begin; savepoint s1; insert into t values (1); savepoint s2; insert into t values (2)'));
    await h.send(q('rollback to savepoint s2'));
    expect(await rows(h)).toEqual(['D 1']);
    await h.send(q('insert into t values (3)'));
    expect(await h.send(q('rollback to savepoint s2'))).toEqual(['C ROLLBACK', 'Z T']); // s2 is still there
    expect(await rows(h)).toEqual(['D 1']);
    await h.send(q('rollback to savepoint s1'));
    expect(await rows(h)).toEqual([]);
    await h.send(q('insert into t values (4); commit'));
    expect(await rows(h)).toEqual(['D 4']);
  });

  it('RELEASE drops the savepoint and those after it; its writes stay', async () => {
    const h = await withTable();
    expect(await h.send(q('begin; savepoint s1; insert into t values (1); savepoint s2; insert into t values (2); release savepoint s1'))).toEqual([
      'C BEGIN',
      'C SAVEPOINT',
      'C INSERT 0 1',
      'C SAVEPOINT',
      'C INSERT 0 1',
      'C RELEASE',
      'Z T',
    ]);
    expect(await h.send(q('rollback to savepoint s2'))).toEqual(['E 3B001 savepoint "s2" does not exist', 'Z E']);
    expect(await h.send(q('rollback'))).toEqual(['C ROLLBACK', 'Z I']);
    expect(await rows(h)).toEqual([]);
    await h.send(q('begin; savepoint s; insert into t values (5); release savepoint s; commit'));
    expect(await rows(h)).toEqual(['D 5']);
  });

  it('after an error, ROLLBACK TO returns the block to open without what the savepoint covers (PostgreSQL)', async () => {
    const h = await withTable();
    await h.send(q('begin; insert into t values (1); savepoint s; insert into t values (2)'));
    expect(await h.send(q("insert into t values ('x')"))).toEqual(['E 22P02 invalid input syntax for type integer: "x"', 'Z E']);
    expect(await h.send(q('select 1'))).toEqual(['E 25P02 current transaction is aborted, commands ignored until end of transaction block', 'Z E']);
    expect(await h.send(q('rollback to savepoint s'))).toEqual(['C ROLLBACK', 'Z T']);
    expect(await h.send(q('insert into t values (3); commit'))).toEqual(['C INSERT 0 1', 'C COMMIT', 'Z I']);
    expect(await rows(h)).toEqual(['D 1', 'D 3']);
  });

  it('undoes a SET made after the savepoint, reporting the restored value', async () => {
    const h = await started();
    await h.send(q("begin; set application_name = 'before'; savepoint s; set application_name = 'after'; set my.custom = 'x'"));
    expect(await h.send(q('rollback to savepoint s'))).toEqual(['S application_name=before', 'C ROLLBACK', 'Z T']);
    expect((await h.send(q('show application_name'))).filter((line) => line.startsWith('D '))).toEqual(['D before']);
    expect(await h.send(q('show my.custom'))).toEqual(['T my.custom:text', 'D ', 'C SHOW', 'Z T']); // PostgreSQL keeps the placeholder, empty
    await h.send(q('rollback'));
  });

  it('SAVEPOINT outside a block is 25P01; an unknown one 3B001', async () => {
    const h = await started();
    expect(await h.send(q('savepoint s'))).toEqual(['E 25P01 SAVEPOINT can only be used in transaction blocks', 'Z I']);
    expect(await h.send(q('rollback to savepoint s'))).toEqual(['E 25P01 ROLLBACK TO SAVEPOINT can only be used in transaction blocks', 'Z I']);
    expect(await h.send(q('begin; rollback to savepoint nope'))).toEqual(['C BEGIN', 'E 3B001 savepoint "nope" does not exist', 'Z E']);
  });
});

describe('savepoints and retryable errors', () => {
  it('a savepoint after the first statement cannot undo a 40001: the block stays aborted', async () => {
    const h = await withTable();
    await h.send(q('begin; insert into t values (1); savepoint s'));
    h.engine.failRuns = 1;
    expect((await h.send(q('insert into t values (2)')))[0]).toMatch(/^E 40001 /);
    const answer = await h.send(q('rollback to savepoint s'));
    expect(answer[0]).toBe('E 40001 restart transaction: cannot roll back to savepoint "s" after the transaction must restart');
    expect(answer[1]).toBe('Z E');
    expect(await h.send(q('rollback'))).toEqual(['C ROLLBACK', 'Z I']);
    expect(await rows(h)).toEqual([]);
  });

  it('a savepoint before the first statement restarts the transaction, like cockroach_restart', async () => {
    const h = await withTable();
    await h.send(q('begin; savepoint s; insert into t values (1)'));
    h.engine.failRuns = 1;
    expect((await h.send(q('insert into t values (2)')))[0]).toMatch(/^E 40001 /);
    expect(await h.send(q('rollback to savepoint s'))).toEqual(['C ROLLBACK', 'Z T']);
    expect(await rows(h)).toEqual([]); // the restart undid the first INSERT too
    await h.send(q('insert into t values (1); insert into t values (2); commit'));
    expect(await rows(h)).toEqual(['D 1', 'D 2']);
  });
});
