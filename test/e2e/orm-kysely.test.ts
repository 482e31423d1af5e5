// kysely (PostgresDialect over node-postgres) against a real node's SQL listener: its Migrator
// (kysely_migration and kysely_migration_lock, serialized by its default adapter's session-level
// advisory lock: set_config('lock_timeout', …, true) then pg_advisory_lock in one statement),
// introspection (db.introspection.getTables/getSchemas — pg_catalog queries with
// has_schema_privilege, col_description and pg_get_serial_sequence), the typed query builder's
// CRUD, joins, aggregates, RETURNING, ON CONFLICT, transactions and savepoints, and types as
// node-postgres returns them. No foreign keys: another change adds them.
import { Kysely, Migrator, PostgresDialect, sql, type Generated, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateAfter } from '../support/settled.js';
import { startSqlNode, type SqlNode } from './sql-support.js';

interface Database {
  people: { id: Generated<number>; name: string; email: string; age: number | null; created_at: Generated<Date> };
  pets: { id: Generated<string>; owner_id: number; name: string; species: Generated<string>; weight: string | null; tags: Generated<unknown> };
  samples: { id: string; i8: string; n: string; ts: Date; j: unknown; b: boolean; raw: Buffer; u: string };
}

/** Migrations from code (kysely's MigrationProvider), in name order. */
const migrations: Record<string, Migration> = {
  '2024_01_people': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('people')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('age', 'integer')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('people_name_idx').on('people').column('name').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('people').execute();
    },
  },
  '2024_02_pets': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('pets')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('species', 'text', (c) => c.notNull().defaultTo('cat'))
        .addColumn('weight', 'numeric(6, 2)')
        .addColumn('tags', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addUniqueConstraint('pets_owner_name', ['owner_id', 'name'])
        .execute();
      await db.schema.createIndex('pets_owner_idx').on('pets').columns(['owner_id', 'species']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('pets').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/** The advisory lock key kysely's PostgresAdapter takes around a migration run (its LOCK_ID). */
const kyselyLockId = '3853314791062309107';

let server: SqlNode;
let db: Kysely<Database>;
beforeAll(async () => {
  server = await startSqlNode();
  const pool = new pg.Pool({ connectionString: server.url, max: 4 });
  // An idle client hears 57P01 when the node stops at the end: not a test failure.
  pool.on('error', () => undefined);
  db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
});
afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

describe('kysely', () => {
  it('migrates to latest under its lock, down one step and up again', async () => {
    // Another session holds kysely's migration lock: the migrator waits for it.
    const holder = new pg.Client({ connectionString: server.url });
    await holder.connect();
    await holder.query(`SELECT pg_advisory_lock(${kyselyLockId})`);
    const migrator = new Migrator({ db, provider });
    const running = migrator.migrateToLatest();
    expect(await stateAfter(running, 300)).toBe('pending');
    await holder.query(`SELECT pg_advisory_unlock(${kyselyLockId})`);
    const first = await running;
    await holder.end();
    expect(first.error).toBeUndefined();
    expect(first.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
      ['2024_01_people', 'Up', 'Success'],
      ['2024_02_pets', 'Up', 'Success'],
    ]);
    expect((await migrator.migrateToLatest()).results).toEqual([]);
    const down = await migrator.migrateDown();
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([['2024_02_pets', 'Down', 'Success']]);
    const again = await migrator.migrateToLatest();
    expect(again.results?.map((r) => r.migrationName)).toEqual(['2024_02_pets']);
    const infos = await migrator.getMigrations();
    expect(infos.map((m) => [m.name, m.executedAt instanceof Date])).toEqual([
      ['2024_01_people', true],
      ['2024_02_pets', true],
    ]);
    const lock = await sql<{ id: string; is_locked: number }>`SELECT id, is_locked FROM kysely_migration_lock`.execute(db);
    expect(lock.rows).toEqual([{ id: 'migration_lock', is_locked: 0 }]);
  });

  it('introspects schemas, tables and columns from pg_catalog', async () => {
    const schemas = await db.introspection.getSchemas();
    expect(schemas.map((s) => s.name)).toContain('public');
    const tables = await db.introspection.getTables();
    expect(tables.map((t) => t.name).sort()).toEqual(['people', 'pets']);
    const people = tables.find((t) => t.name === 'people')!;
    expect(people.schema).toBe('public');
    expect(people.isView).toBe(false);
    expect(people.columns.map((c) => [c.name, c.dataType, c.isNullable, c.hasDefaultValue, c.isAutoIncrementing])).toEqual([
      ['id', 'int4', false, true, true],
      ['name', 'varchar', false, false, false],
      ['email', 'text', false, false, false],
      ['age', 'int4', true, false, false],
      ['created_at', 'timestamptz', false, true, false],
    ]);
    const pets = tables.find((t) => t.name === 'pets')!;
    expect(pets.columns.map((c) => [c.name, c.dataType, c.isAutoIncrementing])).toEqual([
      ['id', 'int8', true],
      ['owner_id', 'int4', false],
      ['name', 'text', false],
      ['species', 'text', false],
      ['weight', 'numeric', false],
      ['tags', 'jsonb', false],
    ]);
    const withInternal = await db.introspection.getTables({ withInternalKyselyTables: true });
    expect(withInternal.map((t) => t.name)).toEqual(expect.arrayContaining(['kysely_migration', 'kysely_migration_lock']));
  });

  it('inserts with RETURNING and queries with parameters, joins and aggregates', async () => {
    const people = await db
      .insertInto('people')
      .values([
        { name: 'Ada', email: 'ada@example.com', age: 36 },
        { name: 'Bob', email: 'bob@example.com', age: null },
        { name: 'Cy', email: 'cy@example.com', age: 20 },
      ])
      .returning(['id', 'name'])
      .execute();
    expect(people).toEqual([
      { id: 1, name: 'Ada' },
      { id: 2, name: 'Bob' },
      { id: 3, name: 'Cy' },
    ]);
    await db
      .insertInto('pets')
      .values([
        { owner_id: 1, name: 'Tom', weight: '4.50', tags: JSON.stringify(['grey']) },
        { owner_id: 1, name: 'Rex', species: 'dog', weight: '31.25' },
        { owner_id: 3, name: 'Nemo', species: 'fish' },
      ])
      .execute();
    const joined = await db
      .selectFrom('people')
      .leftJoin('pets', 'pets.owner_id', 'people.id')
      .select(['people.name as owner', 'pets.name as pet', 'pets.tags'])
      .where('people.age', 'is not', null)
      .orderBy('people.id')
      .orderBy('pets.name')
      .execute();
    expect(joined).toEqual([
      { owner: 'Ada', pet: 'Rex', tags: [] },
      { owner: 'Ada', pet: 'Tom', tags: ['grey'] },
      { owner: 'Cy', pet: 'Nemo', tags: [] },
    ]);
    const stats = await db
      .selectFrom('pets')
      .select((eb) => ['species', eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('weight').as('total'), eb.fn.max('weight').as('heaviest')])
      .groupBy('species')
      .orderBy('species')
      .execute();
    expect(stats).toEqual([
      { species: 'cat', n: '1', total: '4.50', heaviest: '4.50' },
      { species: 'dog', n: '1', total: '31.25', heaviest: '31.25' },
      { species: 'fish', n: '1', total: null, heaviest: null },
    ]);
    const owners = await db
      .selectFrom('people')
      .select('name')
      .where((eb) => eb.exists(eb.selectFrom('pets').select('pets.id').whereRef('pets.owner_id', '=', 'people.id').where('pets.species', 'in', ['dog', 'fish'])))
      .orderBy('name')
      .execute();
    expect(owners).toEqual([{ name: 'Ada' }, { name: 'Cy' }]);
    const updated = await db.updateTable('people').set((eb) => ({ age: eb('age', '+', 1) })).where('age', '>', 30).returning(['name', 'age']).execute();
    expect(updated).toEqual([{ name: 'Ada', age: 37 }]);
    const deleted = await db.deleteFrom('pets').where('species', '=', 'fish').returning('name').execute();
    expect(deleted).toEqual([{ name: 'Nemo' }]);
  });

  it('upserts with onConflict on a column and on a named constraint', async () => {
    const up = await db
      .insertInto('people')
      .values({ name: 'Robert', email: 'bob@example.com', age: 41 })
      .onConflict((oc) => oc.column('email').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), age: eb.ref('excluded.age') })))
      .returning(['id', 'name', 'age'])
      .executeTakeFirstOrThrow();
    expect(up).toEqual({ id: 2, name: 'Robert', age: 41 });
    const none = await db.insertInto('pets').values({ owner_id: 1, name: 'Tom' }).onConflict((oc) => oc.constraint('pets_owner_name').doNothing()).returning('id').execute();
    expect(none).toEqual([]);
    await expect(db.insertInto('pets').values({ owner_id: 1, name: 'Tom' }).execute()).rejects.toMatchObject({ code: '23505' });
  });

  it('round-trips int8, numeric, timestamptz, jsonb, bool, bytea and uuid', async () => {
    await db.schema
      .createTable('samples')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('i8', 'int8', (c) => c.notNull())
      .addColumn('n', 'numeric', (c) => c.notNull())
      .addColumn('ts', 'timestamptz', (c) => c.notNull())
      .addColumn('j', 'jsonb', (c) => c.notNull())
      .addColumn('b', 'boolean', (c) => c.notNull())
      .addColumn('raw', 'bytea', (c) => c.notNull())
      .addColumn('u', 'uuid', (c) => c.notNull())
      .execute();
    const row = { id: '00000000-0000-4000-8000-000000000001', i8: '-9223372036854775808', n: '123456789012345678901234567890.000000001', ts: new Date('1999-12-31T23:59:59.999Z'), j: { a: [1, 'two', null, false], 'key with "quotes"': {} }, b: false, raw: Buffer.from('héllo\x00', 'utf8'), u: 'ffffffff-ffff-ffff-ffff-ffffffffffff' };
    await db
      .insertInto('samples')
      .values({ ...row, j: JSON.stringify(row.j) })
      .execute();
    expect(await db.selectFrom('samples').selectAll().where('id', '=', row.id).executeTakeFirst()).toEqual(row);
    const typed = await sql<{ t: string }>`SELECT pg_typeof(${row.i8}::int8 + 1)::text AS t`.execute(db);
    expect(typed.rows).toEqual([{ t: 'bigint' }]);
  });

  it('commits, rolls back on a thrown error, and uses savepoints', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('people').values({ name: 'Dee', email: 'dee@example.com' }).execute();
    });
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('people').values({ name: 'Eve', email: 'eve@example.com' }).execute();
        throw new Error('rollback please');
      }),
    ).rejects.toThrow('rollback please');
    const trx = await db.startTransaction().execute();
    await trx.insertInto('people').values({ name: 'Fay', email: 'fay@example.com' }).execute();
    const sp = await trx.savepoint('before_gus').execute();
    await sp.insertInto('people').values({ name: 'Gus', email: 'gus@example.com' }).execute();
    const back = await sp.rollbackToSavepoint('before_gus').execute();
    const sp2 = await back.savepoint('hal').execute();
    await sp2.insertInto('people').values({ name: 'Hal', email: 'hal@example.com' }).execute();
    await (await sp2.releaseSavepoint('hal').execute()).commit().execute();
    const rollback = await db.startTransaction().execute();
    await rollback.insertInto('people').values({ name: 'Ivy', email: 'ivy@example.com' }).execute();
    await rollback.rollback().execute();
    const names = await db.selectFrom('people').select('name').where('id', '>', 3).orderBy('id').execute();
    expect(names.map((n) => n.name)).toEqual(['Dee', 'Fay', 'Hal']);
  });
});
