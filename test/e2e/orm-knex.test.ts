// knex (with node-postgres) against a real node's SQL listener: its migrator (knex_migrations and
// the knex_migrations_lock table it locks with SELECT … FOR UPDATE), schema introspection
// (hasTable, hasColumn, columnInfo — information_schema queries), the query builder's CRUD with
// bound parameters, joins, aggregates, RETURNING, upserts, transactions with savepoints, and the
// types as node-postgres returns them. No foreign keys: another change adds them.
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from './sql-support.js';

/** Migrations from code (knex's MigrationSource), so the test needs no migration folder. */
const migrations: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
  '001_accounts': {
    async up(k) {
      await k.schema.createTable('accounts', (t) => {
        t.increments('id');
        t.string('email', 200).notNullable().unique();
        t.string('name').notNullable().defaultTo('anonymous');
        t.boolean('active').notNullable().defaultTo(true);
        t.decimal('balance', 12, 2).notNullable().defaultTo(0);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(k.fn.now());
      });
    },
    async down(k) {
      await k.schema.dropTable('accounts');
    },
  },
  '002_orders': {
    async up(k) {
      await k.schema.createTable('orders', (t) => {
        t.bigIncrements('id');
        t.integer('account_id').notNullable().index();
        t.bigInteger('cents').notNullable();
        t.jsonb('meta');
        t.binary('blob');
        t.uuid('token');
      });
    },
    async down(k) {
      await k.schema.dropTable('orders');
    },
  },
  '003_accounts_nickname': {
    async up(k) {
      await k.schema.alterTable('accounts', (t) => {
        t.text('nickname');
      });
    },
    async down(k) {
      await k.schema.alterTable('accounts', (t) => {
        t.dropColumn('nickname');
      });
    },
  },
};

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(Object.keys(migrations)),
  getMigrationName: (name) => name,
  getMigration: (name) => Promise.resolve(migrations[name]!),
};

let server: SqlNode;
let knex: Knex;
beforeAll(async () => {
  server = await startSqlNode();
  knex = knexFactory({ client: 'pg', connection: server.url, pool: { min: 0, max: 4 }, migrations: { migrationSource } });
});
afterAll(async () => {
  await knex?.destroy();
  await server?.stop();
});

