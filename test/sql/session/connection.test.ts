// The connection and session state machines over a fake engine and a real local KV: startup,
// simple and extended query, transaction blocks, retries, session variables, COPY, errors.
import { createRequire } from 'node:module';
import { serialize } from 'pg-protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../../sql/parser/index.js';
import { makeScramVerifier, parseScramVerifier } from '../../../sql/pgwire/scram.js';
import { joinedOutput } from '../../../sql/session/connection.js';
import { harness, started } from './harness.js';

beforeAll(() => loadParser());

const q = (sql: string): Uint8Array => serialize.query(sql);

describe('startup', () => {
  it('answers SSLRequest with N, then trusts root and reports parameters, key data and I', async () => {
    const h = harness();
    expect(await h.send(serialize.requestSsl())).toEqual(['byte N']);
    const lines = await h.send(serialize.startup({ user: 'root', database: 'defaultdb', application_name: 'psql' }));
    expect(lines[0]).toBe('authenticationOk');
    expect(lines).toContain('S server_version=15.0.0');
    expect(lines).toContain('S client_encoding=UTF8');
    expect(lines).toContain('S DateStyle=ISO, MDY');
    expect(lines).toContain('S integer_datetimes=on');
    expect(lines).toContain('S standard_conforming_strings=on');
    expect(lines).toContain('S application_name=psql');
    expect(lines).toContain('S is_superuser=on');
    expect(lines).toContain('S session_authorization=root');
    expect(lines.slice(-2)).toEqual(['K', 'Z I']);
  });

  it('refuses a startup parameter it cannot honour and a missing user with FATAL', async () => {
    const h = harness();
    expect(await h.send(serialize.startup({ user: 'root', DateStyle: 'German' }))).toEqual(['E 0A000 unimplemented: DateStyle "German" is not supported; only "ISO, MDY" is']);
    expect(h.closed).toBe(true);
    const nobody = harness();
    expect(await nobody.send(serialize.startup({ user: '' }))).toEqual(['E 28000 no PostgreSQL user name specified in startup packet']);
  });

  it('applies -c settings from the startup options parameter (PGOPTIONS)', async () => {
    const h = harness();
    const lines = await h.send(serialize.startup({ user: 'root', options: '-c statement_timeout=5s --application-name=my\\ app' }));
    expect(lines).toContain('S application_name=my app');
    expect(await h.send(q('show statement_timeout'))).toEqual(['T statement_timeout:text', 'D 5s', 'C SHOW', 'Z I']);
  });

  it('passes a CancelRequest on and closes', async () => {
    const h = harness();
    expect(await h.send(serialize.cancel(42, 7))).toEqual([]);
    expect(h.cancels).toEqual([[42, 7]]);
    expect(h.closed).toBe(true);
  });

  it('authenticates with SCRAM-SHA-256 (node-postgres client side) and refuses a wrong password', async () => {
    interface Sasl {
      startSession(mechanisms: string[]): { response: string; message: string; clientNonce: string };
      continueSession(session: unknown, password: string, serverData: string): Promise<void>;
      finalizeSession(session: unknown, serverData: string): void;
    }
    const sasl = createRequire(import.meta.url)('pg/lib/crypto/sasl.js') as Sasl;
    const verifier = parseScramVerifier(makeScramVerifier('secret', Buffer.alloc(16, 3)))!;
    for (const [password, expected] of [['secret', 'Z I'], ['wrong', 'E 28P01 password authentication failed for user "alice"']] as const) {
      const h = harness({ authenticate: (user) => (user === 'alice' ? { kind: 'scram', verifier } : { kind: 'trust' }) });
      expect(await h.send(serialize.startup({ user: 'alice' }))).toEqual(['R SASL SCRAM-SHA-256']);
      const session = sasl.startSession(['SCRAM-SHA-256']);
      const continued = await h.send(serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', session.response));
      expect(continued).toEqual(['R authenticationSASLContinue']);
      const serverFirst = Buffer.from(h.raw.at(-1)!.subarray(9)).toString('utf8');
      await sasl.continueSession(session, password, serverFirst);
      const final = await h.send(serialize.sendSCRAMClientFinalMessage(session.response));
      expect(final.at(-1)).toBe(expected);
      if (password === 'secret') expect(final[0]).toBe('R authenticationSASLFinal');
    }
  });

  it('closes with 08P01 on a protocol violation', async () => {
    const h = await started();
    expect(await h.send(Buffer.from([0x78, 0, 0, 0, 4]))).toEqual(['E 08P01 invalid frontend message type 120']);
    expect(h.closed).toBe(true);
  });
});

describe('simple query', () => {
  it('runs several statements, each with its result, then one ReadyForQuery', async () => {
    const h = await started();
    expect(await h.send(q("select 1 as a, 'x' as b; select 2"))).toEqual(['T a:int4 b:text', 'D 1|x', 'C SELECT 1', 'T ?column?:int4', 'D 2', 'C SELECT 1', 'Z I']);
  });

  it('answers an empty query with EmptyQueryResponse', async () => {
    const h = await started();
    expect(await h.send(q('  -- nothing'))).toEqual(['emptyQuery', 'Z I']);
  });

  it('reports a syntax error with its position and stops the rest', async () => {
    const h = await started();
    expect(await h.send(q('select 1; selec 2'))).toEqual(['E 42601 syntax error at or near "selec" @11', 'Z I']);
    expect(await h.send(q('select 1; select 1/0; select 3'))).toEqual(['T ?column?:int4', 'D 1', 'C SELECT 1', 'T ?column?:int4', 'E 22012 division by zero', 'Z I']);
  });

  it('retries a retryable error of an implicit transaction invisibly', async () => {
    const h = await started();
    h.engine.failRuns = 2;
    expect(await h.send(q('select 7'))).toEqual(['T ?column?:int4', 'D 7', 'C SELECT 1', 'Z I']);
    expect(h.engine.runs).toBe(3);
  });
});

describe('transaction blocks', () => {
  it('BEGIN … COMMIT, with T in ReadyForQuery, and a failed block until ROLLBACK', async () => {
    const h = await started();
    await h.send(q('create table t (a int, b text)'));
    expect(await h.send(q('begin'))).toEqual(['C BEGIN', 'Z T']);
    expect(await h.send(q("insert into t values (1, 'one')"))).toEqual(['C INSERT 0 1', 'Z T']);
    expect(await h.send(q('select * from nope'))).toEqual(['E 42P01 relation "nope" does not exist', 'Z E']);
    expect(await h.send(q('select 1'))).toEqual(['E 25P02 current transaction is aborted, commands ignored until end of transaction block', 'Z E']);
    expect(await h.send(q('commit'))).toEqual(['C ROLLBACK', 'Z I']);
    expect(await h.send(q('select * from t'))).toEqual(['T a:int4 b:text', 'C SELECT 0', 'Z I']);
    expect(await h.send(q("begin; insert into t values (2, 'two'); commit"))).toEqual(['C BEGIN', 'C INSERT 0 1', 'C COMMIT', 'Z I']);
    expect(await h.send(q('select * from t'))).toEqual(['T a:int4 b:text', 'D 2|two', 'C SELECT 1', 'Z I']);
  });

  it('gives 40001 in an explicit transaction and restarts it with ROLLBACK TO SAVEPOINT cockroach_restart', async () => {
    const h = await started();
    await h.send(q('create table t (a int)'));
    expect(await h.send(q('begin; savepoint cockroach_restart'))).toEqual(['C BEGIN', 'C SAVEPOINT', 'Z T']);
    h.engine.failRuns = 1;
    const failed = await h.send(q('insert into t values (1)'));
    expect(failed[0]).toMatch(/^E 40001 restart transaction: .*RETRY_SERIALIZABLE/);
    expect(failed[1]).toBe('Z E');
    expect(await h.send(q('rollback to savepoint cockroach_restart'))).toEqual(['C ROLLBACK', 'Z T']);
    expect(await h.send(q('insert into t values (1); release savepoint cockroach_restart'))).toEqual(['C INSERT 0 1', 'C RELEASE', 'Z T']);
    expect(await h.send(q('select 1'))).toEqual(['E 25000 current transaction is committed, commands ignored until end of transaction block', 'Z T']);
    expect(await h.send(q('commit'))).toEqual(['C COMMIT', 'Z I']);
    expect(await h.send(q('select * from t'))).toEqual(['T a:int4', 'D 1', 'C SELECT 1', 'Z I']);
  });

  it('warns on COMMIT outside a block and on BEGIN inside one; READ COMMITTED runs serializable with a NOTICE', async () => {
    const h = await started();
    expect(await h.send(q('commit'))).toEqual(['N WARNING there is no transaction in progress', 'C COMMIT', 'Z I']);
    expect(await h.send(q('begin isolation level read committed'))).toEqual([
      'N NOTICE READ COMMITTED isolation is not supported; the transaction runs as SERIALIZABLE',
      'C BEGIN',
      'Z T',
    ]);
    expect(await h.send(q('begin'))).toEqual(['N WARNING there is already a transaction in progress', 'C BEGIN', 'Z T']);
    expect(await h.send(q('show transaction isolation level'))).toEqual(['T transaction_isolation:text', 'D serializable', 'C SHOW', 'Z T']);
    expect(await h.send(q('rollback'))).toEqual(['C ROLLBACK', 'Z I']);
  });

  it("runs a statement's post-commit work only once its transaction committed", async () => {
    const h = await started();
    await h.send(q('create table a (x int)'));
    expect(h.engine.afterCommitRuns).toBe(1);
    await h.send(q('begin; create table b (x int)'));
    expect(h.engine.afterCommitRuns).toBe(1);
    await h.send(q('rollback'));
    expect(h.engine.afterCommitRuns).toBe(1);
    await h.send(q('begin; create table c (x int); commit'));
    expect(h.engine.afterCommitRuns).toBe(2);
  });

  it('rolls back to a savepoint taken after the last write', async () => {
    const h = await started();
    expect(await h.send(q('begin; savepoint a; select * from nope'))).toEqual(['C BEGIN', 'C SAVEPOINT', 'E 42P01 relation "nope" does not exist', 'Z E']);
    expect(await h.send(q('rollback to savepoint a; select 1'))).toEqual(['C ROLLBACK', 'T ?column?:int4', 'D 1', 'C SELECT 1', 'Z T']);
    expect(await h.send(q('rollback to savepoint b'))).toEqual(['E 3B001 savepoint "b" does not exist', 'Z E']);
    expect(await h.send(q('rollback'))).toEqual(['C ROLLBACK', 'Z I']);
  });
});

describe('session variables', () => {
  it('SET, SHOW, RESET with ParameterStatus for reported ones', async () => {
    const h = await started();
    expect(await h.send(q("set application_name = 'app'"))).toEqual(['S application_name=app', 'C SET', 'Z I']);
    expect(await h.send(q('show application_name'))).toEqual(['T application_name:text', 'D app', 'C SHOW', 'Z I']);
    expect(await h.send(q("set time zone 'Europe/Amsterdam'"))).toEqual(['S TimeZone=Europe/Amsterdam', 'C SET', 'Z I']);
    expect(await h.send(q('set extra_float_digits = 3'))).toEqual(['C SET', 'Z I']);
    expect(await h.send(q("set statement_timeout = '5s'; show statement_timeout"))).toEqual(['C SET', 'T statement_timeout:text', 'D 5s', 'C SHOW', 'Z I']);
    expect(await h.send(q('reset application_name'))).toEqual(['S application_name=', 'C RESET', 'Z I']);
    expect(await h.send(q('show server_version_num'))).toEqual(['T server_version_num:text', 'D 150000', 'C SHOW', 'Z I']);
    expect(await h.send(q("select current_setting('extra_float_digits')"))).toEqual(['T current_setting:text', 'D 3', 'C SELECT 1', 'Z I']);
  });

  it('refuses unknown variables, bad values and what rangedb cannot do', async () => {
    const h = await started();
    expect(await h.send(q('show nope'))).toEqual(['E 42704 unrecognized configuration parameter "nope"', 'Z I']);
    expect(await h.send(q("set client_encoding = 'LATIN1'"))).toEqual(['E 0A000 unimplemented: client_encoding "LATIN1" is not supported; only UTF8 is', 'Z I']);
    expect(await h.send(q("set client_encoding = 'klingon'"))).toEqual(['E 22023 invalid value for parameter "client_encoding": "klingon"', 'Z I']);
    expect(await h.send(q("set server_version = '9'"))).toEqual(['E 55P02 parameter "server_version" cannot be changed', 'Z I']);
    expect(await h.send(q("set myapp.flag = 'x'; show myapp.flag"))).toEqual(['C SET', 'T myapp.flag:text', 'D x', 'C SHOW', 'Z I']);
  });

  it('SET LOCAL lasts until the end of the block', async () => {
    const h = await started();
    expect(await h.send(q("begin; set local application_name = 'inner'"))).toEqual(['C BEGIN', 'S application_name=inner', 'C SET', 'Z T']);
    expect(await h.send(q('commit; show application_name'))).toEqual(['S application_name=', 'C COMMIT', 'T application_name:text', 'D ', 'C SHOW', 'Z I']);
  });

  it('a SET in a block that does not commit is undone, as in PostgreSQL', async () => {
    const h = await started();
    expect(await h.send(q("begin; set application_name = 'gone'; rollback"))).toEqual(['C BEGIN', 'S application_name=gone', 'C SET', 'S application_name=', 'C ROLLBACK', 'Z I']);
    expect(await h.send(q("begin; set application_name = 'kept'; select * from nope"))).toEqual(['C BEGIN', 'S application_name=kept', 'C SET', 'E 42P01 relation "nope" does not exist', 'Z E']);
    expect(await h.send(q('commit'))).toEqual(['S application_name=', 'C ROLLBACK', 'Z I']);
    expect(await h.send(q("begin; set local application_name = 'l'; set application_name = 'kept'; commit; show application_name"))).toEqual([
      'C BEGIN',
      'S application_name=l',
      'C SET',
      'S application_name=kept',
      'C SET',
      'C COMMIT',
      'T application_name:text',
      'D kept',
      'C SHOW',
      'Z I',
    ]);
  });

  it('strict_serializable turns on commit wait and SHOW last_commit_wait reports it', async () => {
    const h = await started();
    await h.send(q('create table t (a int)'));
    expect(await h.send(q('set strict_serializable = on; insert into t values (1)'))).toEqual(['C SET', 'C INSERT 0 1', 'Z I']);
    const shown = await h.send(q('show last_commit_wait'));
    expect(shown[1]).toMatch(/^D 00:00:00\.\d+$/);
  });

  it('SHOW ALL lists every variable', async () => {
    const h = await started();
    const lines = await h.send(q('show all'));
    expect(lines[0]).toBe('T name:text setting:text description:text');
    expect(lines).toContain('D timezone|UTC|Sets the time zone for displaying and interpreting time stamps.');
  });
});

describe('extended query', () => {
  it('Parse/Bind/Describe/Execute/Sync with parameters, text and binary results', async () => {
    const h = await started();
    const lines = await h.send(
      serialize.parse({ name: 's1', text: 'select $1::int8 as n, $2 as t', types: [] }),
      serialize.describe({ type: 'S', name: 's1' }),
      serialize.bind({ portal: '', statement: 's1', values: ['42', 'hi'] }),
      serialize.describe({ type: 'P', name: '' }),
      serialize.execute({ portal: '', rows: 0 }),
      serialize.sync(),
    );
    expect(lines).toEqual(['parseComplete', 't int8 text', 'T n:int8 t:text', 'bindComplete', 'T n:int8 t:text', 'D 42|hi', 'C SELECT 1', 'Z I']);
    const binary = await h.send(serialize.bind({ portal: 'p', statement: 's1', values: ['5', 'x'], binary: true }), serialize.describe({ type: 'P', name: 'p' }), serialize.execute({ portal: 'p' }), serialize.sync());
    expect(binary.slice(0, 2)).toEqual(['bindComplete', 'T n:int8/1 t:text/1']);
    // A RowDescription is encoded once per column list and formats (row-descriptions.ts): back to text, twice.
    for (const value of ['6', '7']) {
      const text = await h.send(serialize.bind({ portal: 'q', statement: 's1', values: [value, 'y'] }), serialize.describe({ type: 'P', name: 'q' }), serialize.execute({ portal: 'q' }), serialize.sync());
      expect(text).toEqual(['bindComplete', 'T n:int8 t:text', `D ${value}|y`, 'C SELECT 1', 'Z I']);
    }
  });

  it('decodes binary parameters with their type', async () => {
    const h = await started();
    const int8 = Buffer.alloc(8);
    int8.writeBigInt64BE(-5n);
    const lines = await h.send(
      serialize.parse({ text: 'select $1::int8 as n', types: [20] }),
      serialize.bind({ values: [int8] }),
      serialize.execute({}),
      serialize.bind({ values: [Buffer.from([1, 2, 3])] }),
      serialize.execute({}),
      serialize.sync(),
    );
    expect(lines.slice(0, 4)).toEqual(['parseComplete', 'bindComplete', 'D -5', 'C SELECT 1']);
    expect(lines[4]).toMatch(/^E 22P03 /);
  });

  it('suspends a portal at the row limit and resumes it', async () => {
    const h = await started();
    const lines = await h.send(
      serialize.parse({ text: 'select * from generate_series(1, 5)' }),
      serialize.bind({}),
      serialize.execute({ rows: 2 }),
      serialize.execute({ rows: 2 }),
      serialize.execute({ rows: 2 }),
      serialize.sync(),
    );
    // The tag counts the rows of the Execute that completed the portal, as PostgreSQL's (test/e2e/sql-pipeline.test.ts compares).
    expect(lines).toEqual(['parseComplete', 'bindComplete', 'D 1', 'D 2', 'portalSuspended', 'D 3', 'D 4', 'portalSuspended', 'D 5', 'C SELECT 1', 'Z I']);
  });

  it('skips everything after an error until Sync', async () => {
    const h = await started();
    const lines = await h.send(serialize.parse({ text: 'select * from nope' }), serialize.bind({}), serialize.execute({}), serialize.sync(), serialize.parse({ text: 'select 1' }), serialize.sync());
    expect(lines).toEqual(['E 42P01 relation "nope" does not exist', 'Z I', 'parseComplete', 'Z I']);
    expect(await h.send(serialize.bind({ statement: 'missing' }), serialize.sync())).toEqual(['E 26000 prepared statement "missing" does not exist', 'Z I']);
    expect(await h.send(serialize.parse({ text: 'select 1; select 2' }), serialize.sync())).toEqual(['E 42601 cannot insert multiple commands into a prepared statement', 'Z I']);
  });

  it('re-prepares a cached plan after DDL', async () => {
    const h = await started();
    await h.send(q('create table t (a int)'));
    await h.send(serialize.parse({ name: 'sel', text: 'select * from t' }), serialize.sync());
    await h.send(q('create table u (a int)'));
    const prepares = h.engine.runs;
    const lines = await h.send(serialize.bind({ statement: 'sel' }), serialize.execute({}), serialize.sync());
    expect(lines).toEqual(['bindComplete', 'C SELECT 0', 'Z I']);
    expect(h.engine.runs).toBe(prepares + 1);
  });

  it('Close answers CloseComplete and forgets the statement', async () => {
    const h = await started();
    expect(await h.send(serialize.parse({ name: 'x', text: 'select 1' }), serialize.close({ type: 'S', name: 'x' }), serialize.describe({ type: 'S', name: 'x' }), serialize.sync())).toEqual([
      'parseComplete',
      'closeComplete',
      'E 26000 prepared statement "x" does not exist',
      'Z I',
    ]);
  });
});

describe('SQL PREPARE / EXECUTE / DEALLOCATE', () => {
  it('prepares, executes with constants and deallocates', async () => {
    const h = await started();
    expect(await h.send(q('prepare p (int8) as select $1 as v'))).toEqual(['C PREPARE', 'Z I']);
    expect(await h.send(q('execute p (41)'))).toEqual(['T v:int8', 'D 41', 'C SELECT 1', 'Z I']);
    expect(await h.send(q('execute p'))).toEqual(['E 42601 wrong number of parameters for prepared statement "p" (Expected 1 parameters but got 0.)', 'Z I']);
    expect(await h.send(q('deallocate p; execute p (1)'))).toEqual(['C DEALLOCATE', 'E 26000 prepared statement "p" does not exist', 'Z I']);
  });
});

describe('COPY', () => {
  it('COPY FROM STDIN (text and CSV) inserts through the engine; COPY TO STDOUT writes lines', async () => {
    const h = await started();
    await h.send(q('create table t (a int, b text)'));
    expect(await h.send(q('copy t from stdin'))).toEqual(['copyInResponse 2']);
    expect(await h.send(serialize.copyData(Buffer.from('1\tone\n2\t\\N\n3\tt\\thr')), serialize.copyData(Buffer.from('ee\n\\.\n')), serialize.copyDone())).toEqual(['C COPY 3', 'Z I']);
    expect(await h.send(q('copy t (b, a) from stdin with (format csv, header)'))).toEqual(['copyInResponse 2']);
    expect(await h.send(serialize.copyData(Buffer.from('b,a\n"fo,ur",4\n,5\n')), serialize.copyDone())).toEqual(['C COPY 2', 'Z I']);
    expect(await h.send(q('copy t to stdout'))).toEqual(['copyOutResponse 2', 'd "1\\tone\\n"', 'd "2\\t\\\\N\\n"', 'd "3\\tt\\\\three\\n"', 'd "4\\tfo,ur\\n"', 'd "5\\t\\\\N\\n"', 'copyDone', 'C COPY 5', 'Z I']);
    expect(await h.send(q('copy t from stdin'))).toEqual(['copyInResponse 2']);
    expect(await h.send(serialize.copyData(Buffer.from('9\n')), serialize.copyDone())).toEqual(['E 22P04 missing data for column "b" (COPY line 1)', 'Z I']);
    expect(await h.send(q('copy t from stdin'))).toEqual(['copyInResponse 2']);
    expect(await h.send(serialize.copyFail('changed my mind'))).toEqual(['E 57014 COPY from stdin failed: changed my mind', 'Z I']);
  });
});

describe('cancel and statement_timeout', () => {
  it('statement_timeout cancels a long statement with 57014', async () => {
    const h = await started();
    expect(await h.send(q("set statement_timeout = '50ms'; select pg_sleep(1)"))).toEqual(['C SET', 'T pg_sleep:text', 'E 57014 canceling statement due to statement timeout', 'Z I']);
  });

  it('a statement_timeout undone by SET … TO DEFAULT, RESET or a rolled-back block no longer applies (the parsed value is cached per settings change)', async () => {
    const h = await started();
    const slow = ['T pg_sleep:text', 'D ', 'C SELECT 1', 'Z I'];
    expect(await h.send(q("set statement_timeout = '50ms'; set statement_timeout to default"))).toEqual(['C SET', 'C SET', 'Z I']);
    expect(await h.send(q('select pg_sleep(0.2)'))).toEqual(slow);
    expect(await h.send(q("set statement_timeout = '50ms'"))).toEqual(['C SET', 'Z I']);
    expect(await h.send(q('select pg_sleep(0.2)'))).toEqual(['T pg_sleep:text', 'E 57014 canceling statement due to statement timeout', 'Z I']);
    expect(await h.send(q('reset statement_timeout'))).toEqual(['C RESET', 'Z I']);
    expect(await h.send(q('select pg_sleep(0.2)'))).toEqual(slow);
    expect(await h.send(q("begin; set statement_timeout = '50ms'; rollback"))).toEqual(['C BEGIN', 'C SET', 'C ROLLBACK', 'Z I']);
    expect(await h.send(q('select pg_sleep(0.2)'))).toEqual(slow);
  });

  it('cancel() stops the running statement', async () => {
    const h = await started();
    const running = h.send(q('select pg_sleep(5)'));
    await h.world.timers.advance(30);
    expect(h.connection.session!.isRunning).toBe(true);
    h.connection.session!.cancel();
    expect(await running).toEqual(['T pg_sleep:text', 'E 57014 canceling statement due to user request', 'Z I']);
  });
});

describe('joinedOutput: the held pieces of a batch and the last as one write', () => {
  const buffer = Buffer.from('abcdefghij');
  const view = (start: number, end: number): Uint8Array => buffer.subarray(start, end);
  const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString();

  it('adjacent views of one buffer become the view over all of them, without a copy', () => {
    const joined = joinedOutput([view(0, 2), view(2, 2), view(2, 5)], view(5, 7));
    expect(text(joined)).toBe('abcdefg');
    expect(joined.buffer).toBe(buffer.buffer);
    expect(joined.byteOffset).toBe(buffer.byteOffset);
  });

  it('empty pieces anywhere are skipped, and only empty ones give the last', () => {
    const empty = new Uint8Array(0);
    expect(text(joinedOutput([empty, view(3, 4), empty], view(4, 6)))).toBe('def');
    expect(text(joinedOutput([view(3, 4)], empty))).toBe('d');
    const last = view(1, 1);
    expect(joinedOutput([empty, empty], last)).toBe(last);
  });

  it('pieces out of order, with a gap, or of two buffers are copied in order', () => {
    // A retried batch's Execute output replaced by a later view: its bytes still go in its place.
    expect(text(joinedOutput([view(0, 2), view(7, 9), view(2, 4)], view(4, 5)))).toBe('abhicde');
    expect(text(joinedOutput([view(0, 2)], view(3, 5)))).toBe('abde');
    const other = Buffer.from('XYZ');
    const joined = joinedOutput([view(0, 2), other.subarray(0, 3)], view(2, 3));
    expect(text(joined)).toBe('abXYZc');
    expect(joined.buffer).not.toBe(buffer.buffer);
  });
});
