// drizzle-orm (node-postgres driver) against a real node's SQL listener: its migrator over SQL
// migration files (test/e2e/fixtures/drizzle, drizzle-kit's layout: meta/_journal.json and
// `--> statement-breakpoint` separators) recording them in drizzle.__drizzle_migrations, the
// typed query builder's CRUD, joins, aggregates, RETURNING, upserts, transactions with nested
// savepoints, and the column types' mappings (bigint as bigint, numeric as string, timestamptz as
// Date, jsonb, uuid, bytea). drizzle-kit's introspection (`pull`) is a CLI, not run here. No
// foreign keys: another change adds them.
import { and, asc, count, desc, eq, gt, inArray, isNull, sql, sum } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { bigint, bigserial, boolean, customType, integer, jsonb, numeric, pgTable, serial, smallint, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlNode, type SqlNode } from './sql-support.js';

const migrationsFolder = fileURLToPath(new URL('./fixtures/drizzle', import.meta.url));

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

const authors = pgTable('authors', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  email: varchar('email', { length: 255 }).notNull().unique(),
  active: boolean('active').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

const books = pgTable('books', {
  id: bigserial('id', { mode: 'bigint' }).primaryKey(),
  authorId: integer('author_id').notNull(),
  title: text('title').notNull(),
  price: numeric('price', { precision: 10, scale: 2 }).notNull().default('0'),
  pages: integer('pages'),
  meta: jsonb('meta').$type<{ tags?: string[]; series?: { name: string; n: number } }>().notNull().default({}),
  isbn: uuid('isbn'),
  cover: bytea('cover'),
  rating: smallint('rating'),
  sold: bigint('sold', { mode: 'bigint' }).notNull().default(0n),
});

let server: SqlNode;
let pool: pg.Pool;
let db: NodePgDatabase;
beforeAll(async () => {
  server = await startSqlNode();
  pool = new pg.Pool({ connectionString: server.url, max: 4 });
  // An idle client hears 57P01 when the node stops at the end: not a test failure.
  pool.on('error', () => undefined);
  db = drizzle(pool);
});
afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

describe('drizzle', () => {
  it('applies SQL migrations once and records them in drizzle.__drizzle_migrations', async () => {
    await migrate(db, { migrationsFolder });
    const recorded = await db.execute<{ hash: string; created_at: string }>(sql`SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id`);
    expect(recorded.rows.map((row) => row.created_at)).toEqual(['1700000000000', '1700000100000']);
    expect(recorded.rows.every((row) => /^[0-9a-f]{64}$/.test(row.hash))).toBe(true);
    // Again: the journal's last entry is not newer than the last recorded one, so nothing runs.
    await migrate(db, { migrationsFolder });
    expect((await db.execute(sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`)).rows).toEqual([{ n: 2 }]);
    const columns = await db.execute<{ column_name: string; data_type: string; is_nullable: string }>(
      sql`SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'books' ORDER BY ordinal_position`,
    );
    expect(columns.rows.map((row) => `${row.column_name} ${row.data_type} ${row.is_nullable}`)).toEqual([
      'id bigint NO',
      'author_id integer NO',
      'title text NO',
      'price numeric NO',
      'pages integer YES',
      'meta jsonb NO',
      'isbn uuid YES',
      'cover bytea YES',
      'rating smallint YES',
      'sold bigint NO',
    ]);
    const indexes = await db.execute<{ indexname: string }>(sql`SELECT indexname FROM pg_indexes WHERE tablename = 'books' ORDER BY indexname`);
    expect(indexes.rows.map((row) => row.indexname)).toEqual(['books_author_idx', 'books_author_title_idx', 'books_pkey']);
  });

  it('inserts with RETURNING and defaults, and selects with filters, joins and aggregates', async () => {
    const inserted = await db
      .insert(authors)
      .values([
        { name: 'Le Guin', email: 'ursula@example.com' },
        { name: 'Pratchett', email: 'terry@example.com' },
        { name: 'Nobody', email: 'nobody@example.com', active: false },
      ])
      .returning({ id: authors.id, active: authors.active, createdAt: authors.createdAt });
    expect(inserted.map((row) => [row.id, row.active, row.createdAt instanceof Date])).toEqual([
      [1, true, true],
      [2, true, true],
      [3, false, true],
    ]);
    await db.insert(books).values([
      { authorId: 1, title: 'A Wizard of Earthsea', price: '8.99', pages: 183, meta: { series: { name: 'Earthsea', n: 1 } } },
      { authorId: 1, title: 'The Dispossessed', price: '10.50', pages: 387 },
      { authorId: 2, title: 'Guards! Guards!', price: '9.25', meta: { tags: ['watch', 'dragons'] }, sold: 9_007_199_254_740_993n },
    ]);
    const perAuthor = await db
      .select({ name: authors.name, books: count(books.id), total: sum(books.price) })
      .from(authors)
      .leftJoin(books, eq(books.authorId, authors.id))
      .groupBy(authors.id, authors.name)
      .orderBy(asc(authors.id));
    expect(perAuthor).toEqual([
      { name: 'Le Guin', books: 2, total: '19.49' },
      { name: 'Pratchett', books: 1, total: '9.25' },
      { name: 'Nobody', books: 0, total: null },
    ]);
    const long = await db
      .select({ title: books.title, author: authors.name })
      .from(books)
      .innerJoin(authors, eq(authors.id, books.authorId))
      .where(and(gt(books.pages, 200), eq(authors.active, true)))
      .orderBy(desc(books.pages));
    expect(long).toEqual([{ title: 'The Dispossessed', author: 'Le Guin' }]);
    expect(await db.select({ id: books.id }).from(books).where(isNull(books.pages))).toEqual([{ id: 3n }]);
    expect(await db.select({ n: sql<number>`count(*)::int` }).from(authors).where(inArray(authors.id, [1, 3]))).toEqual([{ n: 2 }]);
    const [updated] = await db.update(books).set({ rating: 5, sold: sql`${books.sold} + 1` }).where(eq(books.title, 'Guards! Guards!')).returning({ sold: books.sold, rating: books.rating });
    expect(updated).toEqual({ sold: 9_007_199_254_740_994n, rating: 5 });
    expect(await db.delete(authors).where(eq(authors.active, false)).returning({ name: authors.name })).toEqual([{ name: 'Nobody' }]);
    await expect(db.insert(authors).values({ name: 'Dup', email: 'terry@example.com' })).rejects.toMatchObject({ cause: { code: '23505' } });
  });

  it('upserts with onConflictDoUpdate and onConflictDoNothing', async () => {
    const [merged] = await db
      .insert(books)
      .values({ authorId: 1, title: 'The Dispossessed', price: '12.00' })
      .onConflictDoUpdate({ target: [books.authorId, books.title], set: { price: sql`excluded.price` } })
      .returning({ id: books.id, price: books.price });
    expect(merged).toEqual({ id: 2n, price: '12.00' });
    const nothing = await db.insert(authors).values({ name: 'Again', email: 'ursula@example.com' }).onConflictDoNothing({ target: authors.email }).returning();
    expect(nothing).toEqual([]);
  });

  it('round-trips jsonb, uuid, bytea, numeric, bigint and timestamptz', async () => {
    const when = new Date('2030-06-15T08:09:10.123Z');
    const cover = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x5c]);
    const [row] = await db
      .insert(books)
      .values({ authorId: 2, title: 'Mort', price: '99999999.99', meta: { tags: ['death', 'ünïcode "quoted"'], series: { name: 'Discworld', n: 4 } }, isbn: '123e4567-e89b-12d3-a456-426614174000', cover, sold: -9_223_372_036_854_775_808n })
      .returning();
    expect(row).toMatchObject({ title: 'Mort', price: '99999999.99', meta: { tags: ['death', 'ünïcode "quoted"'], series: { name: 'Discworld', n: 4 } }, isbn: '123e4567-e89b-12d3-a456-426614174000', cover, sold: -9_223_372_036_854_775_808n, pages: null });
    await db.update(authors).set({ createdAt: when }).where(eq(authors.id, 2));
    expect(await db.select({ createdAt: authors.createdAt }).from(authors).where(eq(authors.id, 2))).toEqual([{ createdAt: when }]);
    expect(await db.select({ title: books.title }).from(books).where(sql`${books.meta}->'series'->>'name' = ${'Discworld'}`)).toEqual([{ title: 'Mort' }]);
    expect(await db.select({ title: books.title }).from(books).where(sql`${books.meta} @> ${JSON.stringify({ tags: ['death'] })}`)).toEqual([{ title: 'Mort' }]);
    expect(await db.select({ n: sql<number>`(${books.meta} #>> '{series,n}')::int` }).from(books).where(sql`${books.meta} ? 'series'`).orderBy(asc(books.id))).toEqual([{ n: 1 }, { n: 4 }]);
  });

  it('commits, rolls back with tx.rollback() and on errors, and nests savepoints', async () => {
    await db.transaction(async (tx) => {
      await tx.insert(authors).values({ name: 'Committed', email: 'c@example.com' });
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(authors).values({ name: 'RolledBack', email: 'r@example.com' });
        tx.rollback();
      }),
    ).rejects.toThrow('Rollback');
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(authors).values({ name: 'Thrown', email: 't@example.com' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await db.transaction(async (tx) => {
      await tx.insert(authors).values({ name: 'Outer', email: 'o@example.com' });
      await expect(
        tx.transaction(async (inner) => {
          await inner.insert(authors).values({ name: 'Inner', email: 'i@example.com' });
          await inner.insert(authors).values({ name: 'Clash', email: 'o@example.com' });
        }),
      ).rejects.toMatchObject({ cause: { code: '23505' } });
      await tx.transaction(async (inner) => {
        await inner.insert(authors).values({ name: 'Kept', email: 'k@example.com' });
      });
    });
    const names = await db.select({ name: authors.name }).from(authors).where(gt(authors.id, 3)).orderBy(asc(authors.id));
    expect(names.map((row) => row.name)).toEqual(['Committed', 'Outer', 'Kept']);
  });
});
