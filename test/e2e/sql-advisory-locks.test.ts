// Advisory locks between sessions of one node, over pgwire with node-postgres: a blocked
// pg_advisory_lock waits until the holder unlocks, disconnects or ends its transaction; the wait
// ends with statement_timeout (57014), lock_timeout (55P03) or a CancelRequest (57014); a
// waits-for cycle fails with 40P01; shared locks share. (The single-session semantics are in
// test/logic/testdata/advisory-locks.slt, checked against PostgreSQL 15.)
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateAfter } from '../support/settled.js';
import { startSqlNode, type SqlNode } from './sql-support.js';

let server: SqlNode;
const clients: pg.Client[] = [];

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ host: 'localhost', port: server.port, user: 'root', database: 'defaultdb' });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

async function sqlState(query: Promise<unknown>): Promise<{ code: string; message: string } | 'ok'> {
  try {
    await query;
    return 'ok';
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
}

const tryLock = async (client: pg.Client, sql: string): Promise<boolean> => (await client.query<{ ok: boolean }>(`SELECT ${sql} AS ok`)).rows[0]!.ok;

beforeAll(async () => {
  server = await startSqlNode();
});
afterAll(async () => {
  for (const client of clients) await client.end().catch(() => undefined);
  await server?.stop();
});

describe('advisory locks between sessions', () => {
  it('a blocked lock waits until the holder unlocks its last acquisition', async () => {
    const [a, b] = [await connect(), await connect()];
    await a.query('SELECT pg_advisory_lock(1), pg_advisory_lock(1)');
    expect(await tryLock(b, 'pg_try_advisory_lock(1)')).toBe(false);
    const waiting = b.query('SELECT pg_advisory_lock(1)');
    expect(await stateAfter(waiting, 150)).toBe('pending');
    await a.query('SELECT pg_advisory_unlock(1)');
    expect(await stateAfter(waiting, 150)).toBe('pending');
    await a.query('SELECT pg_advisory_unlock(1)');
    await waiting;
    expect(await tryLock(a, 'pg_try_advisory_lock(1)')).toBe(false);
    expect(await tryLock(b, 'pg_advisory_unlock(1)')).toBe(true);
  });

  it('a wait ends with statement_timeout, lock_timeout and a CancelRequest, and leaves the queue', async () => {
    const [a, b, c] = [await connect(), await connect(), await connect()];
    await a.query('SELECT pg_advisory_lock(2)');
    await b.query("SET statement_timeout = '100ms'");
    expect(await sqlState(b.query('SELECT pg_advisory_lock(2)'))).toEqual({ code: '57014', message: 'canceling statement due to statement timeout' });
    await b.query('SET statement_timeout = 0');
    await b.query("SET lock_timeout = '100ms'");
    expect(await sqlState(b.query('SELECT pg_advisory_lock(2)'))).toEqual({ code: '55P03', message: 'canceling statement due to lock timeout' });
    await b.query('SET lock_timeout = 0');
    const running = sqlState(b.query('SELECT pg_advisory_lock(2)'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const canceller = new pg.Client({ host: 'localhost', port: server.port, user: 'root' });
    (canceller as unknown as { cancel(target: pg.Client, query: unknown): void }).cancel(b, (b as unknown as { activeQuery: unknown }).activeQuery);
    expect(await running).toEqual({ code: '57014', message: 'canceling statement due to user request' });
    // None of the three gave-up waits holds or queues for the lock: c gets it once a unlocks.
    await a.query('SELECT pg_advisory_unlock(2)');
    expect(await tryLock(c, 'pg_try_advisory_lock(2)')).toBe(true);
    expect(await tryLock(b, 'pg_try_advisory_lock(2)')).toBe(false);
    await c.query('SELECT pg_advisory_unlock_all()');
  });

  it("a session's locks go when it disconnects, and its waiters get them", async () => {
    const [a, b] = [await connect(), await connect()];
    await a.query('SELECT pg_advisory_lock(3), pg_advisory_lock_shared(4)');
    const waiting = b.query('SELECT pg_advisory_lock(3)');
    expect(await stateAfter(waiting, 100)).toBe('pending');
    await a.end();
    await waiting;
    expect(await tryLock(b, 'pg_try_advisory_lock(4)')).toBe(true);
    await b.query('SELECT pg_advisory_unlock_all()');
  });

  it('a transaction-level lock is held until COMMIT or ROLLBACK', async () => {
    const [a, b] = [await connect(), await connect()];
    await a.query('BEGIN');
    await a.query('SELECT pg_advisory_xact_lock(5)');
    expect(await tryLock(b, 'pg_try_advisory_lock(5)')).toBe(false);
    const waiting = b.query('SELECT pg_advisory_xact_lock(5)');
    expect(await stateAfter(waiting, 100)).toBe('pending');
    await a.query('COMMIT');
    await waiting; // b's implicit transaction took it and ended: free again
    await a.query('BEGIN');
    expect(await tryLock(a, 'pg_try_advisory_xact_lock(5)')).toBe(true);
    expect(await tryLock(b, 'pg_try_advisory_xact_lock(5)')).toBe(false);
    await a.query('ROLLBACK');
    expect(await tryLock(b, 'pg_try_advisory_xact_lock(5)')).toBe(true);
  });

  it('shared locks share; an exclusive request waits for them and blocks later shared ones', async () => {
    const [a, b, c, d] = [await connect(), await connect(), await connect(), await connect()];
    expect(await tryLock(a, 'pg_try_advisory_lock_shared(6)')).toBe(true);
    expect(await tryLock(b, 'pg_try_advisory_lock_shared(6)')).toBe(true);
    expect(await tryLock(c, 'pg_try_advisory_lock(6)')).toBe(false);
    const exclusive = c.query('SELECT pg_advisory_lock(6)');
    expect(await stateAfter(exclusive, 100)).toBe('pending');
    // A shared request behind the queued exclusive one waits too (no barging).
    expect(await tryLock(d, 'pg_try_advisory_lock_shared(6)')).toBe(false);
    await a.query('SELECT pg_advisory_unlock_shared(6)');
    expect(await stateAfter(exclusive, 100)).toBe('pending');
    await b.query('SELECT pg_advisory_unlock_shared(6)');
    await exclusive;
    await c.query('SELECT pg_advisory_unlock(6)');
    expect(await tryLock(d, 'pg_try_advisory_lock_shared(6)')).toBe(true);
    await d.query('SELECT pg_advisory_unlock_all()');
  });

  it('a waits-for cycle fails with 40P01 and the other wait goes on', async () => {
    const [a, b] = [await connect(), await connect()];
    await a.query('SELECT pg_advisory_lock(7)');
    await b.query('SELECT pg_advisory_lock(8)');
    const aWaits = a.query('SELECT pg_advisory_lock(8)');
    expect(await stateAfter(aWaits, 100)).toBe('pending');
    expect(await sqlState(b.query('SELECT pg_advisory_lock(7)'))).toMatchObject({ code: '40P01', message: 'deadlock detected' });
    expect(await stateAfter(aWaits, 100)).toBe('pending');
    await b.query('SELECT pg_advisory_unlock(8)');
    await aWaits;
    await a.query('SELECT pg_advisory_unlock_all()');
  });

  it('locks are per database', async () => {
    const a = await connect();
    const other = new pg.Client({ host: 'localhost', port: server.port, user: 'root', database: 'postgres' });
    clients.push(other);
    await other.connect();
    await a.query('SELECT pg_advisory_lock(9)');
    expect(await tryLock(other, 'pg_try_advisory_lock(9)')).toBe(true);
    await a.query('SELECT pg_advisory_unlock_all()');
    await other.query('SELECT pg_advisory_unlock_all()');
  });
});
