// WITH CHECK OPTION through node-postgres on a real node: the 44000 a client gets for a row its
// view would not show, with PostgreSQL's DETAIL, inside a transaction that stays usable after a
// rollback to a savepoint; and the 0A000 with its HINT for an option on a view that is not
// automatically updatable. The SQL-level cases are in test/logic/testdata/view-check-option.slt.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from './sql-support.js';

let server: SqlNode;
let client: pg.Client;
beforeAll(async () => {
  server = await startSqlNode();
  client = new pg.Client({ host: 'localhost', port: server.port, user: 'root', database: 'defaultdb' });
  await client.connect();
  await client.query('CREATE TABLE orders (id INT PRIMARY KEY, status TEXT, total INT)');
  await client.query("CREATE VIEW open_orders AS SELECT id, status, total FROM orders WHERE status = 'open' WITH LOCAL CHECK OPTION");
});

afterAll(async () => {
  await client.end();
  await server.stop();
});

async function failure(sql: string, values?: unknown[]): Promise<{ code: string; message: string; detail?: string; hint?: string }> {
  try {
    await client.query(sql, values);
  } catch (error) {
    const e = error as { code: string; message: string; detail?: string; hint?: string };
    return { code: e.code, message: e.message, ...(e.detail === undefined ? {} : { detail: e.detail }), ...(e.hint === undefined ? {} : { hint: e.hint }) };
  }
  throw new Error(`succeeded: ${sql}`);
}

describe('WITH CHECK OPTION', () => {
  it('refuses a row the view would not show, with the base row as DETAIL (extended protocol)', async () => {
    await client.query('BEGIN');
    await client.query('INSERT INTO open_orders VALUES ($1, $2, $3)', [1, 'open', 10]);
    await client.query('SAVEPOINT s');
    expect(await failure('UPDATE open_orders SET status = $1 WHERE id = $2', ['shipped', 1])).toEqual({
      code: '44000',
      message: 'new row violates check option for view "open_orders"',
      detail: 'Failing row contains (1, shipped, 10).',
    });
    await client.query('ROLLBACK TO SAVEPOINT s');
    await client.query('UPDATE open_orders SET total = total + 5 WHERE id = 1');
    await client.query('COMMIT');
    expect((await client.query('SELECT * FROM orders')).rows).toEqual([{ id: 1, status: 'open', total: 15 }]);
  });

  it('is 0A000 with the reason as HINT on a view that is not automatically updatable', async () => {
    expect(await failure('CREATE VIEW totals AS SELECT status, sum(total) AS total FROM orders GROUP BY status WITH CHECK OPTION')).toEqual({
      code: '0A000',
      message: 'WITH CHECK OPTION is supported only on automatically updatable views',
      hint: 'Views containing GROUP BY are not automatically updatable.',
    });
  });
});
