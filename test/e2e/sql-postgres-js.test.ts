// postgres.js against a real node's SQL listener: its pipelined extended protocol (Parse with
// Describe before Bind, named prepared statements), transactions with retries of their own
// (sql.begin), errors, COPY through its streams, and many clients at once.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from './sql-support.js';

let server: SqlNode;
let sql: postgres.Sql;
beforeAll(async () => {
  server = await startSqlNode();
  // fetch_types: the array-type query needs pg_catalog, which the test engine does not have.
  sql = postgres({ host: 'localhost', port: server.port, user: 'root', database: 'defaultdb', fetch_types: false, max: 4, onnotice: () => undefined });
});
afterAll(async () => {
  await sql.end();
  await server.stop();
});

describe('postgres.js', () => {
  it('runs parameterized queries as named prepared statements, again and again', async () => {
    for (let i = 0; i < 3; i++) {
      const rows = await sql`SELECT ${i}::int4 AS i, ${'x' + i}::text AS t`;
      expect(rows.map((row) => ({ ...row }))).toEqual([{ i, t: `x${i}` }]);
    }
    const unsafe = await sql.unsafe('SELECT 1 AS a; SELECT 2 AS b');
    expect(unsafe.length).toBe(2);
  });

  it('runs transactions with sql.begin, and rolls back on an error', async () => {
    await sql`CREATE TABLE items (id int, name text)`;
    await sql.begin(async (tx) => {
      await tx`INSERT INTO items VALUES (1, 'one')`;
      await tx`INSERT INTO items VALUES (${2}, ${'two'})`;
    });
    await expect(
      sql.begin(async (tx) => {
        await tx`INSERT INTO items VALUES (3, 'three')`;
        await tx`SELECT * FROM nope`;
      }),
    ).rejects.toMatchObject({ code: '42P01' });
    const rows = await sql`SELECT id, name FROM items`;
    expect(rows.map((row) => ({ ...row }))).toEqual([
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
    ]);
  });

  it('reports SQLSTATEs, positions and notices', async () => {
    await expect(sql`SELECT 1 FROM`).rejects.toMatchObject({ code: '42601', position: '14' });
    await expect(sql`SET client_encoding = 'LATIN1'`).rejects.toMatchObject({ code: '0A000' });
    const notices: string[] = [];
    const noisy = postgres({ host: 'localhost', port: server.port, user: 'root', fetch_types: false, max: 1, onnotice: (n) => notices.push(String(n.message)) });
    await noisy`COMMIT`;
    await noisy.end();
    expect(notices).toEqual(['there is no transaction in progress']);
  });

  it('COPY FROM STDIN and COPY TO STDOUT through streams', async () => {
    await sql`CREATE TABLE copied (a int, b text)`;
    const writable = await sql`COPY copied FROM STDIN`.writable();
    await pipeline(Readable.from(['1\tone\n', '2\ttwo\n']), writable);
    const readable = await sql`COPY copied TO STDOUT`.readable();
    let text = '';
    await pipeline(
      readable,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          text += chunk.toString();
          done();
        },
      }),
    );
    expect(text).toBe('1\tone\n2\ttwo\n');
  });

  it('COPY FROM STDIN of more rows than one INSERT batch: every batch lands, keys checked across batches', async () => {
    await sql`CREATE TABLE copied_big (k int PRIMARY KEY, v text)`;
    // 2,000 rows an INSERT statement (sqlCopyBatchRowsMax): two full batches and a partial one.
    const lines = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\tv${from + i}\n`).join('');
    const writable = await sql`COPY copied_big FROM STDIN`.writable();
    await pipeline(Readable.from([lines(1, 4500)]), writable);
    expect(await sql`SELECT count(*)::int AS n, sum(k)::int AS total FROM copied_big`).toEqual([{ n: 4500, total: 10_127_250 }]);
    await expect(sql`INSERT INTO copied_big VALUES (4500, 'again')`).rejects.toMatchObject({ code: '23505' });
  });

  it('serves many connections at once', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => sql`SELECT ${i}::int4 AS i`));
    expect(results.map((rows) => rows[0]!.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
