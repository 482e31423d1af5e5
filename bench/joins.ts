/**
 * `npm run bench -- joins [--scale=1] [--clients=4] [--seconds=10] [--analytic-runs=5]
 *   [--only=both|postgres|rangedb] [--cpu-prof-dir=DIR]`: a join-heavy benchmark on a small
 * TPC-H-like schema, rangedb against PostgreSQL 15 on this machine, in the same run.
 *
 * Schema (scale 1): 25 nations, 1,500 customers, 15,000 orders (indexed by customer), 60,000 line
 * items (primary key order, line), 2,000 parts — generated on each server by the same
 * `INSERT … SELECT … generate_series` statements, so both hold identical rows.
 *
 * Workloads, each on both servers with prepared statements (node-postgres, extended protocol):
 * - `order-lookup`: an order and its customer (`WHERE o.id = $1`: a point read joined by primary
 *   key — rangedb's lookup join);
 * - `order-lines`: an order's lines with their parts (a primary-key prefix scan, then a lookup per
 *   line);
 * - `customer-orders`: a customer's orders with their line counts (a secondary-index lookup, then a
 *   prefix lookup, then GROUP BY);
 * - `revenue-by-nation`, `top-orders`: whole-table analytics (TPC-H Q5- and Q3-like: four-way
 *   joins over every line item, GROUP BY, ORDER BY / LIMIT), one client, timed per query;
 * - `order-line-totals`: orders joined to their line items, both read in primary-key order (a
 *   merge join in rangedb), then grouped.
 * Analytic queries report wall time and the server's CPU time per query (rangedb's node process,
 * PostgreSQL's backend; from /proc): on a shared machine the CPU time is the steadier figure.
 * The point workloads run `--clients` closed loops for `--seconds`; the analytic ones run
 * `--analytic-runs` times after one warm-up. Every analytic answer is compared between the two
 * servers (the bench fails if they differ), and each point workload's first answers too.
 *
 * JSON lines (bench/_report.ts): per workload, rangedb's queries per second against PostgreSQL's,
 * with the ratio (higher is better for rangedb) and p50/p99 latencies. Before the analytic runs
 * the bench waits for the server to go quiet: rangedb resolves the load's intents for 10-25 s after
 * it, and that CPU was charged to the first query.
 *
 * ## Where the time goes (2026-11-27, `node dist/bench/joins.js --scale=1 --seconds=5 --analytic-runs=3`)
 *
 * A shared 2-core machine (load average 16-19): wall times and queries/s swing 3-5× between runs
 * (PostgreSQL's own point figures went from 3,832 to 777 queries/s between two runs), so the
 * figures to compare are the server CPU per analytic query (from /proc) and CPU per point query
 * measured in process (`process.cpuUsage()` around 300 runs). Server CPU per analytic query,
 * rangedb before (HEAD 0a1b26d), after this session's scan and merge-join commits 4ebce2d and
 * d005bcc, and after 005ad35 (smaller scan pages: the final run, on a quieter machine),
 * against PostgreSQL in the final run:
 *
 * | query               | before   | 4ebce2d+d005bcc | 005ad35  | PostgreSQL | CPU ratio |
 * | ------------------- | -------- | --------------- | -------- | ---------- | --------- |
 * | revenue-by-nation   | 1,843 ms | 1,423 ms        | 1,227 ms | 30 ms      | 41×       |
 * | order-line-totals   | 1,683 ms | 1,383 ms        | 1,193 ms | 30 ms      | 40×       |
 * | top-orders          | 1,077 ms | 973 ms          | 767 ms   | 10 ms      | 77×       |
 *
 * Queries/s ratios of the final run: analytic 0.034, 0.028, 0.014; point workloads
 * (order-lookup, order-lines, customer-orders) 0.82, 0.24, 0.038. The point ratios mostly
 * measure the load when each server ran: PostgreSQL's order-lookup did 3,832 queries/s in the
 * session's first run and 1,599 in the last, and rangedb's point ratios in the first run
 * (before) were 0.054, 0.064, 0.021 — re-measure on a quiet machine before claiming them.
 *
 * **Analytic queries: the whole-table scans are the cost, not the joins.** `SELECT count(*) FROM
 * lineitem` alone cost 1,440 ms of revenue-by-nation's 1,970 ms (in process, before); the join
 * operators (merge, hash), aggregation, sort and expression evaluation together are under 10% of
 * a profile. Per scanned row (~78,500 rows per query over five tables: 24 µs each before, 18 µs after):
 * - KV scan (kv/storage/mvcc `mvccScan` over LevelDB): 16 µs per key before, 10 µs after
 *   (`mvccScan` alone over the 93,525 keys of the store, in process). It was promise machinery:
 *   four nested async calls per key to step the iterator and two more to decide visibility,
 *   each with its garbage; now a key whose successor sits in the read-ahead buffer is stepped
 *   and decided synchronously. What remains: LevelDB's `nextv` (native, ~30% of the wall time
 *   is waiting on the thread pool), a Buffer per key and value, the key's record decode.
 * - Garbage collection: 24-29% of the profile. Scan pages grew to 8,192 rows; a page and its
 *   decoded rows outlived a young-generation collection, so they were copied and promoted (the
 *   heap climbed from ~28 to ~90 MB during one query). Pages now stop at 1,024 rows (005ad35:
 *   -14% CPU on revenue-by-nation, -12% on order-line-totals, in-process A/B pairs); what is
 *   left is per-row garbage: a Buffer per key and value from LevelDB, the row object per KV
 *   layer (mvccScan's, evalScan's frozen copy, the DistSender's merge), the decoded datums.
 * - Row decoding (sql/rowcodec `decodePrimary`, key datums, NUMERIC values): ~9%; every column is
 *   decoded, needed or not (revenue-by-nation needs 4 of lineitem's 5 and 3 of orders' 4).
 * - KV transport inside the node (DistSender merge of the response, send-state accounting,
 *   `Object.freeze` of each row in evalScan): ~3-4%.
 * - Joins: the merge join stepped each row through an awaited `fill()` (a promise per row):
 *   now synchronous within a batch (-3% on order-line-totals). Hash joins build on the small
 *   side (customer, nation, part) and probe with one primitive hash key per row.
 * top-orders is a lookup-join plan (customer → orders by index → line items by primary-key
 * prefix): its cost is one KV scan request per looked-up prefix, each opening a LevelDB iterator.
 *
 * **Point joins** (CPU per query in process, before: order-lookup 2.3 ms, order-lines 3.9 ms,
 * customer-orders 9.7 ms; PostgreSQL's whole backend spends ~0.3 ms): order-lookup is spread
 * over pgwire, session, the replica's latches and timestamp cache and the KV API (each 5-10%),
 * like pgbench's select-only. customer-orders does ten primary-key prefix lookups into lineitem
 * per customer, one LevelDB iterator each: the iterator's creation and its first `nextv`
 * (native) are ~25% of its profile, the timestamp cache 5%. Reusing one engine iterator for all the scans of
 * a batch (seek between them) would cut that most.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { closedLoop } from './_driver.js';
import { flag, nowMs, percentile, permutation, progress, report, round } from './_report.js';
import { cleanUp, RangedbServer, ReferencePostgres, type Target } from './_servers.js';

const scale = flag('scale', 1);
const clients = flag('clients', 4);
const seconds = flag('seconds', 10);
const analyticRuns = flag('analytic-runs', 5);
const only = stringFlag('only') ?? 'both';
const cpuProfDir = stringFlag('cpu-prof-dir');

function stringFlag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

const customers = Math.round(1500 * scale);
const orders = Math.round(15_000 * scale);
const parts = Math.round(2000 * scale);
const linesPerOrder = 4;

const schema = [
  'CREATE TABLE nation (id INT PRIMARY KEY, name TEXT NOT NULL)',
  'CREATE TABLE customer (id INT PRIMARY KEY, name TEXT NOT NULL, nation_id INT NOT NULL, segment TEXT NOT NULL)',
  'CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, order_date DATE NOT NULL, total NUMERIC(12,2) NOT NULL)',
  'CREATE INDEX orders_customer ON orders (customer_id)',
  'CREATE TABLE part (id INT PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(10,2) NOT NULL)',
  'CREATE TABLE lineitem (order_id INT NOT NULL, line INT NOT NULL, part_id INT NOT NULL, qty INT NOT NULL, discount NUMERIC(4,2) NOT NULL, PRIMARY KEY (order_id, line))',
];

/** The rows, generated by each server the same way (batches keep each transaction moderate). */
function loadStatements(): string[] {
  const statements = [
    "INSERT INTO nation SELECT i, 'nation' || i FROM generate_series(0, 24) AS i",
    `INSERT INTO customer SELECT i, 'customer#' || i, i % 25, CASE i % 5 WHEN 0 THEN 'BUILDING' WHEN 1 THEN 'AUTOMOBILE' WHEN 2 THEN 'MACHINERY' WHEN 3 THEN 'HOUSEHOLD' ELSE 'FURNITURE' END FROM generate_series(1, ${customers}) AS i`,
    `INSERT INTO part SELECT i, 'part' || i, ((i * 31) % 2000 + 100) / 100.0 FROM generate_series(1, ${parts}) AS i`,
  ];
  const batch = 5000;
  for (let first = 1; first <= orders; first += batch) {
    const last = Math.min(orders, first + batch - 1);
    statements.push(
      `INSERT INTO orders SELECT i, (i * 7919) % ${customers} + 1, DATE '1992-01-01' + (i * 37) % 2400, ((i * 13) % 100000) / 100.0 FROM generate_series(${first}, ${last}) AS i`,
      `INSERT INTO lineitem SELECT o, l, (o * 17 + l * 101) % ${parts} + 1, (o + l) % 50 + 1, ((o * l) % 10) / 100.0 FROM generate_series(${first}, ${last}) AS o, generate_series(1, ${linesPerOrder}) AS l`,
    );
  }
  return statements;
}

