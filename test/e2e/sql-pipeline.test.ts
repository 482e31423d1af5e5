// Extended-query pipelines (Parse/Bind/Execute × N, then one Sync) and simple Queries of several
// statements against a real node with the real engine, and the same frames against a real
// PostgreSQL 15 as the oracle: the batch up to Sync, or the Query, is one implicit transaction
// (all or nothing), BEGIN/COMMIT/ROLLBACK/SAVEPOINT inside it
// behave alike, a SET in a failed batch is undone. Messages are compared by kind, SQLSTATE, tag
// and row; where PostgreSQL 15 is not installed the comparison is skipped (CI installs it).
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from './sql-support.js';
import { hasPostgres, runScenario, startPostgres } from './sql-pipeline-support.js';

const statement = (sql: string): Buffer[] => [serialize.parse({ text: sql }), serialize.bind({}), serialize.execute({})];
const q = (sql: string): Buffer => serialize.query(sql);

/** Each scenario: a setup Query, then pipelines (one Sync each) whose answers are compared. */
const scenarios: { name: string; steps: Buffer[][] }[] = [
  {
    name: 'a failing statement rolls back the whole batch',
    steps: [[q('create table t (a int primary key, b text)')], [...statement("insert into t values (1, 'one')"), ...statement("insert into t values (2, 'two'), (1, 'dup')"), ...statement("insert into t values (3, 'three')"), serialize.sync()], [q('select * from t order by a')]],
  },
  {
    name: 'a successful batch commits every statement',
    steps: [[q('create table t (a int primary key, b text)')], [...statement("insert into t values (1, 'one')"), ...statement("insert into t values (2, 'two')"), serialize.sync()], [q('select * from t order by a')]],
  },
  {
    name: 'BEGIN inside a batch makes what ran before it part of the block',
    steps: [[q('create table t (a int primary key)')], [...statement('insert into t values (1)'), ...statement('begin'), ...statement('insert into t values (2)'), serialize.sync()], [q('rollback')], [q('select * from t order by a')]],
  },
  {
    name: 'COMMIT inside a batch commits what ran before it, with a warning',
    steps: [[q('create table t (a int primary key)')], [...statement('insert into t values (1)'), ...statement('commit'), ...statement('insert into t values (1)'), serialize.sync()], [q('select * from t order by a')]],
  },
  {
    name: 'ROLLBACK inside a batch rolls back what ran before it, with a warning',
    steps: [[q('create table t (a int primary key)')], [...statement('insert into t values (1)'), ...statement('rollback'), ...statement('insert into t values (2)'), serialize.sync()], [q('select * from t order by a')]],
  },
  {
    name: 'SAVEPOINT inside a batch is outside a transaction block',
    steps: [[q('create table t (a int primary key)')], [...statement('insert into t values (1)'), ...statement('savepoint s'), serialize.sync()], [q('select * from t order by a')]],
  },
  {
    name: 'a SET in a failed batch is undone',
    steps: [[q('create table t (a int primary key)')], [...statement("set application_name = 'batch'"), ...statement('insert into t values (1), (1)'), serialize.sync()], [q('show application_name')]],
  },
  {
    name: 'a Bind error after an Execute aborts the batch',
    steps: [
      [q('create table t (a int primary key)')],
      [...statement('insert into t values (1)'), serialize.parse({ name: 'ins', text: 'insert into t values ($1)' }), serialize.bind({ statement: 'ins', values: ['x'] }), serialize.execute({}), serialize.sync()],
      [q('select * from t order by a')],
    ],
  },
  {
    name: 'several statements in one Query are one implicit transaction: an error rolls back the earlier ones',
    steps: [[q('create table t (a int primary key)')], [q('insert into t values (1); insert into t values (2), (1); insert into t values (3)')], [q('select * from t order by a')]],
  },
  {
    name: 'several statements in one Query commit together',
    steps: [[q('create table t (a int primary key)')], [q('insert into t values (1); insert into t values (2); select count(*) from t')], [q('select * from t order by a')]],
  },
  {
    name: 'COMMIT, ROLLBACK, BEGIN and SAVEPOINT among several statements of one Query',
    steps: [
      [q('create table t (a int primary key)')],
      [q('insert into t values (1); commit; insert into t values (1)')],
      [q('insert into t values (2); rollback; insert into t values (3)')],
      [q('insert into t values (4); begin; insert into t values (5)')],
      [q('rollback')],
      [q('insert into t values (6); savepoint s; insert into t values (7)')],
      [q('select * from t order by a')],
    ],
  },
  {
    // A point read's rows are all at hand when its read returns (sql/exec/point-lookup.ts) and the
    // session hands them over at once (Session.pullReady) — unless a row limit may suspend the
    // portal (rows >= the limit), then it pulls them one by one: both ways answer alike. A portal
    // resumed after a suspension tags only the rows of its last Execute (rangedb said `SELECT 3`
    // for the third of three rows before; PostgreSQL says `SELECT 1`).
    name: 'prepared primary-key lookups under Execute row limits (suspended or not)',
    steps: [
      [q("create table t (a int primary key, b text); insert into t values (1, 'one'), (2, 'two'), (3, 'three')")],
      [serialize.parse({ name: 'pk', text: 'select b from t where a = $1' }), serialize.bind({ statement: 'pk', values: ['2'] }), serialize.execute({}), serialize.bind({ statement: 'pk', values: ['9'] }), serialize.execute({}), serialize.sync()],
      [serialize.bind({ statement: 'pk', values: ['1'] }), serialize.execute({ rows: 1 }), serialize.execute({ rows: 1 }), serialize.sync()],
      [serialize.bind({ statement: 'pk', values: ['3'] }), serialize.describe({ type: 'P' }), serialize.execute({ rows: 5 }), serialize.sync()],
      [serialize.parse({ name: 'in', text: 'select a, b from t where a in (3, 1, 2, 7)' }), serialize.bind({ statement: 'in' }), serialize.execute({ rows: 2 }), serialize.execute({}), serialize.sync()],
      [serialize.bind({ statement: 'in' }), serialize.execute({ rows: 3 }), serialize.execute({ rows: 3 }), serialize.sync()],
      [serialize.bind({ statement: 'in' }), serialize.execute({ rows: 4 }), serialize.execute({ rows: 4 }), serialize.sync()],
      // Not a point lookup (the operators' rows): a resumed portal's tag counts its own rows too.
      [serialize.parse({ text: 'select a from t order by a desc' }), serialize.bind({}), serialize.execute({ rows: 2 }), serialize.execute({ rows: 2 }), serialize.sync()],
    ],
  },
  {
    name: 'a SET among several statements of a failed Query is undone',
    steps: [[q('create table t (a int primary key)')], [q("set application_name = 'several'; insert into t values (1), (1)")], [q('show application_name')]],
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

describe('extended-query pipelines, compared with PostgreSQL 15', () => {
  it('PostgreSQL 15 is installed where the tests run in CI', () => {
    if (process.env['CI'] !== undefined) expect(hasPostgres).toBe(true);
  });

  for (const scenario of scenarios) {
    it.runIf(hasPostgres)(scenario.name, async () => {
      const ours = await runScenario(rangedb.port, 'root', 'defaultdb', scenario.steps);
      const theirs = await runScenario(postgres!.port, 'postgres', 'postgres', scenario.steps);
      expect(ours).toEqual(theirs);
    });
  }

  it('the first statement of a failed batch is not committed (rangedb alone)', async () => {
    const answers = await runScenario(rangedb.port, 'root', 'defaultdb', scenarios[0]!.steps);
    expect(answers[1]!.at(-2)).toBe('E 23505');
    expect(answers[2]).toEqual(['T a b', 'C SELECT 0', 'Z I']);
  });
});
