/**
 * A SQL engine over a real single-node KV store (openKv + MemoryEngine) for golden scripts:
 * statements are parsed with `parse` and run through `SqlEngine.prepare` + `run` inside
 * `runTxn` (one implicit transaction per statement, or one for a whole `txn` block), the way the
 * session will run them. Output is PostgreSQL-like: column names, rows (NULL as `NULL`), the tag,
 * notices, and errors as `ERROR <SQLSTATE>: message` with their DETAIL.
 */
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { storeRangeStatus } from '../../../src/node/sql-engine.js';
import { runTxn, Txn, type TxnOptions } from '../../../txn/index.js';
import { createSqlEngine } from '../../../sql/exec/index.js';
import type { SessionSettings, SqlEngine, SqlEngineDeps, StatementResult } from '../../../sql/exec/index.js';
import { loadParser, parse, type Statement } from '../../../sql/parser/index.js';
import { formatText, timeZoneFromSetting, type Datum } from '../../../sql/types/index.js';

export interface SqlWorld {
  readonly kv: Kv;
  readonly engine: SqlEngine;
  readonly settings: SessionSettings;
  close(): Promise<void>;
}

export function settings(database = 'defaultdb'): SessionSettings {
  const all = new Map([
    ['database', database],
    ['search_path', '"$user", public'],
    ['timezone', 'UTC'],
    ['application_name', ''],
    ['datestyle', 'ISO, MDY'],
    ['intervalstyle', 'postgres'],
    ['extra_float_digits', '1'],
    ['server_version', '15.0'],
  ]);
  return { database, searchPath: ['"$user"', 'public'], user: 'root', applicationName: '', timeZone: 'UTC', dateStyle: 'ISO, MDY', intervalStyle: 'postgres', extraFloatDigits: 1, all };
}

/** The same world with some session variables set (`{ distsql_workmem: '64KiB' }`). */
export function withVariables(world: SqlWorld, variables: Readonly<Record<string, string>>): SqlWorld {
  const tight = settings(world.settings.database);
  for (const [name, value] of Object.entries(variables)) (tight.all as Map<string, string>).set(name, value);
  return { ...world, settings: tight };
}

/** `engineOptions`: what a test sets of the engine's options (the catalog lease: `catalogLeaseNanos`). */
export async function openSqlWorld(engineOptions: Pick<SqlEngineDeps, 'catalogLeaseNanos'> = {}): Promise<SqlWorld> {
  await loadParser();
  const kv = await openKv({ engine: new MemoryEngine(), env: realEnv({ logger: silentLogger() }) });
  const engine = createSqlEngine({ db: kv.sender, txnDeps: kv.txnDeps, logger: silentLogger(), ranges: storeRangeStatus(kv.store), ...engineOptions });
  await runTxn(kv.sender, kv.txnDeps, (txn) => engine.bootstrap(txn));
  return { kv, engine, settings: settings(), close: () => kv.close() };
}

const cancel = { throwIfCancelled: (): void => undefined };

function formatRow(result: StatementResult, row: readonly Datum[]): string {
  return row.map((value, index) => (value === null ? 'NULL' : formatText(result.columns![index]!.type, value, { timeZone: timeZoneFromSetting('UTC') }))).join(' | ');
}

async function runOne(world: SqlWorld, txn: Txn, statement: Statement, params: readonly Datum[], out: string[], afterCommit: (() => Promise<void>)[]): Promise<void> {
  const prepared = await world.engine.prepare(statement, { txn, settings: world.settings, paramTypeHints: [] });
  const result = await prepared.run({ txn, settings: world.settings, params, cancel });
  const lines: string[] = [];
  if (result.columns !== undefined) lines.push(result.columns.map((column) => column.name).join(' | '));
  for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next()) lines.push(formatRow(result, next.value));
  for (const notice of result.notices) out.push(`NOTICE: ${notice.message}`, ...(notice.detail === undefined ? [] : [`DETAIL: ${notice.detail}`]));
  out.push(...lines, result.tag());
  if (result.afterCommit !== undefined) afterCommit.push(result.afterCommit);
}

