/**
 * `npm run bench -- pgbench [--scale=10] [--clients=8] [--jobs=2] [--seconds=60]
 *   [--only=both|postgres|rangedb] [--cpu-prof-dir=DIR] [--settle-seconds-max=600]`:
 * PostgreSQL's own benchmark client against PostgreSQL 15 and against rangedb on this machine.
 *
 * Reference: PostgreSQL 15 started by this script in a temp folder (initdb, then `pg_ctl start`
 * with fsync=on and synchronous_commit=on — durable commits, as rangedb's are; as root both run
 * through `runuser -u postgres --`), listening on a free localhost port with its socket in the
 * temp folder. Ours: `node dist/src/cli/main.js start-single-node` on a temp store and a free
 * port (a separate process, as a user runs it, so pgbench and the server do not share an event
 * loop). `--cpu-prof-dir` starts it under `node --cpu-prof` and leaves the profile there.
 *
 * On each server, one after the other (the other one stopped): `pgbench -i -s SCALE` (timed:
 * create tables, client-side COPY of 100k·SCALE accounts, ADD PRIMARY KEY), then
 * `pgbench -c C -j J -T S -M prepared` (TPC-B, sort of) and `pgbench -S …` (select-only), both
 * over TCP. From each run: tps (successful transactions only, as pgbench counts them), latency
 * average (failures included) and failed transactions. pgbench 15 counts a serialization failure
 * (40001) as a failed transaction and goes on; any other error aborts the client, which shows as a
 * non-zero exit and is reported as such, never hidden.
 *
 * After rangedb's `pgbench -i` returns, the node still resolves the load's intents (the COPY's
 * and the ADD PRIMARY KEY's transactions commit before their intents are rewritten, asynchronously;
 * a read that meets one pushes its transaction first). The bench waits until the node's process
 * is idle (under a tenth of a core for two seconds, at most `--settle-seconds-max`), and reports
 * that time as its own figure, so the runs measure the steady state — as PostgreSQL's are measured
 * after `pgbench -i`'s VACUUM.
 *
 * The ceiling (on by default, `--proxy-ceiling=0` skips it): with PostgreSQL still loaded, the
 * select-only run again through a bare Node TCP proxy (bench/tcp-proxy.ts, its own process), the
 * most any single-event-loop server in front of the same work could reach on this machine.
 *
 * JSON lines (bench/_report.ts): tps for TPC-B and select-only with ratio rangedb/PostgreSQL,
 * latency averages (ratio > 1 means rangedb is slower), failed transactions, and init seconds.
 * Both servers are stopped on the way out, on failure and on Ctrl-C too.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { flag, nowMs, progress, report, round } from './_report.js';
import { cleanUp, cleanups, freePort, RangedbServer, ReferencePostgres, waitForPort, type Target } from './_servers.js';

const scale = flag('scale', 10);
const clients = flag('clients', 8);
const jobs = flag('jobs', 2);
const seconds = flag('seconds', 60);
const only = stringFlag('only') ?? 'both';
const cpuProfDir = stringFlag('cpu-prof-dir');
const settleSecondsMax = flag('settle-seconds-max', 600);
const proxyCeiling = flag('proxy-ceiling', 1) !== 0;

function stringFlag(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

/** What pgbench printed for one run. */
interface PgbenchRun {
  readonly tps: number;
  readonly latencyAvgMs: number;
  readonly processed: number;
  readonly failed: number;
  /** pgbench's exit status: non-zero when a client aborted on an error it does not retry. */
  readonly exitCode: number;
  readonly aborted: string | undefined;
}

/** One server's figures. */
interface ServerFigures {
  readonly initSeconds: number;
  /** How long the server kept working after `pgbench -i` returned (rangedb only; see the file comment). */
  readonly settleSeconds: number;
  readonly tpcb: PgbenchRun;
  readonly selectOnly: PgbenchRun;
}


async function pgbench(target: Target, args: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const connection = ['-h', 'localhost', '-p', String(target.port), '-U', target.user];
  const child = spawn('pgbench', [...connection, ...args, target.database], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const line of chunk.split('\n')) if (/^progress:|aborted|error/i.test(line)) progress(`  ${target.name}: ${line.trim()}`);
  });
  const code = await new Promise<number>((resolve) => child.once('close', (status) => resolve(status ?? 1)));
  return { stdout, stderr, code };
}

function numberAfter(text: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(text);
  return match === null ? undefined : Number(match[1]);
}

