/**
 * DROP TABLE removes the table's rows after its commit by ClearRange (no intent per row): the
 * span is empty at every timestamp once the transactions older than the drop have ended (one
 * still open keeps reading the rows until then), and a rolled-back drop leaves every row.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Timestamp } from '../../../clock/timestamp.js';
import { batchHeader, batchRequest, keyMax, prefixEnd, scanRequest, tablePrefix } from '../../../kv/api/index.js';
import { computeStats } from '../../../kv/storage/mvcc/index.js';
import { Txn } from '../../../txn/index.js';
import { firstRowInTxn, openSqlWorld, runHoldingAfterCommit, runSql, settings, type SqlWorld } from './harness.js';

let world: SqlWorld;
beforeEach(async () => {
  world = await openSqlWorld();
});
afterEach(async () => {
  await world.close();
});

const sql = (text: string, oneTxn = false): Promise<string> => runSql(world, text, { oneTxn });

async function tableId(name: string): Promise<number> {
  return Number((await sql(`SELECT oid FROM pg_class WHERE relname = '${name}'`)).split('\n')[1]);
}

/** Rows in the table's span (every index) as of `timestamp`. */
async function keysAt(id: number, timestamp: Timestamp): Promise<number> {
  const prefix = tablePrefix(id);
  const response = await world.kv.sender.send(batchRequest(batchHeader({ timestamp }), [scanRequest(prefix, prefixEnd(prefix, keyMax))]));
  return response.responses[0].rows.length;
}

const inTxn = (txn: Txn, text: string): Promise<string[]> => firstRowInTxn(world, txn, text);

