// Extended-query batches (pipelining) and simple Queries of several statements: every Execute up
// to Sync, or every statement of the Query, runs in one implicit transaction, all or nothing, as
// in PostgreSQL; the server retries the batch while nothing of it reached the client, running
// its earlier statements again; transaction control inside a batch behaves as PostgreSQL 15's
// (BEGIN adopts the batch, COMMIT/ROLLBACK end it with a warning); a failed batch undoes its SETs.
import { serialize } from 'pg-protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { TransactionRetryError } from '../../../kv/api/index.js';
import type { PrepareContext, PreparedStatement } from '../../../sql/exec/contract.js';
import type { Statement } from '../../../sql/parser/ast.js';
import { loadParser } from '../../../sql/parser/index.js';
import { FakeSqlEngine } from '../../support/fake-sql-engine.js';
import { world } from '../../txn/harness.js';
import { started, type Harness } from './harness.js';

/** The fake engine, with a retryable error on the next run of a statement whose text has a marker. */
class FlakyEngine extends FakeSqlEngine {
  readonly failOnce = new Set<string>();

  override async prepare(statement: Statement, ctx: PrepareContext): Promise<PreparedStatement> {
    const plan = await super.prepare(statement, ctx);
    return {
      ...plan,
      run: async (run) => {
        for (const marker of this.failOnce) {
          if (!statement.text.includes(marker)) continue;
          this.failOnce.delete(marker);
          throw new TransactionRetryError('RETRY_SERIALIZABLE', `injected on ${marker}`);
        }
        return plan.run(run);
      },
    };
  }
}

async function flaky(): Promise<{ h: Harness; engine: FlakyEngine }> {
  const w = world();
  const engine = new FlakyEngine(Buffer.from('r/'), w.timers);
  const h = await started({ world: w, engine });
  await h.send(q('create table t (a int, b text)'));
  return { h, engine };
}

beforeAll(() => loadParser());

const q = (sql: string): Uint8Array => serialize.query(sql);

/** Parse (unnamed), Bind, Execute of `sql`: one statement of a pipeline. */
const statement = (sql: string): Uint8Array[] => [serialize.parse({ text: sql }), serialize.bind({}), serialize.execute({})];

async function rows(h: Harness, table: string): Promise<string[]> {
  return (await h.send(q(`select * from ${table}`))).filter((line) => line.startsWith('D '));
}

async function withTable(): Promise<Harness> {
  const h = await started();
  await h.send(q('create table t (a int, b text)'));
  return h;
}

describe('extended-query batches are atomic up to Sync', () => {
  it('commits every Execute of the batch at Sync', async () => {
    const h = await withTable();
    const lines = await h.send(...statement("insert into t values (1, 'one')"), ...statement("insert into t values (2, 'two')"), serialize.sync());
    expect(lines).toEqual(['parseComplete', 'bindComplete', 'C INSERT 0 1', 'parseComplete', 'bindComplete', 'C INSERT 0 1', 'Z I']);
    expect(await rows(h, 't')).toEqual(['D 1|one', 'D 2|two']);
  });

  it('rolls the whole batch back when a later statement fails, and skips to Sync', async () => {
    const h = await withTable();
    const lines = await h.send(
      ...statement("insert into t values (1, 'one')"),
      ...statement("insert into t values ('x', 'bad')"),
      ...statement("insert into t values (3, 'three')"),
      serialize.sync(),
    );
    expect(lines).toEqual(['parseComplete', 'bindComplete', 'C INSERT 0 1', 'parseComplete', 'bindComplete', 'E 22P02 invalid input syntax for type integer: "x"', 'Z I']);
    expect(await rows(h, 't')).toEqual([]);
  });

  it('rolls back on a Bind error after an Execute (bad parameter), as PostgreSQL aborts the implicit transaction', async () => {
    const h = await withTable();
    const lines = await h.send(
      ...statement("insert into t values (1, 'one')"),
      serialize.parse({ name: 'ins', text: 'insert into t values ($1, $2)' }),
      serialize.bind({ statement: 'ins', values: ['nope', 'x'] }),
      serialize.execute({}),
      serialize.sync(),
    );
    expect(lines.slice(0, 4)).toEqual(['parseComplete', 'bindComplete', 'C INSERT 0 1', 'parseComplete']);
    expect(lines[4]).toMatch(/^E 22P02 /);
    expect(lines[5]).toBe('Z I');
    expect(await rows(h, 't')).toEqual([]);
  });

  it('a Query after an unsynced batch commits it first', async () => {
    const h = await withTable();
    expect(await h.send(...statement("insert into t values (1, 'one')"))).toEqual([]);
    expect(await h.send(q('select * from t'))).toEqual(['parseComplete', 'bindComplete', 'C INSERT 0 1', 'T a:int4 b:text', 'D 1|one', 'C SELECT 1', 'Z I']);
  });
});

