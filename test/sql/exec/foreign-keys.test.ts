// Foreign keys through the SQL engine over a real KV store: PostgreSQL's messages with their
// DETAIL (the logic file checks SQLSTATEs and rows, not DETAIL lines), the NOTICE of DROP …
// CASCADE and TRUNCATE … CASCADE, that a multi-row INSERT checks its parents in a few batched
// round trips rather than one per row, that a parent DELETE uses an index on the referencing
// columns, that descriptors written before foreign keys existed still read, and that cascades
// around a cycle of tables stop once no row references the old key.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTxn } from '../../../txn/index.js';
import { Catalog, DescriptorCache, firstDescriptorId } from '../../../sql/catalog/catalog.js';
import { decodeDescriptor, encodeDescriptor, foreignKeysOf, hasForeignKeys, referencedByOf, type TableDesc } from '../../../sql/catalog/descriptors.js';
import { parse } from '../../../sql/parser/index.js';
import { openSqlWorld, runSql, type SqlWorld } from './harness.js';

describe('foreign keys', () => {
  let world: SqlWorld;
  beforeEach(async () => {
    world = await openSqlWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  /** Runs one statement in its own transaction, counting the KV batches it sends. */
  async function countBatches(sql: string): Promise<number> {
    const [statement] = parse(sql);
    return runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
      const prepared = await world.engine.prepare(statement!, { txn, settings: world.settings, paramTypeHints: [] });
      let batches = 0;
      const batch = txn.batch.bind(txn);
      txn.batch = ((...args: Parameters<typeof batch>) => {
        batches += 1;
        return batch(...args);
      }) as typeof txn.batch;
      const result = await prepared.run({ txn, settings: world.settings, params: [], cancel: { throwIfCancelled: () => undefined } });
      for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next());
      return batches;
    });
  }

  it("reports PostgreSQL's messages and DETAIL on both sides", async () => {
    await runSql(world, "CREATE TABLE p (id int PRIMARY KEY, code text, UNIQUE (id, code)); INSERT INTO p VALUES (1, 'a'); CREATE TABLE c (p_id int REFERENCES p, code text, FOREIGN KEY (p_id, code) REFERENCES p (id, code) MATCH FULL)");
    expect(await runSql(world, 'INSERT INTO c (p_id) VALUES (2)')).toBe('ERROR 23503: insert or update on table "c" violates foreign key constraint "c_p_id_fkey"\nDETAIL: Key (p_id)=(2) is not present in table "p".');
    expect(await runSql(world, 'INSERT INTO c (p_id) VALUES (1)')).toContain('DETAIL: MATCH FULL does not allow mixing of null and nonnull key values.');
    expect(await runSql(world, "INSERT INTO c VALUES (1, 'b')")).toBe('ERROR 23503: insert or update on table "c" violates foreign key constraint "c_p_id_code_fkey"\nDETAIL: Key (p_id, code)=(1, b) is not present in table "p".');
    await runSql(world, "INSERT INTO c VALUES (1, 'a')");
    expect(await runSql(world, 'DELETE FROM p')).toBe('ERROR 23503: update or delete on table "p" violates foreign key constraint "c_p_id_fkey" on table "c"\nDETAIL: Key (id)=(1) is still referenced from table "c".');
    expect(await runSql(world, 'CREATE TABLE bad (x text REFERENCES p)')).toBe('ERROR 42804: foreign key constraint "bad_x_fkey" cannot be implemented\nDETAIL: Key columns "x" and "id" are of incompatible types: text and integer.');
    expect(await runSql(world, 'DROP TABLE p')).toBe(
      'ERROR 2BP01: cannot drop table p because other objects depend on it\nDETAIL: constraint c_p_id_fkey on table c depends on table p\nconstraint c_p_id_code_fkey on table c depends on table p',
    );
    expect(await runSql(world, 'TRUNCATE p')).toBe('ERROR 0A000: cannot truncate a table referenced in a foreign key constraint\nDETAIL: Table "c" references "p".');
    expect(await runSql(world, 'TRUNCATE p CASCADE')).toBe('NOTICE: truncate cascades to table "c"\nTRUNCATE TABLE');
    expect(await runSql(world, 'DROP TABLE p CASCADE')).toBe('NOTICE: drop cascades to 2 other objects\nDETAIL: drop cascades to constraint c_p_id_fkey on table c\ndrop cascades to constraint c_p_id_code_fkey on table c\nDROP TABLE');
    expect(await runSql(world, 'INSERT INTO c (p_id) VALUES (42)')).toBe('INSERT 0 1');
  });

  it('checks the parents of a 2,000-row INSERT in a few batched round trips, not one per row', async () => {
    await runSql(world, 'CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p SELECT g FROM generate_series(1, 100) g; CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p)');
    const batches = await countBatches('INSERT INTO c SELECT g, 1 + g % 100 FROM generate_series(1, 2000) g');
    expect(batches).toBeLessThanOrEqual(4); // the writes, the checks' gets (and the catalog)
    expect(await runSql(world, 'SELECT count(*) FROM c')).toBe('count\n2000\nSELECT 1');
  });

  it('finds the referencing rows of a parent DELETE through an index on the referencing columns when there is one', async () => {
    await runSql(world, 'CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p SELECT g FROM generate_series(1, 10) g; CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p ON DELETE CASCADE)');
    await runSql(world, 'INSERT INTO c SELECT g, 1 + g % 10 FROM generate_series(1, 3000) g');
    // Without an index: the whole child table is scanned (pages grow to 1,024 keys: a few round trips).
    const scanned = await countBatches('DELETE FROM p WHERE id = 1');
    await runSql(world, 'CREATE INDEX c_p ON c (p_id)');
    const indexed = await countBatches('DELETE FROM p WHERE id = 2');
    expect(await runSql(world, 'SELECT count(*) FROM c WHERE p_id IN (1, 2)')).toBe('count\n0\nSELECT 1');
    expect(await runSql(world, 'SELECT count(*) FROM c')).toBe('count\n2400\nSELECT 1');
    expect(indexed).toBeLessThanOrEqual(scanned);
  });

  it('runs ON UPDATE CASCADE around a cycle of tables until no row references the old key', async () => {
    await runSql(world, 'CREATE TABLE a (x int PRIMARY KEY, y int UNIQUE); CREATE TABLE b (x int PRIMARY KEY, y int UNIQUE)');
    await runSql(world, 'INSERT INTO a VALUES (1, 1); INSERT INTO b VALUES (1, 1)');
    await runSql(world, 'ALTER TABLE a ADD FOREIGN KEY (y) REFERENCES b (x) ON UPDATE CASCADE; ALTER TABLE b ADD FOREIGN KEY (y) REFERENCES a (x) ON UPDATE CASCADE');
    // a.x 1→2 cascades to b.y, which is no key: the chain stops after one level.
    expect(await runSql(world, 'UPDATE a SET x = 2')).toBe('UPDATE 1');
    expect(await runSql(world, 'SELECT * FROM a, b')).toBe('x | y | x | y\n2 | 1 | 1 | 2\nSELECT 1');
  });

  it('reads descriptors written before foreign keys existed, and keeps the back-reference in step with the constraint', async () => {
    await runSql(world, 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p_id int CONSTRAINT c_p REFERENCES p)');
    const tables = await runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
      const catalog = await Catalog.open(txn, new DescriptorCache());
      const found: TableDesc[] = [];
      for (let id = firstDescriptorId; id < firstDescriptorId + 32; id++) {
        const descriptor = await catalog.descriptor(id);
        if (descriptor?.kind === 'table') found.push(descriptor);
      }
      return found;
    });
    const parent = tables.find((table) => table.name === 'p')!;
    const child = tables.find((table) => table.name === 'c')!;
    expect(referencedByOf(parent)).toEqual([{ originTableId: child.id, name: 'c_p' }]);
    expect(foreignKeysOf(child).map((fk) => fk.name)).toEqual(['c_p']);
    // An old descriptor: no foreignKeys / referencedBy fields at all.
    const { foreignKeys: _fks, referencedBy: _refs, ...old } = child;
    const decoded = decodeDescriptor(encodeDescriptor(old as TableDesc)) as TableDesc;
    expect(hasForeignKeys(decoded)).toBe(false);
    expect(foreignKeysOf(decoded)).toEqual([]);
    await runSql(world, 'ALTER TABLE c DROP CONSTRAINT c_p');
    expect(await runSql(world, 'DELETE FROM p')).toBe('DELETE 0');
    expect(await runSql(world, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")).toBe('count\n0\nSELECT 1');
  });
});
