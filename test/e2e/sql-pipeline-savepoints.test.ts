// Savepoints with the real engine against a real node, the same statements against PostgreSQL
// 15 as the oracle: ROLLBACK TO SAVEPOINT undoes the inserts, updates, deletes and DDL made since
// the savepoint (rows, unique keys and secondary indexes alike), reopens a block an error
// aborted, nests, and RELEASE drops savepoints. Answers are compared message by message (kind,
// SQLSTATE, tag, row); where PostgreSQL 15 is not installed the comparison is skipped.
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from './sql-support.js';
import { hasPostgres, runScenario, startPostgres } from './sql-pipeline-support.js';

/** One Query message per statement, so every answer ends in its ReadyForQuery. */
const steps = (...sqls: string[]): Buffer[][] => sqls.map((sql) => [serialize.query(sql)]);

const scenarios: { name: string; steps: Buffer[][] }[] = [
  {
    name: 'BEGIN; INSERT a; SAVEPOINT s; INSERT b; ROLLBACK TO s; INSERT c; COMMIT keeps a and c',
    steps: steps('create table t (a int primary key, b text)', "begin", "insert into t values (1, 'a')", 'savepoint s', "insert into t values (2, 'b')", 'rollback to savepoint s', 'select * from t order by a', "insert into t values (3, 'c')", 'commit', 'select * from t order by a'),
  },
  {
    name: 'a key inserted and rolled back can be inserted again (unique primary key)',
    steps: steps('create table t (a int primary key, b text)', 'begin', 'savepoint s', "insert into t values (1, 'first')", 'rollback to savepoint s', "insert into t values (1, 'second')", 'commit', 'select * from t order by a'),
  },
  {
    name: 'after a unique violation, ROLLBACK TO returns the block to open',
    steps: steps('create table t (a int primary key, b text)', 'begin', "insert into t values (1, 'a')", 'savepoint s', "insert into t values (2, 'b')", "insert into t values (1, 'dup')", 'select 1', 'rollback to savepoint s', "insert into t values (3, 'c')", 'commit', 'select * from t order by a'),
  },
  {
    name: 'updates and deletes since the savepoint are undone, secondary index included',
    steps: steps(
      'create table t (a int primary key, b text unique)',
      "insert into t values (1, 'one'), (2, 'two')",
      'begin',
      'savepoint s',
      "update t set b = 'uno' where a = 1",
      'delete from t where a = 2',
      "select * from t where b = 'uno'",
      'rollback to savepoint s',
      "select * from t where b = 'one'",
      "select * from t where b = 'uno'",
      'select * from t order by a',
      "insert into t values (3, 'uno')",
      'commit',
      'select * from t order by a',
    ),
  },
  {
    name: 'nested savepoints, a savepoint kept after its rollback, RELEASE',
    steps: steps(
      'create table t (a int primary key)',
      'begin',
      'savepoint s1',
      'insert into t values (1)',
      'savepoint s2',
      'insert into t values (2)',
      'rollback to savepoint s2',
      'insert into t values (3)',
      'rollback to savepoint s2',
      'select * from t order by a',
      'savepoint s3',
      'insert into t values (4)',
      'release savepoint s2',
      'rollback to savepoint s3',
      'rollback',
      'begin',
      'insert into t values (5)',
      'savepoint s',
      'insert into t values (6)',
      'rollback to savepoint s',
      'commit',
      'select * from t order by a',
    ),
  },
  {
    // Writes the coordinator may still hold back (txn/write-buffer.ts) must be covered by the
    // savepoint taken after them, and those made after it must be undone with it.
    name: 'an update just before the savepoint stays, one just after it goes',
    steps: steps(
      'create table t (a int primary key, b text)',
      "insert into t values (1, 'one'), (2, 'two')",
      'begin',
      "update t set b = 'before' where a = 1",
      'savepoint s',
      "update t set b = 'after' where a = 2",
      'rollback to savepoint s',
      'commit',
      'select * from t order by a',
      'begin',
      'savepoint s',
      "update t set b = 'undone' where a = 1",
      'rollback to savepoint s',
      'commit',
      'select * from t order by a',
    ),
  },
  {
    name: 'a SET after the savepoint is undone by the rollback, one before it stays',
    steps: steps(
      'begin',
      "set application_name = 'before'",
      'savepoint s',
      "set application_name = 'after'",
      "set my.custom = 'x'",
      'show application_name',
      'rollback to savepoint s',
      'show application_name',
      'show my.custom',
      'commit',
      'show application_name',
      'begin',
      "set my.other = 'y'",
      'rollback',
      'show my.other',
    ),
  },
  {
    name: 'a table created after the savepoint is gone after the rollback',
    steps: steps('begin', 'savepoint s', 'create table t (a int)', 'insert into t values (1)', 'rollback to savepoint s', 'select * from t', 'rollback', 'create table t (a int)', 'select * from t'),
  },
];

let rangedb: SqlNode;
let postgres: { port: number; stop(): Promise<void> } | undefined;

beforeAll(async () => {
  rangedb = await startSqlNode();
  if (hasPostgres) postgres = await startPostgres();
}, 120_000);

afterAll(async () => {
  await postgres?.stop();
  await rangedb.stop();
});

describe('savepoints, compared with PostgreSQL 15', () => {
  for (const scenario of scenarios) {
    it.runIf(hasPostgres)(scenario.name, async () => {
      const ours = await runScenario(rangedb.port, 'root', 'defaultdb', scenario.steps);
      const theirs = await runScenario(postgres!.port, 'postgres', 'postgres', scenario.steps);
      expect(ours).toEqual(theirs);
    });
  }

  it('undoes the writes since the savepoint (rangedb alone)', async () => {
    const answers = await runScenario(rangedb.port, 'root', 'defaultdb', scenarios[0]!.steps);
    expect(answers.at(-1)).toEqual(['T a b', 'D 1|a', 'D 3|c', 'C SELECT 2', 'Z I']);
  });
});
