// The drivers' type introspection against the real engine's pg_catalog: postgres.js fetches the
// array types from pg_type when it connects (fetch_types, on by default) and serializes array
// parameters with what it found; node-postgres users look types up by name.
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from './sql-support.js';

let server: SqlNode;
beforeAll(async () => {
  server = await startSqlNode();
});
afterAll(async () => server.stop());

describe('drivers reading pg_catalog', () => {
  it('postgres.js fetches the array types on connect and uses them for array parameters', async () => {
    const sql = postgres({ host: 'localhost', port: server.port, user: 'root', database: 'defaultdb', max: 1, onnotice: () => undefined });
    try {
      const rows = await sql`SELECT ${[1, 2, 3]}::int4[] AS numbers, ${['a', 'b']}::text[] AS words`;
      expect(rows.map((row) => ({ ...row }))).toEqual([{ numbers: [1, 2, 3], words: ['a', 'b'] }]);
      // What fetchArrayTypes learned from `pg_type a LEFT JOIN pg_type b ON b.oid = a.typelem WHERE a.typcategory = 'A'`.
      const shared = (sql.options as unknown as { shared: { typeArrayMap: Record<number, number> } }).shared;
      expect(shared.typeArrayMap[23]).toBe(1007);
      expect(shared.typeArrayMap[25]).toBe(1009);
      expect(shared.typeArrayMap[1700]).toBe(1231);
    } finally {
      await sql.end();
    }
  });

  it('node-postgres looks types up by name and OID, and reg* casts resolve names', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const types = await client.query("SELECT t.oid, t.typname, t.typarray FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'pg_catalog' AND t.typname = ANY($1) ORDER BY t.oid", [['int4', 'text', 'numeric']]);
      expect(types.rows).toEqual([
        { oid: 23, typname: 'int4', typarray: 1007 },
        { oid: 25, typname: 'text', typarray: 1009 },
        { oid: 1700, typname: 'numeric', typarray: 1231 },
      ]);
      await client.query('CREATE TABLE widgets (id int PRIMARY KEY, name text NOT NULL)');
      const columns = await client.query("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'widgets'::regclass AND a.attnum > 0 ORDER BY a.attnum");
      expect(columns.rows).toEqual([
        { attname: 'id', type: 'integer', attnotnull: true },
        { attname: 'name', type: 'text', attnotnull: true },
      ]);
      await expect(client.query("SELECT 'nope'::regclass")).rejects.toMatchObject({ code: '42P01', message: 'relation "nope" does not exist' });
    } finally {
      await client.end();
    }
  });
});