describe('server-side retries of a batch', () => {
  it('runs the batch again when a later statement meets a retryable error before anything was sent', async () => {
    const h = await withTable();
    expect(await h.send(...statement("insert into t values (1, 'one')"))).toEqual([]); // held: nothing flushed yet
    const runs = h.engine.runs;
    h.engine.failRuns = 1;
    const lines = await h.send(...statement("insert into t values (2, 'two')"), serialize.sync());
    // The client sees one clean batch: the first INSERT's answer is the one from the retry.
    expect(lines).toEqual(['parseComplete', 'bindComplete', 'C INSERT 0 1', 'parseComplete', 'bindComplete', 'C INSERT 0 1', 'Z I']);
    expect(h.engine.runs - runs).toBe(3); // failed INSERT 2, then INSERT 1 and INSERT 2 again
    expect(await rows(h, 't')).toEqual(['D 1|one', 'D 2|two']);
  });

  it('retries a suspended portal from its first row', async () => {
    const h = await started();
    const first = await h.send(serialize.parse({ text: 'select * from generate_series(1, 3)' }), serialize.bind({}), serialize.execute({ rows: 2 }));
    expect(first).toEqual([]);
    h.engine.failRuns = 1;
    const lines = await h.send(...statement('select 7'), serialize.sync());
    expect(lines).toEqual(['parseComplete', 'bindComplete', 'D 1', 'D 2', 'portalSuspended', 'parseComplete', 'bindComplete', 'D 7', 'C SELECT 1', 'Z I']);
  });

  it('does not retry once part of the batch reached the client (Flush): the client gets 40001 and nothing is committed', async () => {
    const h = await withTable();
    expect(await h.send(...statement("insert into t values (1, 'one')"), serialize.flush())).toEqual(['parseComplete', 'bindComplete', 'C INSERT 0 1']);
    h.engine.failRuns = 1;
    const lines = await h.send(...statement("insert into t values (2, 'two')"), serialize.sync());
    expect(lines.slice(0, 2)).toEqual(['parseComplete', 'bindComplete']);
    expect(lines[2]).toMatch(/^E 40001 restart transaction: .*RETRY_SERIALIZABLE/);
    expect(lines[3]).toBe('Z I');
    expect(await rows(h, 't')).toEqual([]);
  });

  it('still retries a batch whose Flush came before its first Execute', async () => {
    const h = await withTable();
    expect(await h.send(serialize.parse({ text: "insert into t values (1, 'one')" }), serialize.flush())).toEqual(['parseComplete']);
    h.engine.failRuns = 1;
    expect(await h.send(serialize.bind({}), serialize.execute({}), serialize.sync())).toEqual(['bindComplete', 'C INSERT 0 1', 'Z I']);
    expect(await rows(h, 't')).toEqual(['D 1|one']);
  });

  it('does not retry a batch with a statement that cannot run twice (PREPARE)', async () => {
    const h = await withTable();
    await h.send(...statement("insert into t values (1, 'one')"), ...statement('prepare p as select 1'));
    h.engine.failRuns = 1;
    const lines = await h.send(...statement("insert into t values (2, 'two')"), serialize.sync());
    expect(lines.slice(3, 8)).toEqual(['parseComplete', 'bindComplete', 'C PREPARE', 'parseComplete', 'bindComplete']);
    expect(lines[8]).toMatch(/^E 40001 /);
    expect(await rows(h, 't')).toEqual([]);
  });

  it('retries the statements after a PREPARE that ran before the batch began its transaction', async () => {
    const h = await withTable();
    await h.send(...statement('prepare p as select 1'));
    h.engine.failRuns = 1;
    const lines = await h.send(...statement("insert into t values (2, 'two')"), serialize.sync());
    expect(lines).toEqual(['parseComplete', 'bindComplete', 'C PREPARE', 'parseComplete', 'bindComplete', 'C INSERT 0 1', 'Z I']);
  });

  it('gives up after sqlImplicitTxnAttemptsMax and reports the first error', async () => {
    const h = await withTable();
    await h.send(...statement("insert into t values (1, 'one')"));
    h.engine.failRuns = 1_000;
    const lines = await h.send(...statement("insert into t values (2, 'two')"), serialize.sync());
    h.engine.failRuns = 0;
    expect(lines.slice(0, 5)).toEqual(['parseComplete', 'bindComplete', 'C INSERT 0 1', 'parseComplete', 'bindComplete']);
    expect(lines[5]).toMatch(/^E 40001 /);
    expect(await rows(h, 't')).toEqual([]);
  });
});

