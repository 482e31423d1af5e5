/**
 * `npm run bench -- parser [--seconds=N]`: statements/s through `sql/parser`'s `parse` (libpg-query
 * in WebAssembly, its JSON, our translation) against libpg-query's raw parse alone (WebAssembly and
 * JSON, no translation), on one thread: the cost of the translation layer, and the absolute rate
 * a session's per-statement path pays. Two statements: pgbench's TPC-B UPDATE (the hot path) and
 * psql's `\d` catalog query (a large one). `jsonParseOnlyPerSecond` is `JSON.parse` of the same
 * tree's JSON text alone.
 */
import { loadParser, parse } from '../sql/parser/index.js';
import { parsePg } from '../sql/parser/pg.js';
import { flag, nowMs, progress, report } from './_report.js';

const seconds = flag('seconds', 3);

const statements: Record<string, string> = {
  pgbench_update: 'UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;',
  psql_describe: `SELECT n.nspname as "Schema", c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','v','m','S','f','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;`,
};

/** Calls `fn` for `seconds` (after a warm-up of the same length) and returns calls per second. */
function rate(fn: () => void): number {
  for (const measure of [false, true]) {
    let count = 0;
    const start = nowMs();
    while (nowMs() - start < seconds * 1000) {
      for (let i = 0; i < 100; i++) fn();
      count += 100;
    }
    if (measure) return (count * 1000) / (nowMs() - start);
  }
  return 0;
}

await loadParser();
for (const [name, sql] of Object.entries(statements)) {
  progress(`${name}: parse() then libpg-query alone, ${seconds}s each after a warm-up`);
  const ours = rate(() => parse(sql));
  const raw = rate(() => parsePg(sql));
  // JSON.parse of the same tree's text: the share of libpg-query's time spent on its JSON, and a
  // yardstick for this machine's speed when comparing runs on different (or loaded) machines.
  const treeJson = JSON.stringify({ stmts: parsePg(sql) });
  const jsonOnly = rate(() => JSON.parse(treeJson));
  report({ bench: 'parser', metric: `${name}_statements_per_second`, unit: 'statements/s', value: ours, reference: raw, extra: { jsonParseOnlyPerSecond: jsonOnly } });
}