interface PointWorkload {
  readonly name: string;
  readonly sql: string;
  /** The parameter of the n-th query of a client. */
  readonly param: (client: number, n: number) => number;
}

const orderOrder = permutation(orders, 7);
const customerOrder = permutation(customers, 11);
const pick = (order: Uint32Array, client: number, n: number): number => order[(client * 7919 + n) % order.length]! + 1;

const pointWorkloads: readonly PointWorkload[] = [
  {
    name: 'order-lookup',
    sql: 'SELECT c.name, o.total FROM orders o JOIN customer c ON c.id = o.customer_id WHERE o.id = $1',
    param: (client, n) => pick(orderOrder, client, n),
  },
  {
    name: 'order-lines',
    sql: 'SELECT l.line, p.name, l.qty * p.price AS amount FROM lineitem l JOIN part p ON p.id = l.part_id WHERE l.order_id = $1 ORDER BY l.line',
    param: (client, n) => pick(orderOrder, client, n),
  },
  {
    name: 'customer-orders',
    sql: 'SELECT o.id, o.total, count(l.line) AS lines FROM customer c JOIN orders o ON o.customer_id = c.id JOIN lineitem l ON l.order_id = o.id WHERE c.id = $1 GROUP BY o.id, o.total ORDER BY o.id',
    param: (client, n) => pick(customerOrder, client, n),
  },
];