describe('transaction control inside a batch (PostgreSQL 15)', () => {
  it('BEGIN turns the batch into a transaction block that includes what ran before it', async () => {
    const h = await withTable();
    const lines = await h.send(...statement("insert into t values (1, 'one')"), ...statement('begin'), ...statement("insert into t values (2, 'two')"), serialize.sync());
    expect(lines.at(-1)).toBe('Z T');
    expect(await h.send(q('rollback'))).toEqual(['C ROLLBACK', 'Z I']);
    expect(await rows(h, 't')).toEqual([]);
  });

  it('COMMIT ends the implicit transaction with a warning; what follows runs in a new one', async () => {
    const h = await withTable();
    const lines = await h.send(...statement("insert into t values (1, 'one')"), ...statement('commit'), ...statement("insert into t values ('x', 'bad')"), serialize.sync());
    expect(lines).toEqual([
      'parseComplete',
      'bindComplete',
      'C INSERT 0 1',
      'parseComplete',
      'bindComplete',
      'N WARNING there is no transaction in progress',
      'C COMMIT',
      'parseComplete',
      'bindComplete',
      'E 22P02 invalid input syntax for type integer: "x"',
      'Z I',
    ]);
    expect(await rows(h, 't')).toEqual(['D 1|one']);
  });

  it('ROLLBACK rolls the implicit transaction back with a warning', async () => {
    const h = await withTable();
    const lines = await h.send(...statement("insert into t values (1, 'one')"), ...statement('rollback'), serialize.sync());
    expect(lines.slice(3)).toEqual(['parseComplete', 'bindComplete', 'N WARNING there is no transaction in progress', 'C ROLLBACK', 'Z I']);
    expect(await rows(h, 't')).toEqual([]);
  });

  it('SAVEPOINT in a batch is refused as outside a block (25P01)', async () => {
    const h = await started();
    const lines = await h.send(...statement('savepoint s'), serialize.sync());
    expect(lines).toEqual(['parseComplete', 'bindComplete', 'E 25P01 SAVEPOINT can only be used in transaction blocks', 'Z I']);
  });

  it('a SET in a batch that fails is undone; in one that commits it stays', async () => {
    const h = await withTable();
    await h.send(...statement("set application_name = 'batch'"), ...statement("insert into t values ('x', 'bad')"), serialize.sync());
    expect((await h.send(q('show application_name'))).filter((line) => line.startsWith('D'))).toEqual(['D ']);
    await h.send(...statement("set application_name = 'kept'"), serialize.sync());
    expect((await h.send(q('show application_name'))).filter((line) => line.startsWith('D'))).toEqual(['D kept']);
  });
});