function formatError(error: unknown): string {
  const e = error as { sqlState?: string; message?: string; detail?: string };
  if (e.sqlState === undefined || e.sqlState === 'XX000') throw error;
  return `ERROR ${e.sqlState}: ${e.message}${e.detail === undefined ? '' : `\nDETAIL: ${e.detail}`}`;
}

/** Runs each statement of `sql` in its own transaction (or all in one with `oneTxn`); the output lines. */
export async function runSql(world: SqlWorld, sql: string, options: { oneTxn?: boolean; params?: readonly Datum[] } = {}): Promise<string> {
  const out: string[] = [];
  let statements: Statement[];
  try {
    statements = parse(sql);
  } catch (error) {
    return formatError(error);
  }
  const params = options.params ?? [];
  if (options.oneTxn === true) {
    const afterCommit: (() => Promise<void>)[] = [];
    try {
      await runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
        out.length = 0;
        for (const statement of statements) await runOne(world, txn, statement, params, out, afterCommit);
      });
      for (const work of afterCommit) await work();
    } catch (error) {
      out.push(formatError(error));
    }
    return out.join('\n');
  }
  for (const statement of statements) {
    const afterCommit: (() => Promise<void>)[] = [];
    const lines: string[] = [];
    try {
      await runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
        lines.length = 0;
        await runOne(world, txn, statement, params, lines, afterCommit);
      });
      for (const work of afterCommit) await work();
      out.push(...lines);
    } catch (error) {
      out.push(formatError(error));
    }
  }
  return out.join('\n');
}

/** Runs one statement in `txn` (left open); its first row's values as text. */
export async function firstRowInTxn(world: SqlWorld, txn: Txn, text: string): Promise<string[]> {
  const prepared = await world.engine.prepare(parse(text)[0]!, { txn, settings: world.settings, paramTypeHints: [] });
  const result = await prepared.run({ txn, settings: world.settings, params: [], cancel: { throwIfCancelled: () => undefined } });
  const rows: string[][] = [];
  for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next()) rows.push(next.value.map(String));
  return rows[0]!;
}

/**
 * Runs one statement in its own transaction and commits it, without running its post-commit
 * work: returns its tag and that work (undefined if none), for a test to start when it wants.
 */
export async function runHoldingAfterCommit(world: SqlWorld, text: string): Promise<{ readonly tag: string; readonly afterCommit: (() => Promise<void>) | undefined }> {
  let outcome: { tag: string; afterCommit: (() => Promise<void>) | undefined } = { tag: '', afterCommit: undefined };
  await runTxn(world.kv.sender, world.kv.txnDeps, async (txn) => {
    const prepared = await world.engine.prepare(parse(text)[0]!, { txn, settings: world.settings, paramTypeHints: [] });
    const result = await prepared.run({ txn, settings: world.settings, params: [], cancel: { throwIfCancelled: () => undefined } });
    for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next());
    outcome = { tag: result.tag(), afterCommit: result.afterCommit };
  });
  return outcome;
}

/** Runs one statement in `txn` (left open); its rows. */
export async function execRows(world: SqlWorld, txn: Txn, sql: string): Promise<Datum[][]> {
  const prepared = await world.engine.prepare(parse(sql)[0]!, { txn, settings: world.settings, paramTypeHints: [] });
  const result = await prepared.run({ txn, settings: world.settings, params: [], cancel: { throwIfCancelled: () => undefined } });
  const rows: Datum[][] = [];
  for (let next = await result.rows.next(); next.done !== true; next = await result.rows.next()) rows.push([...next.value]);
  return rows;
}

/**
 * A transaction as SQL sessions run them: one shared priority (see sql/session), so a waiter
 * never aborts the holder, and the write buffer's `locked` policy (src/node/node.ts), so the
 * writes of rows an UPDATE locked ride with the next write or the commit.
 */
export const sqlTxn = (world: SqlWorld, options: TxnOptions = {}): Txn => new Txn(world.kv.sender, { ...world.kv.txnDeps, writeBufferPolicy: 'locked' }, { priority: 1000, ...options });
