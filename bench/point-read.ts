/**
 * `npm run bench -- point-read [--store=PATH [--accounts=100000]] [--frames=4096] [--queries=20000] [--rows=10000]`: the cost of
 * pgbench's select-only transaction inside the server, with no socket and no client competing
 * for the CPU — counts that stay put on a busy machine where throughput does not.
 *
 * One `Connection` is driven in process with the frames pgbench -S -M prepared sends per
 * transaction (Bind, Describe portal, Execute, Sync of a prepared
 * `SELECT abalance FROM pgbench_accounts WHERE aid = $1`), against a node's store: `--store` (a
 * copy of a store `pgbench -i` initialised; the bench reads it only) or a new one with `--rows`
 * accounts. Reported: CPU µs per query (the process's user + system time, GC threads included),
 * and per query the promises made (async_hooks) and the bytes allocated in V8's young
 * generation (sampled between collections). Reference: none (0) — compare runs of two builds.
 */
import { createHook } from 'node:async_hooks';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { serialize } from 'pg-protocol';
import { createLogger } from '../src/base/logger.js';
import { realEnv } from '../src/env/real.js';
import { openSqlSessions, RangedbNode } from '../src/node/node.js';
import { Connection } from '../sql/session/connection.js';
import { benchDir, flag, nowMs, progress, report } from './_report.js';

const queries = flag('queries', 20_000);
const rows = flag('rows', 10_000);
/** Accounts read at random in a `--store` (scale 10 has 1,000,000: its blocks outgrow LevelDB's block cache). */
const storeAccounts = flag('accounts', 100_000);
/** Distinct accounts read (one prepared frame each): beyond the block cache, the reads miss it as pgbench's do. */
const framesCount = flag('frames', 4_096);
const storeArg = process.argv.find((arg) => arg.startsWith('--store='))?.slice('--store='.length);
const selectText = 'SELECT abalance FROM pgbench_accounts WHERE aid = $1';

let written: Buffer[] = [];

async function main(): Promise<void> {
  const env = realEnv({ logger: createLogger({ level: 'warn', pretty: false }) });
  const node = await RangedbNode.start(env, { storePath: storeArg ?? benchDir('point-read') });
  const connection = new Connection(
    {
      session: await openSqlSessions(env, node.kv),
      random: env.random,
      authenticate: () => ({ kind: 'trust' }),
      onCancel: () => undefined,
      onInternalError: (error) => {
        throw error;
      },
    },
    { write: (bytes) => void written.push(Buffer.from(bytes)), close: () => undefined },
  );
  await connection.receive(serialize.startup({ user: 'root', database: 'defaultdb' }));
  let accounts = rows;
  if (storeArg === undefined) {
    progress(`loading ${rows} accounts`);
    await expectOk(connection, serialize.query(`CREATE TABLE pgbench_accounts (aid INT PRIMARY KEY, bid INT, abalance INT, filler CHAR(84))`));
    // In small transactions: each commits in one phase (one range), leaving no intents to resolve while measuring.
    for (let first = 1; first <= rows; first += 500) {
      const last = Math.min(rows, first + 499);
      await expectOk(connection, serialize.query(`INSERT INTO pgbench_accounts SELECT i, 1, 0, '' FROM generate_series(${first}, ${last}) AS i`));
    }
  } else accounts = storeAccounts; // scale 1 at least by default: any pgbench store has these
  await expectOk(connection, Buffer.concat([serialize.parse({ name: 'P0_1', text: selectText, types: [0] }), serialize.sync()]));
  // pgbench's frames for random accounts, made before the measurement.
  let seed = 12345;
  const frames = Array.from({ length: framesCount }, () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fff_ffff;
    return Buffer.concat([serialize.bind({ statement: 'P0_1', values: [String(1 + (seed % accounts))] }), serialize.describe({ type: 'P' }), serialize.execute(), serialize.sync()]);
  });
  const run = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) await connection.receive(frames[i % frames.length]!);
  };
  await run(3_000); // warm-up (and the plan cached)
  if (!Buffer.concat(written).includes('SELECT 1')) throw new Error('the point read returned no row');
  written = [];

  const cpuBefore = process.cpuUsage();
  const start = nowMs();
  await run(queries);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = nowMs() - start;
  written = [];
  const promises = await countPromises(() => run(1_000));
  const youngBytes = await youngBytesPerQuery(run);
  await connection.close();
  await node.stop();
  report({
    bench: 'point-read',
    metric: 'CPU per select-only query in process',
    unit: 'µs',
    value: (cpu.user + cpu.system) / queries,
    reference: 0,
    extra: { wallUsPerQuery: (wallMs * 1000) / queries, promisesPerQuery: promises / 1_000, youngBytesPerQuery: youngBytes },
  });
}

/** Runs a statement and checks it was answered without an ErrorResponse. */
async function expectOk(connection: Connection, frame: Uint8Array): Promise<void> {
  written = [];
  await connection.receive(frame);
  const output = Buffer.concat(written);
  if (output[0] === 0x45) throw new Error(`setup failed: ${output.toString('latin1')}`);
}

async function countPromises(work: () => Promise<void>): Promise<number> {
  let count = 0;
  let counting = false;
  const hook = createHook({
    init: (_id, type) => {
      if (counting && type === 'PROMISE') count++;
    },
  }).enable();
  counting = true;
  await work();
  counting = false;
  hook.disable();
  return count;
}

/** Young-generation bytes per query: the median of 200-query samples during which no collection ran. */
async function youngBytesPerQuery(run: (count: number) => Promise<void>): Promise<number> {
  let collections = 0;
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
  observer.observe({ entryTypes: ['gc'] });
  const newSpaceUsed = (): number => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_used_size;
  const samples: number[] = [];
  for (let round = 0; round < 40; round++) {
    await settle();
    const before = collections;
    const used = newSpaceUsed();
    await run(200);
    const grown = newSpaceUsed() - used;
    await settle();
    if (collections === before && grown > 0) samples.push(grown / 200);
  }
  observer.disconnect();
  samples.sort((a, b) => a - b);
  return samples.length === 0 ? 0 : samples[samples.length >> 1]!;
}

/** Lets pending GC notifications arrive (they come a few milliseconds late). */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

await main();