describe('a simple Query of several statements is one implicit transaction (PostgreSQL)', () => {
  it('rolls the earlier statements back when a later one fails, and skips the rest', async () => {
    const h = await withTable();
    const lines = await h.send(q("insert into t values (1, 'one'); insert into t values ('x', 'bad'); insert into t values (3, 'three')"));
    expect(lines).toEqual(['C INSERT 0 1', 'E 22P02 invalid input syntax for type integer: "x"', 'Z I']);
    expect(await rows(h, 't')).toEqual([]);
  });

  it('retries the whole Query when a later statement meets a retryable error, answering once', async () => {
    const { h, engine } = await flaky();
    engine.failOnce.add("'two'");
    const runs = engine.runs;
    const lines = await h.send(q("insert into t values (1, 'one'); select * from t; insert into t values (2, 'two'); select * from t"));
    expect(lines).toEqual(['C INSERT 0 1', 'T a:int4 b:text', 'D 1|one', 'C SELECT 1', 'C INSERT 0 1', 'T a:int4 b:text', 'D 1|one', 'D 2|two', 'C SELECT 2', 'Z I']);
    // INSERT and SELECT; the injected failure (never reaching the engine); both again; INSERT 2 and the last SELECT.
    expect(engine.runs - runs).toBe(6);
    expect(await rows(h, 't')).toEqual(['D 1|one', 'D 2|two']);
  });

  it('sends the output of a long Query as it grows, not all at its end', async () => {
    const h = await started();
    h.raw.length = 0;
    // 9-byte CommandCompletes, no rows: 72 KB of output, past sqlConnectionFlushBytes (64 KiB).
    const lines = await h.send(q(Array.from({ length: 8000 }, () => 'set statement_timeout = 0').join('; ')));
    expect(lines.filter((line) => line === 'C SET')).toHaveLength(8000);
    expect(lines.at(-1)).toBe('Z I');
    expect(h.raw.length).toBeGreaterThan(1); // flushed at sqlConnectionFlushBytes along the way
  });

  it('a lone statement keeps its own implicit transaction, retried by the session', async () => {
    const { h, engine } = await flaky();
    engine.failOnce.add("'solo'");
    expect(await h.send(q("insert into t values (1, 'solo')"))).toEqual(['C INSERT 0 1', 'Z I']);
    expect(await rows(h, 't')).toEqual(['D 1|solo']);
  });
});

describe('retries of an extended batch whose later statement fails (the earlier ones run again)', () => {
  it('replays the earlier Executes in the restarted transaction', async () => {
    const { h, engine } = await flaky();
    engine.failOnce.add("'two'");
    const lines = await h.send(...statement("insert into t values (1, 'one')"), ...statement('select * from t'), ...statement("insert into t values (2, 'two')"), serialize.sync());
    expect(lines).toEqual(['parseComplete', 'bindComplete', 'C INSERT 0 1', 'parseComplete', 'bindComplete', 'D 1|one', 'C SELECT 1', 'parseComplete', 'bindComplete', 'C INSERT 0 1', 'Z I']);
    expect(await rows(h, 't')).toEqual(['D 1|one', 'D 2|two']);
  });
});

// Regression (review of 333d6f4): a Bind that failed was run a second time by the extended path;
// the first run had already failed the explicit block, so the second reported 25P02 instead of
// the Bind's own error (PostgreSQL answers with the Bind's).
describe('a Bind that fails inside BEGIN reports its own error', () => {
  it('an invalid parameter is 22P02, a wrong parameter count 08P01', async () => {
    const h = await started();
    await h.send(q('create table t (a int, b text)'));
    await h.send(q('begin'));
    const invalid = await h.send(
      serialize.parse({ name: 'ins', text: 'insert into t values ($1, $2)', types: [23, 25] }),
      serialize.bind({ statement: 'ins', values: ['nope', 'x'] }),
      serialize.execute({}),
      serialize.sync(),
    );
    expect(invalid[0]).toBe('parseComplete');
    expect(invalid[1]).toMatch(/^E 22P02 invalid input syntax for type integer: "nope"/);
    expect(invalid.at(-1)).toBe('Z E');
    await h.send(q('rollback'));
    await h.send(q('begin'));
    const count = await h.send(serialize.parse({ name: 's', text: 'select $1::int' }), serialize.bind({ statement: 's', values: [] }), serialize.sync());
    expect(count[1]).toMatch(/^E 08P01 /);
    expect(count.at(-1)).toBe('Z E');
  });
});