describe('knex', () => {
  it('runs migrations under its lock, records them, and knows they ran', async () => {
    const [batch, names] = (await knex.migrate.latest()) as [number, string[]];
    expect(batch).toBe(1);
    expect(names).toEqual(['001_accounts', '002_orders', '003_accounts_nickname']);
    expect(await knex('knex_migrations').orderBy('id').pluck('name')).toEqual(names);
    expect(await knex('knex_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
    // A second run finds nothing to do; status 0 means every migration ran.
    expect(await knex.migrate.latest()).toEqual([1, []]);
    expect(await knex.migrate.status()).toBe(0);
    // Roll the last one back and forward again: ALTER TABLE DROP COLUMN, then ADD COLUMN.
    expect(await knex.migrate.rollback()).toEqual([1, ['001_accounts', '002_orders', '003_accounts_nickname'].reverse()]);
    expect(await knex.schema.hasTable('accounts')).toBe(false);
    expect(await knex.migrate.latest()).toEqual([1, ['001_accounts', '002_orders', '003_accounts_nickname']]);
  });

  it('introspects tables and columns through information_schema', async () => {
    expect(await knex.schema.hasTable('accounts')).toBe(true);
    expect(await knex.schema.hasTable('nope')).toBe(false);
    expect(await knex.schema.hasColumn('accounts', 'nickname')).toBe(true);
    expect(await knex.schema.hasColumn('accounts', 'nope')).toBe(false);
    const info = await knex('accounts').columnInfo();
    expect(info['id']).toMatchObject({ type: 'integer', nullable: false });
    expect(String(info['id']!.defaultValue)).toMatch(/^nextval\('accounts_id_seq'(::regclass)?\)$/);
    expect(info['email']).toEqual({ type: 'character varying', maxLength: 200, nullable: false, defaultValue: null });
    expect(info['name']).toMatchObject({ type: 'character varying', maxLength: 255, nullable: false });
    expect(String(info['name']!.defaultValue)).toMatch(/^'anonymous'(::character varying)?$/);
    expect(info['balance']).toMatchObject({ type: 'numeric', nullable: false });
    expect(info['created_at']).toMatchObject({ type: 'timestamp with time zone', nullable: false });
    expect(info['nickname']).toEqual({ type: 'text', maxLength: null, nullable: true, defaultValue: null });
  });

  it('inserts with RETURNING, defaults, and reads rows back with bound parameters', async () => {
    const inserted = await knex('accounts')
      .insert([
        { email: 'ada@example.com', name: 'Ada', balance: '10.50' },
        { email: 'bob@example.com', name: 'Bob', active: false },
        { email: 'cy@example.com' },
      ])
      .returning(['id', 'email', 'name', 'active', 'balance']);
    expect(inserted).toEqual([
      { id: 1, email: 'ada@example.com', name: 'Ada', active: true, balance: '10.50' },
      { id: 2, email: 'bob@example.com', name: 'Bob', active: false, balance: '0.00' },
      { id: 3, email: 'cy@example.com', name: 'anonymous', active: true, balance: '0.00' },
    ]);
    const ada = await knex('accounts').where({ email: 'ada@example.com' }).first();
    expect(ada.created_at).toBeInstanceOf(Date);
    expect(await knex('accounts').whereIn('id', [1, 3]).orderBy('id').pluck('name')).toEqual(['Ada', 'anonymous']);
    expect(await knex('accounts').where('name', 'like', 'A%').orWhereNull('nickname').count('* as n')).toEqual([{ n: '3' }]);
    // A unique violation: 23505 through the driver.
    await expect(knex('accounts').insert({ email: 'ada@example.com' })).rejects.toMatchObject({ code: '23505' });
  });

  it('round-trips int8, numeric, timestamptz, jsonb, bytea, uuid and bool', async () => {
    const when = new Date('2024-02-29T12:34:56.789Z');
    const [row] = await knex('orders')
      .insert({ account_id: 1, cents: '9007199254740993', meta: JSON.stringify({ tags: ['a', 'b'], n: 1.5, nested: { ok: true } }), blob: Buffer.from([0, 1, 254, 255]), token: '0b0c6f6e-7d3a-4b8e-9a57-8a8e1b2c3d4e' })
      .returning('*');
    expect(row).toEqual({ id: '1', account_id: 1, cents: '9007199254740993', meta: { tags: ['a', 'b'], n: 1.5, nested: { ok: true } }, blob: Buffer.from([0, 1, 254, 255]), token: '0b0c6f6e-7d3a-4b8e-9a57-8a8e1b2c3d4e' });
    await knex('accounts').where({ id: 1 }).update({ created_at: when, balance: '12345678.99' });
    const back = await knex('accounts').where({ id: 1 }).first('created_at', 'balance', 'active');
    expect(back).toEqual({ created_at: when, balance: '12345678.99', active: true });
    // jsonb operators through knex's JSON helpers (whereJsonPath needs SQL/JSON path functions,
    // jsonb_path_query_first, which rangedb does not have).
    expect(await knex('orders').whereJsonSupersetOf('meta', { nested: { ok: true } }).pluck('id')).toEqual(['1']);
    expect(await knex('orders').whereJsonSupersetOf('meta', { nested: { ok: false } }).pluck('id')).toEqual([]);
    expect(await knex('orders').whereJsonSubsetOf('meta', { tags: ['a', 'b'], n: 1.5, nested: { ok: true }, extra: 1 }).pluck('id')).toEqual(['1']);
    expect(await knex('orders').whereJsonObject('meta', { tags: ['a', 'b'], n: 1.5, nested: { ok: true } }).pluck('id')).toEqual(['1']);
    expect(await knex('orders').select(knex.raw("meta->'nested'->>'ok' AS ok, meta->'tags'->1 AS second, meta \\? 'n' AS has_n"))).toEqual([{ ok: 'true', second: 'b', has_n: true }]);
  });

  it('updates, deletes, joins and aggregates', async () => {
    await knex('orders').insert([
      { account_id: 1, cents: 100 },
      { account_id: 2, cents: 250 },
      { account_id: 2, cents: 50 },
    ]);
    expect(await knex('accounts').where({ id: 3 }).update({ nickname: 'c' }, ['id', 'nickname'])).toEqual([{ id: 3, nickname: 'c' }]);
    const totals = await knex('accounts as a')
      .leftJoin('orders as o', 'o.account_id', 'a.id')
      .groupBy('a.id', 'a.name')
      .orderBy('a.id')
      .select('a.name')
      .count('o.id as orders')
      .sum('o.cents as cents');
    expect(totals).toEqual([
      { name: 'Ada', orders: '2', cents: '9007199254741093' },
      { name: 'Bob', orders: '2', cents: '300' },
      { name: 'anonymous', orders: '0', cents: null },
    ]);
    const big = await knex('orders').join('accounts', 'accounts.id', 'orders.account_id').where('orders.cents', '>', 60).andWhere('accounts.active', true).select('accounts.email', 'orders.cents').orderBy('orders.cents');
    expect(big).toEqual([
      { email: 'ada@example.com', cents: '100' },
      { email: 'ada@example.com', cents: '9007199254740993' },
    ]);
    const having = await knex('orders').select('account_id').sum('cents as s').groupBy('account_id').having(knex.raw('sum(cents) < ?', [1000])).orderBy('account_id');
    expect(having).toEqual([{ account_id: 2, s: '300' }]);
    expect(await knex('orders').where('cents', '<', 60).del(['id'])).toEqual([{ id: '4' }]);
  });

  it('upserts with onConflict merge and ignore', async () => {
    const merged = await knex('accounts').insert({ email: 'bob@example.com', name: 'Robert' }).onConflict('email').merge(['name']).returning(['id', 'name']);
    expect(merged).toEqual([{ id: 2, name: 'Robert' }]);
    const ignored = await knex('accounts').insert({ email: 'bob@example.com', name: 'Bobby' }).onConflict('email').ignore().returning('id');
    expect(ignored).toEqual([]);
    expect(await knex('accounts').where({ email: 'bob@example.com' }).first('name')).toEqual({ name: 'Robert' });
  });

  it('commits, rolls back, rolls back on a thrown error, and nests savepoints', async () => {
    await knex.schema.createTable('ledger', (t) => {
      t.integer('k').primary();
      t.text('v');
    });
    await knex.transaction(async (trx) => {
      await trx('ledger').insert({ k: 1, v: 'committed' });
    });
    const trx = await knex.transaction();
    await trx('ledger').insert({ k: 2, v: 'rolled back' });
    await trx.rollback();
    await expect(
      knex.transaction(async (t) => {
        await t('ledger').insert({ k: 3, v: 'thrown' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await knex.transaction(async (outer) => {
      await outer('ledger').insert({ k: 4, v: 'outer' });
      // A nested transaction is a savepoint: its failure rolls back only its own writes.
      await expect(
        outer.transaction(async (inner) => {
          await inner('ledger').insert({ k: 5, v: 'inner, rolled back' });
          await inner('ledger').insert({ k: 1, v: 'duplicate key' });
        }),
      ).rejects.toMatchObject({ code: '23505' });
      await outer.transaction(async (inner) => {
        await inner('ledger').insert({ k: 6, v: 'inner, released' });
      });
    });
    expect(await knex('ledger').orderBy('k').pluck('k')).toEqual([1, 4, 6]);
  });
});
