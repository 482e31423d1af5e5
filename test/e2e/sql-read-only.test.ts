// READ ONLY transactions through node-postgres on a real node, as drivers ask for them (JDBC's
// setReadOnly sends SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY, psycopg2's readonly
// BEGIN READ ONLY): reads run, writes, locking reads and nextval are 25006 with PostgreSQL's
// messages, the coordinator refuses a write that got past the session, and what a transaction
// wrote before SET TRANSACTION READ ONLY commits. The SQL-level cases are in
// test/logic/testdata/read-only.slt, checked against PostgreSQL 15.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPg, startSqlNode, type SqlNode } from './sql-support.js';

let server: SqlNode;
let client: pg.Client;
beforeAll(async () => {
  server = await startSqlNode();
  client = await connect();
  await client.query('CREATE TABLE accounts (id INT PRIMARY KEY, balance INT)');
  await client.query('CREATE SEQUENCE ids');
  await client.query('INSERT INTO accounts VALUES (1, 100), (2, 200)');
});

afterAll(async () => {
  await client.end();
  await server.stop();
});

const connect = (): Promise<pg.Client> => connectPg(server.port);

async function sqlState(c: pg.Client, sql: string, values?: unknown[]): Promise<{ code: string; message: string }> {
  try {
    await c.query(sql, values);
  } catch (error) {
    const e = error as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error(`succeeded: ${sql}`);
}

describe('READ ONLY transactions', () => {
  it('BEGIN READ ONLY reads and refuses writes (simple and extended protocol) with 25006', async () => {
    const c = await connect();
    try {
      await c.query('BEGIN READ ONLY');
      expect((await c.query('SHOW transaction_read_only')).rows).toEqual([{ transaction_read_only: 'on' }]);
      expect((await c.query('SELECT balance FROM accounts WHERE id = $1', [2])).rows).toEqual([{ balance: 200 }]);
      expect(await sqlState(c, 'UPDATE accounts SET balance = $1 WHERE id = 1', [0])).toEqual({ code: '25006', message: 'cannot execute UPDATE in a read-only transaction' });
      await c.query('ROLLBACK');
      await c.query('BEGIN READ ONLY');
      expect(await sqlState(c, "SELECT nextval('ids')")).toEqual({ code: '25006', message: 'cannot execute nextval() in a read-only transaction' });
      await c.query('ROLLBACK');
      await c.query('BEGIN READ ONLY');
      expect(await sqlState(c, 'SELECT * FROM accounts WHERE id = 1 FOR UPDATE')).toEqual({ code: '25006', message: 'cannot execute SELECT FOR UPDATE in a read-only transaction' });
      await c.query('ROLLBACK');
      expect((await c.query('SELECT balance FROM accounts WHERE id = 1')).rows).toEqual([{ balance: 100 }]);
    } finally {
      await c.end();
    }
  });

  it('the session default (JDBC setReadOnly) makes every transaction read-only, implicit ones too', async () => {
    const c = await connect();
    try {
      await c.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
      expect((await c.query('SHOW default_transaction_read_only')).rows).toEqual([{ default_transaction_read_only: 'on' }]);
      expect(await sqlState(c, 'INSERT INTO accounts VALUES ($1, $2)', [3, 300])).toEqual({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' });
      expect(await sqlState(c, 'CREATE TABLE other (a INT)')).toEqual({ code: '25006', message: 'cannot execute CREATE TABLE in a read-only transaction' });
      expect((await c.query('SELECT count(*)::INT AS n FROM accounts')).rows).toEqual([{ n: 2 }]);
      await c.query('BEGIN READ WRITE');
      await c.query('INSERT INTO accounts VALUES (3, 300)');
      await c.query('COMMIT');
      await c.query('SET default_transaction_read_only = off');
      await c.query('DELETE FROM accounts WHERE id = 3');
    } finally {
      await c.end();
    }
  });

  it('writes made before SET TRANSACTION READ ONLY commit; later ones are refused; the transaction stays usable after ROLLBACK TO SAVEPOINT', async () => {
    const c = await connect();
    try {
      await c.query('BEGIN');
      await c.query('INSERT INTO accounts VALUES (4, 400)');
      await c.query('SET TRANSACTION READ ONLY');
      await c.query('SAVEPOINT s');
      expect(await sqlState(c, 'INSERT INTO accounts VALUES (5, 500)')).toEqual({ code: '25006', message: 'cannot execute INSERT in a read-only transaction' });
      await c.query('ROLLBACK TO SAVEPOINT s');
      expect((await c.query('SHOW transaction_read_only')).rows).toEqual([{ transaction_read_only: 'on' }]);
      await c.query('COMMIT');
      expect((await c.query('SELECT id FROM accounts WHERE id >= 4 ORDER BY id')).rows).toEqual([{ id: 4 }]);
    } finally {
      await c.end();
    }
  });
});