function parseRun(output: { stdout: string; stderr: string; code: number }): PgbenchRun {
  const text = output.stdout;
  const tps = numberAfter(text, /^tps = ([\d.]+)/m);
  const latencyAvgMs = numberAfter(text, /^latency average = ([\d.]+) ms/m);
  const processed = numberAfter(text, /^number of transactions actually processed: (\d+)/m);
  const failed = numberAfter(text, /^number of failed transactions: (\d+)/m) ?? 0;
  const abortLine = /^.*(aborted|Run was aborted).*$/im.exec(`${output.stderr}\n${text}`);
  if (tps === undefined || processed === undefined) {
    throw new Error(`pgbench gave no result (exit ${output.code}):\n${output.stderr.slice(-2000)}\n${text.slice(-2000)}`);
  }
  return { tps, latencyAvgMs: latencyAvgMs ?? 0, processed, failed, exitCode: output.code, aborted: abortLine?.[0] };
}

function describe(target: Target, kind: string, run: PgbenchRun): string {
  const failedPercent = run.processed + run.failed === 0 ? 0 : (100 * run.failed) / (run.processed + run.failed);
  const aborted = run.exitCode === 0 ? '' : `, pgbench exit ${run.exitCode}${run.aborted === undefined ? '' : ` (${run.aborted.trim()})`}`;
  return `${target.name} ${kind}: ${round(run.tps)} tps, latency avg ${round(run.latencyAvgMs, 2)} ms, ${run.processed} committed, ${run.failed} failed (${round(failedPercent)}%)${aborted}`;
}

/** Seconds of CPU (user + system) the process `pid` has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
}

/** Waits until `pid` uses under a tenth of a core over two seconds; the seconds waited. */
async function settle(target: Target, pid: number | undefined): Promise<number> {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return 0;
  const start = nowMs();
  let previous = cpuSeconds(pid);
  while ((nowMs() - start) / 1000 < settleSecondsMax) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const used = cpuSeconds(pid);
    if (used - previous < 0.2) break;
    progress(`${target.name}: settling after the load (${round(used - previous, 2)} CPU s in the last 2 s)`);
    previous = used;
  }
  return (nowMs() - start) / 1000;
}

/** pgbench's run arguments: clients, threads, duration, prepared statements, progress lines. */
function runArgs(): string[] {
  return ['-c', String(clients), '-j', String(jobs), '-T', String(seconds), '-M', 'prepared', '-P', String(Math.max(1, Math.min(10, Math.floor(seconds / 6))))];
}

/** Select-only through a bare Node TCP proxy in front of `target` (see the file comment). */
async function measureThroughProxy(target: Target): Promise<PgbenchRun> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/bench/tcp-proxy.js', `--listen=${port}`, `--target=${target.port}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  cleanups.push(() => child.kill('SIGKILL'));
  try {
    await waitForPort(port, 10_000, () => !exited);
    const proxied: Target = { ...target, name: 'Node TCP proxy -> PostgreSQL', port };
    progress(`${proxied.name}: select-only, ${clients} clients, ${jobs} threads, ${seconds} s, prepared`);
    const run = parseRun(await pgbench(proxied, ['-S', ...runArgs()]));
    progress(describe(proxied, 'select-only', run));
    return run;
  } finally {
    child.kill('SIGKILL');
  }
}

async function measure(target: Target, pid?: number): Promise<ServerFigures> {
  progress(`${target.name}: pgbench -i -s ${scale}`);
  const initStart = nowMs();
  const init = await pgbench(target, ['-i', '-s', String(scale)]);
  const initSeconds = (nowMs() - initStart) / 1000;
  if (init.code !== 0) throw new Error(`${target.name}: pgbench -i failed (exit ${init.code}):\n${init.stderr.slice(-3000)}`);
  const phases = /^done in .*$/m.exec(init.stderr)?.[0] ?? '';
  progress(`${target.name}: initialised in ${round(initSeconds, 2)} s ${phases}`);
  const settleSeconds = await settle(target, pid);
  if (pid !== undefined) progress(`${target.name}: idle ${round(settleSeconds, 1)} s after pgbench -i returned`);
  progress(`${target.name}: TPC-B, ${clients} clients, ${jobs} threads, ${seconds} s, prepared`);
  const tpcb = parseRun(await pgbench(target, runArgs()));
  progress(describe(target, 'TPC-B', tpcb));
  progress(`${target.name}: select-only, ${clients} clients, ${jobs} threads, ${seconds} s, prepared`);
  const selectOnly = parseRun(await pgbench(target, ['-S', ...runArgs()]));
  progress(describe(target, 'select-only', selectOnly));
  return { initSeconds, settleSeconds, tpcb, selectOnly };
}

