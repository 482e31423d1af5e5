// Contention through the whole stack (pg → session → engine → txn → KV) on a real node:
// implicit single-statement transactions are retried by the server, so concurrent increments
// never fail and none is lost; explicit transfers that meet 40001 restart with
// ROLLBACK TO SAVEPOINT cockroach_restart, and the total is conserved.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPg, startSqlNode, type SqlNode } from './sql-support.js';

let server: SqlNode;
beforeAll(async () => {
  server = await startSqlNode();
});
afterAll(async () => server.stop());

const connect = (): Promise<pg.Client> => connectPg(server.port);

const accounts = 4;
const clients = 6;

describe('transactions under contention', () => {
  it('implicit increments are retried server-side: none fails, none is lost', async () => {
    const setup = await connect();
    await setup.query('CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL)');
    for (let id = 0; id < accounts; id++) await setup.query('INSERT INTO counters VALUES ($1, 0)', [id]);
    const increments = 20;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const client = await connect();
        for (let i = 0; i < increments; i++) await client.query('UPDATE counters SET n = n + 1 WHERE id = $1', [(c + i) % accounts]);
        await client.end();
      }),
    );
    const { rows } = await setup.query('SELECT sum(n)::INT8 AS total FROM counters');
    expect(rows).toEqual([{ total: String(clients * increments) }]);
    await setup.end();
  });

  it('explicit transfers restart on 40001 with cockroach_restart and conserve the total', async () => {
    const setup = await connect();
    await setup.query('CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL)');
    for (let id = 0; id < accounts; id++) await setup.query('INSERT INTO accounts VALUES ($1, 100)', [id]);
    let restarts = 0;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const client = await connect();
        for (let i = 0; i < 10; i++) {
          const from = (c + i) % accounts;
          const to = (c + i + 1) % accounts;
          await client.query('BEGIN');
          await client.query('SAVEPOINT cockroach_restart');
          for (;;) {
            try {
              const { rows } = await client.query('SELECT balance FROM accounts WHERE id = $1', [from]);
              await client.query('UPDATE accounts SET balance = $1 WHERE id = $2', [Number(rows[0].balance) - 1, from]);
              await client.query('UPDATE accounts SET balance = balance + 1 WHERE id = $1', [to]);
              await client.query('RELEASE SAVEPOINT cockroach_restart');
              break;
            } catch (error) {
              if ((error as { code?: string }).code !== '40001') throw error;
              restarts += 1;
              await client.query('ROLLBACK TO SAVEPOINT cockroach_restart');
            }
          }
          await client.query('COMMIT');
        }
        await client.end();
      }),
    );
    const { rows } = await setup.query('SELECT sum(balance)::INT8 AS total FROM accounts');
    expect(rows).toEqual([{ total: String(accounts * 100) }]);
    expect(restarts).toBeGreaterThanOrEqual(0); // how many depends on timing; the total must not
    await setup.end();
  });
});