const analyticWorkloads: readonly { readonly name: string; readonly sql: string }[] = [
  {
    name: 'revenue-by-nation',
    sql:
      'SELECT n.name, sum(l.qty * p.price * (1 - l.discount)) AS revenue FROM lineitem l JOIN orders o ON o.id = l.order_id ' +
      'JOIN customer c ON c.id = o.customer_id JOIN nation n ON n.id = c.nation_id JOIN part p ON p.id = l.part_id ' +
      "WHERE o.order_date >= DATE '1995-01-01' AND o.order_date < DATE '1996-01-01' GROUP BY n.name ORDER BY revenue DESC, n.name",
  },
  {
    // Line items with their orders, both read in primary-key order: a merge join (rangedb streams
    // both tables side by side, no hash table); PostgreSQL picks its own plan.
    name: 'order-line-totals',
    sql:
      'SELECT o.order_date, count(*) AS lines, sum(l.qty) AS qty FROM orders o JOIN lineitem l ON l.order_id = o.id ' +
      "WHERE l.discount < 0.05 GROUP BY o.order_date ORDER BY lines DESC, o.order_date LIMIT 5",
  },
  {
    name: 'top-orders',
    sql:
      'SELECT o.id, o.order_date, sum(l.qty * p.price) AS value FROM customer c, orders o, lineitem l, part p ' +
      "WHERE c.segment = 'BUILDING' AND o.customer_id = c.id AND l.order_id = o.id AND p.id = l.part_id AND o.order_date < DATE '1993-06-01' " +
      'GROUP BY o.id, o.order_date ORDER BY value DESC, o.id LIMIT 10',
  },
];

