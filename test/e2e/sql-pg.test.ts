// node-postgres (pg) against a real node's SQL listener and SQL engine: simple and extended
// protocol, prepared statements, transactions, error codes and positions, cancel, SCRAM.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScramVerifier } from '../../sql/pgwire/scram.js';
import { connectPg, sqlErrorOf, startSqlNode, type SqlNode } from './sql-support.js';

let server: SqlNode;
beforeAll(async () => {
  server = await startSqlNode({ passwords: new Map([['alice', makeScramVerifier('s3cret', Buffer.alloc(16, 9))]]) });
});
afterAll(async () => server.stop());

const connect = (config: pg.ClientConfig = {}): Promise<pg.Client> => connectPg(server.port, config);

const sqlState = sqlErrorOf;

describe('pg (node-postgres)', () => {
  it('connects, runs simple and extended queries with parameters', async () => {
    const client = await connect({ application_name: 'e2e' });
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    const result = await client.query('SELECT $1::int8 AS n, $2::text AS t', ['9007199254740993', 'héllo']);
    expect(result.rows).toEqual([{ n: '9007199254740993', t: 'héllo' }]);
    expect((await client.query({ name: 'named', text: 'SELECT $1::int4 AS v', values: [5] })).rows).toEqual([{ v: 5 }]);
    expect((await client.query({ name: 'named', text: 'SELECT $1::int4 AS v', values: [6] })).rows).toEqual([{ v: 6 }]);
    expect((await client.query('SHOW application_name')).rows).toEqual([{ application_name: 'e2e' }]);
    expect((await client.query('SHOW server_version')).rows).toEqual([{ server_version: '15.0.0' }]);
    await client.end();
  });

  it('runs transactions, gives SQLSTATEs and positions, and recovers after ROLLBACK', async () => {
    const client = await connect();
    await client.query('CREATE TABLE accounts (id int, owner text)');
    await client.query('BEGIN');
    await client.query("INSERT INTO accounts VALUES (1, 'ann')");
    expect(await sqlState(client.query('SELECT * FROM missing'))).toEqual({ code: '42P01', message: 'relation "missing" does not exist' });
    expect((await sqlState(client.query('SELECT 1'))).code).toBe('25P02');
    await client.query('ROLLBACK');
    expect((await client.query('SELECT * FROM accounts')).rows).toEqual([]);
    await client.query('BEGIN');
    await client.query("INSERT INTO accounts VALUES (2, 'bob')");
    await client.query('COMMIT');
    expect((await client.query('SELECT * FROM accounts')).rows).toEqual([{ id: 2, owner: 'bob' }]);
    expect(await sqlState(client.query('SELECT 1 FROM'))).toEqual({ code: '42601', message: 'syntax error at end of input', position: '14' });
    await client.end();
  });

  it('cancels a running query through pg’s CancelRequest', async () => {
    // The test engine's pg_sleep runs long enough to cancel.
    const sleepy = await startSqlNode({}, { fake: true });
    const client = new pg.Client({ host: 'localhost', port: sleepy.port, user: 'root' });
    await client.connect();
    const running = sqlState(client.query('SELECT pg_sleep(10)'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const canceller = new pg.Client({ host: 'localhost', port: sleepy.port, user: 'root' });
    (canceller as unknown as { cancel(target: pg.Client, query: unknown): void }).cancel(client, (client as unknown as { activeQuery: unknown }).activeQuery);
    expect(await running).toEqual({ code: '57014', message: 'canceling statement due to user request' });
    expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    await client.end();
    await sleepy.stop();
  });

  it('authenticates with SCRAM-SHA-256 and refuses a wrong password', async () => {
    const alice = await connect({ user: 'alice', password: 's3cret' });
    expect((await alice.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    await alice.end();
    const wrong = new pg.Client({ host: 'localhost', port: server.port, user: 'alice', password: 'nope' });
    expect(await sqlState(wrong.connect())).toEqual({ code: '28P01', message: 'password authentication failed for user "alice"' });
  });

  it('survives a garbage client and answers 08P01', async () => {
    const { createConnection } = await import('node:net');
    const socket = createConnection({ host: 'localhost', port: server.port });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise((resolve) => socket.on('connect', resolve));
    socket.write(Buffer.from([0, 0, 0, 8, 0, 9, 0, 0]));
    await new Promise((resolve) => socket.on('close', resolve));
    const text = Buffer.concat(received).toString('latin1');
    expect(text).toContain('08P01');
    const client = await connect();
    expect((await client.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
    await client.end();
  });
});