async function measurePostgres(): Promise<{ figures: ServerFigures; proxied: PgbenchRun | undefined }> {
  const pg = await ReferencePostgres.start({ maxConnections: clients + 20 });
  try {
    const figures = await measure(pg.target);
    const proxied = proxyCeiling ? await measureThroughProxy(pg.target) : undefined;
    return { figures, proxied };
  } finally {
    pg.stopSync();
  }
}

async function measureRangedb(): Promise<ServerFigures> {
  const server = await RangedbServer.start({ cpuProfDir });
  try {
    return await measure(server.target, server.pid);
  } finally {
    await server.stop();
  }
}

const none: ServerFigures = {
  initSeconds: 0,
  settleSeconds: 0,
  tpcb: { tps: 0, latencyAvgMs: 0, processed: 0, failed: 0, exitCode: 0, aborted: undefined },
  selectOnly: { tps: 0, latencyAvgMs: 0, processed: 0, failed: 0, exitCode: 0, aborted: undefined },
};

function reportAll(ours: ServerFigures, reference: ServerFigures, proxied: PgbenchRun | undefined): void {
  const setup = `scale ${scale}, ${clients} clients, ${jobs} threads, ${seconds} s, -M prepared`;
  const runs = [
    ['TPC-B', ours.tpcb, reference.tpcb],
    ['select-only', ours.selectOnly, reference.selectOnly],
  ] as const;
  for (const [kind, run, ref] of runs) {
    report({
      bench: 'pgbench',
      metric: `${kind} tps (${setup}); reference: PostgreSQL 15, fsync and synchronous_commit on`,
      unit: 'tps',
      value: run.tps,
      reference: ref.tps,
      extra: { failed: run.failed, referenceFailed: ref.failed, pgbenchExitCode: run.exitCode },
    });
  }
  for (const [kind, run, ref] of runs) {
    report({ bench: 'pgbench', metric: `${kind} latency average, failures included (${setup}); reference: PostgreSQL 15`, unit: 'ms', value: run.latencyAvgMs, reference: ref.latencyAvgMs });
  }
  for (const [kind, run, ref] of runs) {
    const attempts = run.processed + run.failed;
    report({
      bench: 'pgbench',
      metric: `${kind} failed transactions (serialization failures and others pgbench does not retry) (${setup}); reference: PostgreSQL 15`,
      unit: 'transactions',
      value: run.failed,
      reference: ref.failed,
      extra: { failedPercent: attempts === 0 ? 0 : (100 * run.failed) / attempts },
    });
  }
  if (proxied !== undefined) {
    report({
      bench: 'pgbench',
      metric: `select-only tps through a bare Node TCP proxy in front of PostgreSQL: the ceiling of a one-event-loop server (${setup}); reference: PostgreSQL 15 direct`,
      unit: 'tps',
      value: proxied.tps,
      reference: reference.selectOnly.tps,
    });
    if (only !== 'postgres') report({ bench: 'pgbench', metric: `select-only tps, rangedb against that ceiling (${setup}); reference: the Node TCP proxy`, unit: 'tps', value: ours.selectOnly.tps, reference: proxied.tps });
  }
  report({ bench: 'pgbench', metric: `pgbench -i -s ${scale} (create, client-side COPY, primary keys); reference: PostgreSQL 15`, unit: 's', value: ours.initSeconds, reference: reference.initSeconds });
  report({ bench: 'pgbench', metric: `rangedb busy after pgbench -i -s ${scale} returned (asynchronous intent resolution; waited before the runs); reference: none`, unit: 's', value: ours.settleSeconds, reference: 0 });
}

async function main(): Promise<void> {
  if (!['both', 'postgres', 'rangedb'].includes(only)) throw new Error('--only must be both, postgres or rangedb');
  progress(`pgbench: scale ${scale}, ${clients} clients, ${jobs} threads, ${seconds} s per run, PostgreSQL 15 then rangedb`);
  const { figures: reference, proxied } = only === 'rangedb' ? { figures: none, proxied: undefined } : await measurePostgres();
  const ours = only === 'postgres' ? none : await measureRangedb();
  reportAll(ours, reference, proxied);
}

try {
  await main();
} catch (error) {
  progress(`pgbench failed: ${error instanceof Error ? error.message : String(error)}`);
  cleanUp();
  process.exitCode = 1;
}