interface Figures {
  readonly loadSeconds: number;
  readonly point: ReadonlyMap<string, { readonly qps: number; readonly p50: number; readonly p99: number; readonly sample: string }>;
  /** Per analytic workload: wall time, and the server's CPU time (`cpuMs`, undefined where /proc is not readable). */
  readonly analytic: ReadonlyMap<string, { readonly meanMs: number; readonly cpuMs: number | undefined; readonly answer: string }>;
}

/**
 * The CPU time (user + system, ms) process `pid` has used, from /proc/<pid>/stat (Linux; clock
 * ticks of 10 ms), or undefined. On a machine shared with other work, wall time measures the load
 * as much as the query; the server's CPU time for the query does not.
 */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Waits (up to 60 s) until the server process uses under 5% of a core: after the load, rangedb
 * still resolves the loading transactions' intents asynchronously, and that work would be
 * charged to the first analytic query's CPU time. (PostgreSQL has nothing to wait for here.)
 */
async function quiet(pid: number | undefined, name: string): Promise<void> {
  if (pid === undefined) return;
  const start = nowMs();
  for (;;) {
    const before = processCpuMs(pid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = processCpuMs(pid);
    if (before === undefined || after === undefined || after - before < 50 || nowMs() - start > 60_000) break;
  }
  progress(`${name}: quiet after ${round((nowMs() - start) / 1000, 1)} s`);
}

const rowsText = (rows: readonly Record<string, unknown>[]): string => rows.map((row) => Object.values(row).map(String).join('|')).join('\n');

async function connect(target: Target): Promise<pg.Client> {
  const client = new pg.Client({ host: 'localhost', port: target.port, user: target.user, database: target.database });
  await client.connect();
  return client;
}

/** `serverPid`: the process whose CPU an analytic query costs (rangedb's node, PostgreSQL's backend) — null: ask PostgreSQL. */
async function measure(target: Target, serverPid: number | undefined | null): Promise<Figures> {
  const admin = await connect(target);
  try {
    progress(`${target.name}: creating the schema and loading scale ${scale} (${orders} orders, ${orders * linesPerOrder} line items)`);
    const loadStart = nowMs();
    for (const statement of [...schema, ...loadStatements()]) await admin.query(statement);
    await admin.query('ANALYZE');
    const loadSeconds = (nowMs() - loadStart) / 1000;
    progress(`${target.name}: loaded in ${round(loadSeconds, 1)} s`);

    const pid = serverPid === null ? ((await admin.query('SELECT pg_backend_pid() AS pid')).rows[0] as { pid: number }).pid : serverPid;
    await quiet(serverPid === null ? undefined : serverPid, target.name);
    const analytic = new Map<string, { meanMs: number; cpuMs: number | undefined; answer: string }>();
    for (const workload of analyticWorkloads) {
      const answer = rowsText((await admin.query(workload.sql)).rows); // warm-up, and the answer compared
      const times: number[] = [];
      const cpuBefore = processCpuMs(pid);
      for (let run = 0; run < analyticRuns; run++) {
        const start = nowMs();
        await admin.query(workload.sql);
        times.push(nowMs() - start);
      }
      const cpuAfter = processCpuMs(pid);
      const meanMs = times.reduce((a, b) => a + b, 0) / times.length;
      const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / analyticRuns;
      analytic.set(workload.name, { meanMs, cpuMs, answer });
      progress(`${target.name}: ${workload.name} ${round(meanMs, 1)} ms per query${cpuMs === undefined ? '' : `, server CPU ${round(cpuMs, 1)} ms`}`);
    }

    const point = new Map<string, { qps: number; p50: number; p99: number; sample: string }>();
    const connections = await Promise.all(Array.from({ length: clients }, () => connect(target)));
    try {
      for (const workload of pointWorkloads) {
        const prepared = { name: `bench_${workload.name.replace(/-/g, '_')}`, text: workload.sql };
        const sample = rowsText((await connections[0]!.query({ ...prepared, values: [workload.param(0, 0)] })).rows);
        const result = await closedLoop(clients, seconds, async (client, n) => {
          await connections[client]!.query({ ...prepared, values: [workload.param(client, n)] });
          return 1;
        });
        point.set(workload.name, { qps: result.operationsPerSecond, p50: percentile(result.latenciesMs, 50), p99: percentile(result.latenciesMs, 99), sample });
        progress(`${target.name}: ${workload.name} ${round(result.operationsPerSecond, 1)} queries/s, p50 ${round(percentile(result.latenciesMs, 50), 2)} ms`);
      }
    } finally {
      await Promise.all(connections.map((connection) => connection.end()));
    }
    return { loadSeconds, point, analytic };
  } finally {
    await admin.end();
  }
}

async function measurePostgres(): Promise<Figures> {
  const server = await ReferencePostgres.start({ maxConnections: clients + 20 });
  try {
    return await measure(server.target, null);
  } finally {
    server.stopSync();
  }
}

async function measureRangedb(): Promise<Figures> {
  const server = await RangedbServer.start({ cpuProfDir });
  try {
    return await measure(server.target, server.pid);
  } finally {
    await server.stop();
  }
}

function compare(ours: Figures, reference: Figures): void {
  const mismatches: string[] = [];
  for (const [name, figures] of ours.analytic) {
    const theirs = reference.analytic.get(name);
    if (theirs !== undefined && theirs.answer !== figures.answer) mismatches.push(`${name}:\nrangedb:\n${figures.answer}\nPostgreSQL:\n${theirs.answer}`);
  }
  for (const [name, figures] of ours.point) {
    const theirs = reference.point.get(name);
    if (theirs !== undefined && theirs.sample !== figures.sample) mismatches.push(`${name} (first query):\nrangedb:\n${figures.sample}\nPostgreSQL:\n${theirs.sample}`);
  }
  if (mismatches.length > 0) throw new Error(`rangedb and PostgreSQL disagree:\n${mismatches.join('\n')}`);
}

function reportAll(ours: Figures, reference: Figures): void {
  for (const workload of pointWorkloads) {
    const mine = ours.point.get(workload.name);
    const theirs = reference.point.get(workload.name);
    report({
      bench: 'joins',
      metric: `${workload.name}: prepared join queries per second, ${clients} clients; reference: PostgreSQL 15`,
      unit: 'queries/s',
      value: mine?.qps ?? 0,
      reference: theirs?.qps ?? 0,
      extra: { p50Ms: mine?.p50 ?? 0, p99Ms: mine?.p99 ?? 0, referenceP50Ms: theirs?.p50 ?? 0, referenceP99Ms: theirs?.p99 ?? 0 },
    });
  }
  for (const workload of analyticWorkloads) {
    const mine = ours.analytic.get(workload.name);
    const theirs = reference.analytic.get(workload.name);
    report({
      bench: 'joins',
      metric: `${workload.name}: whole-table join queries per second, 1 client; reference: PostgreSQL 15`,
      unit: 'queries/s',
      value: mine === undefined ? 0 : 1000 / mine.meanMs,
      reference: theirs === undefined ? 0 : 1000 / theirs.meanMs,
      extra: { meanMs: mine?.meanMs ?? 0, referenceMeanMs: theirs?.meanMs ?? 0, cpuMs: mine?.cpuMs ?? 0, referenceCpuMs: theirs?.cpuMs ?? 0 },
    });
  }
  report({ bench: 'joins', metric: `load of scale ${scale} by INSERT … SELECT; reference: PostgreSQL 15 (ratio > 1: rangedb slower)`, unit: 's', value: ours.loadSeconds, reference: reference.loadSeconds });
}

const none: Figures = { loadSeconds: 0, point: new Map(), analytic: new Map() };

async function main(): Promise<void> {
  if (!['both', 'postgres', 'rangedb'].includes(only)) throw new Error('--only must be both, postgres or rangedb');
  progress(`joins: scale ${scale}, ${clients} clients, ${seconds} s per point workload, ${analyticRuns} analytic runs; PostgreSQL 15 then rangedb`);
  const reference = only === 'rangedb' ? none : await measurePostgres();
  const ours = only === 'postgres' ? none : await measureRangedb();
  if (only === 'both') compare(ours, reference);
  reportAll(ours, reference);
}

try {
  await main();
} catch (error) {
  progress(`joins failed: ${error instanceof Error ? error.message : String(error)}`);
  cleanUp();
  process.exitCode = 1;
}
