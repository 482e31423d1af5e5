// The PostgreSQL JDBC driver (Debian's libpostgresql-jdbc-java, /usr/share/java/postgresql.jar)
// against a real node's SQL listener: test/e2e/fixtures/java/JdbcCheck.java runs in one JVM
// (single-file source launch, so a JDK: default-jdk-headless) — PreparedStatements executed past
// the driver's prepareThreshold (5: it switches to named server statements and binary
// transfer), generated keys, batches with reWriteBatchedInserts off and on, transactions and
// savepoints, SQLStates, DatabaseMetaData's catalog queries and ResultSetMetaData — and prints
// `name<TAB>value` lines that this test asserts on.
//
// In CI (env CI set) a missing JDK or driver jar fails the test; elsewhere the test is skipped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, type ProcessResult } from '../support/process.js';
import { startSqlNode, type SqlNode } from './sql-support.js';

const source = fileURLToPath(new URL('./fixtures/java/JdbcCheck.java', import.meta.url));
const driverJar = process.env['PGJDBC_JAR'] ?? '/usr/share/java/postgresql.jar';
/** A JDK (a JRE cannot launch a source file: it needs javac's module) and the driver's jar. */
const javaInstalled = existsSync(driverJar) && spawnSync('javac', ['-version'], { stdio: 'ignore' }).status === 0;

function runJava(url: string): Promise<ProcessResult> {
  // -Xshare:auto and a small heap: the JVM's start is most of this test's time.
  return runProcess('java', ['-Xshare:auto', '-Xmx256m', '-XX:TieredStopAtLevel=1', '-cp', driverJar, source, url]);
}

describe('PostgreSQL JDBC driver', () => {
  it('is installed where the tests run in CI', () => {
    if (process.env['CI'] !== undefined) expect(javaInstalled, `a JDK (javac) and ${driverJar} (Debian: default-jdk-headless, libpostgresql-jdbc-java)`).toBe(true);
  });

  describe.runIf(javaInstalled)('against a node', () => {
    let server: SqlNode;
    const seen = new Map<string, string>();
    beforeAll(async () => {
      server = await startSqlNode();
      const run = await runJava(`jdbc:postgresql://localhost:${server.port}/defaultdb?sslmode=disable`);
      if (run.code !== 0) throw new Error(`JdbcCheck.java exited ${String(run.code)}:\n${run.stderr}`);
      for (const line of run.stdout.split('\n')) {
        const tab = line.indexOf('\t');
        if (tab > 0) seen.set(line.slice(0, tab), line.slice(tab + 1));
      }
    }, 90_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('connects as PostgreSQL 15, autocommit on, serializable', () => {
      expect(seen.get('product')).toBe('PostgreSQL 15');
      expect(seen.get('autocommit')).toBe('true');
      // Connection.TRANSACTION_SERIALIZABLE: rangedb runs every transaction serializable.
      expect(seen.get('isolation')).toBe('8');
      expect(seen.get('serializable')).toBe('8');
    });

    it('runs a PreparedStatement past the server-prepare threshold with every parameter type', () => {
      expect(seen.get('prepared')).toBe('1,2,3,4,5,6,7,8');
      // Execution 1 (unnamed, text) and 7 (named server statement, binary results) agree.
      expect(seen.get('select_prepared')).toBe(
        'item1|9007199254740991|1235.50|0.25|false|2024-01-01T10:30:00.250Z|00000000-0000-1234-0000-000000000001|3:1;' +
          'item7|9007199254740997|1241.50|1.75|false|2024-01-07T10:30:00.250Z|00000000-0000-1234-0000-000000000007|3:7;',
      );
      expect(seen.get('nulls')).toBe('true,true,true');
      expect(seen.get('generated_keys')).toBe('9,generated');
    });

    it('runs batches, with and without reWriteBatchedInserts, and reports a failed one', () => {
      // statements in the batch, rows they report, rows in the table.
      expect(seen.get('batch_rewrite_false')).toBe('10,10,10');
      expect(seen.get('batch_rewrite_true')).toBe('10,10,10');
      expect(seen.get('batch_statements')).toBe('1,1,1');
      expect(seen.get('batch_failure')).toBe('23505,23505');
    });

    it('commits, rolls back, rolls back to a savepoint, and aborts a failed transaction', () => {
      expect(seen.get('transactions')).toBe('23505,25P02,4001 4003 4005');
      expect(seen.get('errors')).toBe('42P01,42601,22012,22P02,23502');
    });

    it('answers DatabaseMetaData.getTables and getColumns, and ResultSetMetaData', () => {
      expect(seen.get('meta_tables')).toBe('public,batch,TABLE;public,items,TABLE;public,orders,TABLE');
      // COLUMN_NAME, DATA_TYPE (java.sql.Types), TYPE_NAME, COLUMN_SIZE, NULLABLE, IS_AUTOINCREMENT.
      expect(seen.get('meta_columns')).toBe(
        'id,4,serial,10,0,YES;name,12,varchar,40,0,NO;qty,-5,int8,19,1,NO;price,2,numeric,10,1,NO;ratio,8,float8,17,1,NO;ok,-7,bool,1,1,NO;seen,93,timestamptz,35,1,NO;tag,1111,uuid,2147483647,1,NO;raw,-2,bytea,2147483647,1,NO',
      );
      expect(seen.get('result_set_meta')).toBe('id:serial:items:0:true,name:varchar:items:0:false,price:numeric:items:1:false');
      expect(seen.get('fetch_size')).toBe('23');
    });

    it('getSchemas lists information_schema, pg_catalog and public, as PostgreSQL', () => {
      expect(seen.get('meta_schemas')).toBe('information_schema;pg_catalog;public');
    });

    it('getPrimaryKeys and getIndexInfo, whose queries expand pg_index.indkey with information_schema._pg_expandarray', () => {
      // The driver's queries call _pg_expandarray(indkey) in the SELECT list, read its record
      // result's fields ((keys).x, (keys).n) and subscript indoption from 0 (an int2vector);
      // the values are PostgreSQL 15's for the same tables.
      expect(seen.get('meta_primary_keys')).toBe('items,id,1,items_pkey');
      expect(seen.get('meta_index_info')).toBe('items_name_key,false,name,1;items_pkey,false,id,1;items_qty,true,qty,1');
    });

    it('getImportedKeys and getExportedKeys (pg_constraint.conkey / confkey subscripted, the max_index_keys setting)', () => {
      // PKTABLE_NAME, PKCOLUMN_NAME, FKTABLE_NAME, FKCOLUMN_NAME, KEY_SEQ, UPDATE_RULE (3: NO ACTION),
      // DELETE_RULE (0: CASCADE), FK_NAME, PK_NAME — PostgreSQL 15's answers for the same tables.
      expect(seen.get('meta_imported_keys')).toBe('items,id,orders,item_id,1,3,0,orders_item_id_fkey,items_pkey;items,name,orders,item_name,1,3,3,orders_item_name_fk,items_name_key');
      expect(seen.get('meta_exported_keys')).toBe('items,id,orders,item_id,1,orders_item_id_fkey;items,name,orders,item_name,1,orders_item_name_fk');
    });
  });
});