describe('DROP TABLE clears the rows after its commit', () => {
  it('empties the span at every timestamp, after the older readers end; a rolled-back drop keeps it', async () => {
    expect(await sql('CREATE TABLE t (k INT PRIMARY KEY, v INT)')).toBe('CREATE TABLE');
    expect(await sql('CREATE INDEX t_v ON t (v)')).toBe('CREATE INDEX');
    expect(await sql('INSERT INTO t SELECT g, g % 7 FROM generate_series(1, 500) AS g')).toBe('INSERT 0 500');
    const id = await tableId('t');
    const before = world.kv.txnDeps.clock.now();
    expect(await keysAt(id, before)).toBe(1000);

    expect(await sql('DROP TABLE t; SELECT 1 / 0', true)).toBe('DROP TABLE\nERROR 22012: division by zero');
    expect(await sql('SELECT count(*) FROM t')).toBe('count\n500\nSELECT 1');

    const older = new Txn(world.kv.sender, world.kv.txnDeps);
    expect(await inTxn(older, 'SELECT count(*), sum(k) FROM t')).toEqual(['500', '125250']);
    const { tag, afterCommit } = await runHoldingAfterCommit(world, 'DROP TABLE t');
    expect(tag).toBe('DROP TABLE');
    expect(afterCommit).toBeDefined();
    let cleared = false;
    const clearing = afterCommit!().then(() => (cleared = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cleared).toBe(false);
    expect(await inTxn(older, 'SELECT count(*) FROM t WHERE v = 3')).toEqual(['72']);
    await older.commit();
    await clearing;
    // Nothing in the engine at any timestamp, and a read from before the clear is refused by
    // the range's raised GC threshold (persisted: after a restart too) instead of answering no rows.
    await expect(keysAt(id, before)).rejects.toThrow(/must be after replica GC threshold/);
    expect(await keysAt(id, world.kv.txnDeps.clock.now())).toBe(0);
    const stats = await computeStats(world.kv.store.engine, tablePrefix(id), prefixEnd(tablePrefix(id), keyMax));
    expect(stats.valCount + stats.intentCount).toBe(0);
    expect(await sql('SELECT count(*) FROM t')).toBe('ERROR 42P01: relation "t" does not exist');
  });
});

/** Every version and intent left under `prefix` (0: cleared outright, no tombstone either). */
async function versionsUnder(prefix: Uint8Array): Promise<number> {
  const stats = await computeStats(world.kv.store.engine, prefix, prefixEnd(prefix, keyMax));
  return stats.valCount + stats.intentCount;
}

describe('TRUNCATE clears the old rows after its commit', () => {
  it('gives the table new indexes at once and clears the old ones outright after the older readers end', async () => {
    expect(await sql('CREATE TABLE t (k INT PRIMARY KEY, v INT)')).toBe('CREATE TABLE');
    expect(await sql('CREATE INDEX t_v ON t (v)')).toBe('CREATE INDEX');
    expect(await sql('INSERT INTO t SELECT g, g % 7 FROM generate_series(1, 500) AS g')).toBe('INSERT 0 500');
    const id = await tableId('t');
    const before = world.kv.txnDeps.clock.now();
    expect(await keysAt(id, before)).toBe(1000);
    // A rolled-back TRUNCATE changes nothing.
    expect(await sql('TRUNCATE t; SELECT 1 / 0', true)).toBe('TRUNCATE TABLE\nERROR 22012: division by zero');
    expect(await sql('SELECT count(*) FROM t WHERE v = 3')).toBe('count\n72\nSELECT 1');

    const older = new Txn(world.kv.sender, world.kv.txnDeps);
    expect(await inTxn(older, 'SELECT count(*) FROM t')).toEqual(['500']);
    const { tag, afterCommit } = await runHoldingAfterCommit(world, 'TRUNCATE t');
    expect(tag).toBe('TRUNCATE TABLE');
    // Empty for everyone after the commit, before any clear: no intent was written per row.
    expect(await sql('SELECT count(*) FROM t')).toBe('count\n0\nSELECT 1');
    expect(await keysAt(id, world.kv.txnDeps.clock.now())).toBe(1000); // the old indexes' rows, unreachable
    let cleared = false;
    const clearing = afterCommit!().then(() => (cleared = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cleared).toBe(false);
    expect(await inTxn(older, 'SELECT count(*) FROM t WHERE v = 3')).toEqual(['72']);
    await older.commit();
    await clearing;
    expect(await keysAt(id, world.kv.txnDeps.clock.now())).toBe(0);
    expect(await versionsUnder(tablePrefix(id))).toBe(0);
    await expect(keysAt(id, before)).rejects.toThrow(/must be after replica GC threshold/);

    // Rows written after a TRUNCATE in its own transaction are the table's, in both indexes.
    expect(await sql("INSERT INTO t VALUES (1, 3); TRUNCATE t; INSERT INTO t VALUES (2, 3), (3, 4)", true)).toBe('INSERT 0 1\nTRUNCATE TABLE\nINSERT 0 2');
    expect(await sql('SELECT k FROM t WHERE v = 3')).toBe('k\n2\nSELECT 1');
    expect(await sql('SELECT count(*) FROM t')).toBe('count\n2\nSELECT 1');
    expect(await keysAt(id, world.kv.txnDeps.clock.now())).toBe(4);
  });
});

describe('DROP SCHEMA … CASCADE and DROP DATABASE clear their tables after the commit', () => {
  it('leaves no version of the tables\' rows, and wrote no intent per row', async () => {
    expect(await sql('CREATE SCHEMA s')).toBe('CREATE SCHEMA');
    expect(await sql('CREATE TABLE s.a (k INT PRIMARY KEY, v INT)')).toBe('CREATE TABLE');
    expect(await sql('INSERT INTO s.a SELECT g, g FROM generate_series(1, 300) AS g')).toBe('INSERT 0 300');
    const schemaTable = await tableId('a');
    expect(await sql('CREATE DATABASE d')).toBe('CREATE DATABASE');
    expect(await runSql({ ...world, settings: settings('d') }, 'CREATE TABLE b (k INT PRIMARY KEY); INSERT INTO b SELECT generate_series(1, 200)')).toBe('CREATE TABLE\nINSERT 0 200');
    const databaseTable = Number((await runSql({ ...world, settings: settings('d') }, "SELECT oid FROM pg_class WHERE relname = 'b'")).split('\n')[1]);
    expect(await versionsUnder(tablePrefix(databaseTable))).toBe(200);
    expect(await versionsUnder(tablePrefix(schemaTable))).toBe(300);

    const { afterCommit } = await runHoldingAfterCommit(world, 'DROP SCHEMA s CASCADE');
    // The drop itself deleted nothing: the rows are still there, untouched, until the clear.
    expect(await versionsUnder(tablePrefix(schemaTable))).toBe(300);
    await afterCommit!();
    expect(await versionsUnder(tablePrefix(schemaTable))).toBe(0);

    expect(await sql('DROP DATABASE d')).toBe('DROP DATABASE');
    expect(await versionsUnder(tablePrefix(databaseTable))).toBe(0);
  });
});

describe('TRUNCATE and pg_catalog', () => {
  it('keeps the indexes\' OIDs, and pg_catalog answers after the index ids pass 255', async () => {
    expect(await sql('CREATE TABLE t (k INT PRIMARY KEY, u INT UNIQUE)')).toBe('CREATE TABLE');
    const indexOids = "SELECT c.relname, c.oid = i.indexrelid AS same FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE i.indrelid = 't'::regclass ORDER BY c.oid";
    const oids = async (): Promise<string> => sql("SELECT string_agg(indexrelid::text, ',' ORDER BY indexrelid) FROM pg_index WHERE indrelid = 't'::regclass");
    const before = await oids();
    expect(before.split('\n')[1]!.split(',')).toHaveLength(2);
    // Each TRUNCATE takes two new index ids (ids are never reused): 130 of them pass 255.
    for (let round = 0; round < 130; round++) expect(await sql('TRUNCATE t')).toBe('TRUNCATE TABLE');
    expect(await oids()).toBe(before);
    expect(await sql('CREATE INDEX t_k_u ON t (k, u)')).toBe('CREATE INDEX');
    expect(await sql(indexOids)).toBe('relname | same\nt_pkey | t\nt_u_key | t\nt_k_u | t\nSELECT 3');
    expect(await sql("SELECT conname FROM pg_constraint WHERE conrelid = 't'::regclass ORDER BY conname")).toBe('conname\nt_pkey\nt_u_key\nSELECT 2');
    expect(await sql('INSERT INTO t VALUES (1, 2); SELECT k FROM t WHERE u = 2')).toBe('INSERT 0 1\nk\n1\nSELECT 1');
  });
});
