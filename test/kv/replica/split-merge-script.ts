/**
 * The interpreter of the split and merge scripts in testdata/: a real `Store` assembled by
 * `openKv` on a `MemoryEngine`, driven by commands, on virtual time. State carries over between
 * the `run` blocks of a file.
 *
 *   put k=a v=1                  a transaction (runTxn) writing one key
 *   get k=a | scan from=a to=z   a transaction reading
 *   split at=a                   kv.split: the range holding the key, at the key
 *   merge at=a                   kv.merge: the range holding the key with its right neighbour
 *   ranges                       meta2's descriptors, then every replica of the store: its span,
 *                                generation, lease sequence and stats — and whether those stats
 *                                equal the ones recomputed from the engine over its span
 *   restart                      closes the Store and opens a new one on the same engine (virtual
 *                                time moves while the new one waits out the max clock offset)
 *   txn name=A [priority=N]      an explicit Txn; txn-put name=A k= v=, txn-get name=A k=,
 *                                txn-commit name=A, txn-rollback name=A
 *   gateway name=g               a second DistSender with its own, empty RangeCache, whose
 *                                meta lookups and sends are printed; gw-put name=g k= v=,
 *                                gw-get name=g k=, gw-scan name=g from= to=
 *   txn-record name=A            the transaction's record: where its anchor is, and its status
 *   advance ms=N                 moves virtual time (Raft ticks, heartbeats, lock-wait pushes)
 *   async id=X <command>         starts a command that may block (on a lock, a latch) and goes on;
 *                                check id=X says whether it settled; await id=X waits for it and
 *                                prints its output
 *
 * Keys: a word `a` is the table key /Table/100/1/"a"; `meta2:a` is its meta2 key. A typed
 * error prints as `error: <command>: <class>: <message>` and the block goes on; any other error
 * (an assertion) fails the test.
 *
 * Determinism (output is byte-for-byte stable): the clock is a `ManualClock` that moves only on
 * `advance`; timers are `FakeTimers` on it, so nothing fires unless a script says so; ids,
 * priorities and Raft's election jitter come from a `SeededRandom`. Each command is awaited by
 * turning the event loop (`flush`) a bounded number of times — a command that does not settle is
 * reported as a hang, not left to the test's timeout.
 */
import { ManualClock } from '../../../clock/manual.js';
import {
  meta2Key,
  compareKeys,
  keysEqual,
  localMax,
  prettyKey,
  tableKey,
  textValue,
  type BatchRequest,
  type RangeDescriptor,
  type Sender,
} from '../../../kv/api/index.js';
import { DistSender, RangeCache } from '../../../kv/client/index.js';
import type { Replica } from '../../../kv/replica/replica.js';
import { readTxnRecord } from '../../../kv/eval/txn-record.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { computeStats, type MvccStats } from '../../../kv/storage/mvcc/index.js';
import { assert } from '../../../src/base/assert.js';
import { RangedbError } from '../../../src/base/errors.js';
import { silentLogger } from '../../../src/base/logger.js';
import type { Disk, Env } from '../../../src/env/env.js';
import { SeededRandom } from '../../../src/env/random.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { runTxn, Txn } from '../../../txn/index.js';
import { parseCommand, type Command, type TestCase } from '../../support/datadriven.js';
import { FakeTimers, flush } from '../../txn/harness.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Event-loop turns a command may take before it is reported as a hang. */
const commandTurnsMax = 5_000;

/** Virtual time moves in steps of this while a `restart` opens the new store, up to the max. */
const restartStepMs = 100;
const restartMsMax = 10_000;

/** `a` → /Table/100/1/"a"; `meta2:a` → /Meta2/Table/100/1/"a". */
export function scriptKey(text: string): Uint8Array {
  if (text.startsWith('meta2:')) return meta2Key(scriptKey(text.slice('meta2:'.length)));
  return tableKey(100, 1, [textValue(text)]);
}

/** The disk is the engine's business here: openKv must not touch it. */
const noDisk: Disk = {
  mkdirs: () => Promise.reject(new Error('no disk in the split-merge scripts')),
  exists: () => Promise.reject(new Error('no disk in the split-merge scripts')),
  readFile: () => Promise.reject(new Error('no disk in the split-merge scripts')),
  writeFileAtomic: () => Promise.reject(new Error('no disk in the split-merge scripts')),
  remove: () => Promise.reject(new Error('no disk in the split-merge scripts')),
};

function formatSpan(desc: RangeDescriptor): string {
  return `r${desc.rangeId} [${prettyKey(desc.startKey)}, ${prettyKey(desc.endKey)}) gen=${desc.generation}`;
}

function kinds(batch: BatchRequest): string {
  return `[${batch.requests.map((r) => r.kind).join(',')}]`;
}

function formatStats(stats: Readonly<MvccStats>): string {
  return `live=${stats.liveCount}/${stats.liveBytes}B keys=${stats.keyCount} intents=${stats.intentCount}`;
}

/** A gateway: its own DistSender and RangeCache over the current store, printing what it does. */
interface Gateway {
  readonly sender: Sender;
  readonly log: string[];
}

/** A command started by `async`, its output held until `await`. */
interface PendingCommand {
  readonly cmd: Command;
  readonly running: Promise<void>;
  readonly output: string[];
  readonly settled: () => boolean;
}

export class SplitMergeScript {
  private readonly engine = new MemoryEngine();
  private readonly manual = new ManualClock(1_000_000_000_000n);
  private readonly timers = new FakeTimers(this.manual);
  private readonly env: Env = {
    clock: { nowNanos: () => this.manual.nowNanos(), monotonicNanos: () => this.manual.nowNanos() },
    timers: this.timers,
    random: new SeededRandom(42),
    disk: noDisk,
    logger: silentLogger(),
  };
  private kv: Kv | undefined;
  private readonly txns = new Map<string, Txn>();
  private readonly gateways = new Map<string, Gateway>();
  private readonly pending = new Map<string, PendingCommand>();

  async runCase(testCase: TestCase): Promise<string> {
    assert(testCase.directive === 'run', `unknown directive ${testCase.directive}`);
    this.kv ??= await this.settle(openKv({ engine: this.engine, env: this.env }), 'openKv');
    const out: string[] = [];
    for (const line of testCase.input) {
      const cmd = parseCommand(line);
      if (cmd.name === 'async') this.startAsync(cmd, out);
      else if (cmd.name === 'await') await this.awaitAsync(cmd, out);
      else await this.runAndPrint(cmd, this.settle(this.run(cmd, out), line), out);
      await flush(); // asynchronous intent resolution and the like finish before the next command
    }
    return out.join('\n');
  }

  /** Awaits a command, printing a typed error as its output. */
  private async runAndPrint(cmd: Command, running: Promise<void>, out: string[]): Promise<void> {
    try {
      await running;
    } catch (error) {
      if (!(error instanceof RangedbError)) throw error;
      out.push(`error: ${cmd.name}: ${error.name}: ${error.message}`);
    }
  }

  /** `async id=X <command>`: starts the command and goes on; its output waits for `await id=X`. */
  private startAsync(cmd: Command, out: string[]): void {
    const id = this.arg(cmd, 'id');
    assert(!this.pending.has(id), `async ${id} exists`);
    const inner = parseCommand(cmd.text.replace(/^async\s+id=\S+\s+/, ''));
    const output: string[] = [];
    let settled = false;
    const running = this.run(inner, output).finally(() => {
      settled = true;
    });
    running.catch(() => undefined);
    this.pending.set(id, { cmd: inner, running, output, settled: () => settled });
    out.push(`${id}: started ${inner.text}`);
  }

  /** `await id=X`: waits for an async command (a hang if it does not settle) and prints its output. */
  private async awaitAsync(cmd: Command, out: string[]): Promise<void> {
    const id = this.arg(cmd, 'id');
    const pending = this.pending.get(id);
    assert(pending !== undefined, `no async ${id}`);
    this.pending.delete(id);
    const output: string[] = [];
    await this.runAndPrint(pending.cmd, this.settle(pending.running, `async ${id}: ${pending.cmd.text}`), output);
    out.push(`${id}: done`, ...pending.output.map((line) => `  ${line}`), ...output.map((line) => `  ${line}`));
  }

  /** Whether an async command settled: `check id=X` prints it without waiting. */
  private check(cmd: Command, out: string[]): void {
    const id = this.arg(cmd, 'id');
    const pending = this.pending.get(id);
    assert(pending !== undefined, `no async ${id}`);
    out.push(`${id}: ${pending.settled() ? 'settled' : 'still waiting'}`);
  }

  /** Stops the store and closes the engine (end of a file). */
  async close(): Promise<void> {
    await this.kv?.close();
  }

  private get current(): Kv {
    assert(this.kv !== undefined, 'the store is open');
    return this.kv;
  }

  /** Awaits `promise` by turning the event loop; a promise that does not settle is a hang. */
  private async settle<T>(promise: Promise<T>, what: string): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => {
      settled = true;
    });
    tracked.catch(() => undefined);
    for (let turn = 0; turn < commandTurnsMax && !settled; turn++) await flush(1);
    assert(settled, () => `${what}: did not settle within ${commandTurnsMax} event-loop turns (a hang; ${this.timers.pendingCount} timers pending on virtual time, which moves only on advance ms=N)`);
    return tracked;
  }

  private async run(cmd: Command, out: string[]): Promise<void> {
    const kv = this.current;
    switch (cmd.name) {
      case 'put':
        return runTxn(kv.sender, kv.txnDeps, (txn) => txn.put(this.key(cmd, 'k'), enc(this.arg(cmd, 'v'))));
      case 'get':
        return this.get(kv.sender, cmd, out);
      case 'scan':
        return this.scan(kv.sender, cmd, out);
      case 'split':
        return this.split(cmd, out);
      case 'merge':
        return this.merge(cmd, out);
      case 'ranges':
        return this.ranges(out);
      case 'restart':
        return this.restart(out);
      case 'advance':
        return this.timers.advance(Number(this.arg(cmd, 'ms')));
      case 'check':
        return this.check(cmd, out);
      case 'txn':
      case 'txn-put':
      case 'txn-get':
      case 'txn-commit':
      case 'txn-rollback':
      case 'txn-record':
        return this.txnCommand(cmd, out);
      case 'gateway':
        return this.gateway(cmd);
      case 'gw-put':
      case 'gw-get':
      case 'gw-scan':
        return this.gatewayCommand(cmd, out);
      default:
        throw new Error(`unknown command ${cmd.name}`);
    }
  }

  private async get(sender: Sender, cmd: Command, out: string[]): Promise<void> {
    const key = this.key(cmd, 'k');
    const value = await runTxn(sender, this.current.txnDeps, (txn) => txn.get(key));
    out.push(`get ${prettyKey(key)} -> ${value === undefined ? '<none>' : JSON.stringify(dec(value))}`);
  }

  private async scan(sender: Sender, cmd: Command, out: string[]): Promise<void> {
    const from = this.key(cmd, 'from');
    const to = this.key(cmd, 'to');
    const rows = await runTxn(sender, this.current.txnDeps, (txn) => txn.scan(from, to));
    out.push(`scan [${prettyKey(from)}, ${prettyKey(to)}): ${rows.length} rows`);
    for (const row of rows) out.push(`  ${prettyKey(row.key)} -> ${JSON.stringify(dec(row.value))}`);
  }

  private async split(cmd: Command, out: string[]): Promise<void> {
    const key = this.key(cmd, 'at');
    await this.current.split(key);
    const right = this.replicaHolding(key);
    const left = this.current.store.replicas().find((r) => keysEqual(r.descriptor.endKey, right.descriptor.startKey));
    assert(left !== undefined, 'the split has a left half on this store');
    out.push(`split at ${prettyKey(key)}: ${formatSpan(left.descriptor)} | ${formatSpan(right.descriptor)}`);
  }

  private async merge(cmd: Command, out: string[]): Promise<void> {
    const key = this.key(cmd, 'at');
    const before = this.current.store.replicas().map((r) => r.rangeId);
    await this.current.merge(key);
    const merged = this.replicaHolding(key);
    const gone = before.filter((id) => this.current.store.replica(id) === undefined);
    out.push(`merged: ${formatSpan(merged.descriptor)}; gone from the store: ${gone.map((id) => `r${id}`).join(', ') || 'none'}`);
  }

  /** meta2's view, then the store's, each replica's stats checked against a recomputation. */
  private async ranges(out: string[]): Promise<void> {
    const kv = this.current;
    out.push('meta2:');
    for (const desc of await kv.ranges()) out.push(`  ${formatSpan(desc)}`);
    out.push('store:');
    for (const replica of kv.store.replicas()) {
      const desc = replica.descriptor;
      out.push(`  ${formatSpan(desc)} lease=#${replica.lease?.sequence ?? 0} ${formatStats(replica.stats)}`);
      // Range-local keys (Raft state, descriptor copies, transaction records) are not MVCC data.
      const start = compareKeys(desc.startKey, localMax) < 0 ? localMax : desc.startKey;
      const recomputed = await computeStats(this.engine, start, desc.endKey);
      if (!statsEqual(recomputed, replica.stats)) out.push(`    STATS MISMATCH: recomputed from the engine ${formatStats(recomputed)} ${JSON.stringify(recomputed)} vs ${JSON.stringify(replica.stats)}`);
    }
  }

  private async restart(out: string[]): Promise<void> {
    // Store.close leaves the engine open (Kv.close would close it): the new store reopens it.
    await this.current.store.close();
    this.kv = undefined;
    this.txns.clear();
    // The new store waits, before it serves, until its clock reads above every timestamp the old
    // one could have served (kv/replica/store.ts, `waitOutPreviousProcess`): virtual time moves
    // on while it opens.
    let opened = false;
    const opening = openKv({ engine: this.engine, env: this.env }).finally(() => {
      opened = true;
    });
    opening.catch(() => undefined);
    for (let waitedMs = 0; !opened; waitedMs += restartStepMs) {
      assert(waitedMs < restartMsMax, () => `restart: the store did not open within ${restartMsMax} virtual ms`);
      await this.timers.advance(restartStepMs);
    }
    this.kv = await opening;
    out.push(`restarted: ${this.kv.store.replicas().map((r) => `r${r.rangeId}`).join(', ')}`);
  }

  private async txnCommand(cmd: Command, out: string[]): Promise<void> {
    const name = this.arg(cmd, 'name');
    if (cmd.name === 'txn') {
      assert(!this.txns.has(name), `txn ${name} exists`);
      const priority = cmd.args.get('priority');
      this.txns.set(name, new Txn(this.current.sender, this.current.txnDeps, { name, writeBufferBytesMax: 0, ...(priority === undefined ? {} : { priority: Number(priority) }) }));
      return;
    }
    const txn = this.txns.get(name);
    assert(txn !== undefined, `no txn ${name}`);
    switch (cmd.name) {
      case 'txn-put':
        return txn.put(this.key(cmd, 'k'), enc(this.arg(cmd, 'v')));
      case 'txn-get': {
        const key = this.key(cmd, 'k');
        const value = await txn.get(key);
        out.push(`${name} get ${prettyKey(key)} -> ${value === undefined ? '<none>' : JSON.stringify(dec(value))}`);
        return;
      }
      case 'txn-record': {
        const { key: anchor, id } = txn.transaction;
        const record = anchor.length === 0 ? undefined : readTxnRecord(this.engine, anchor, id);
        const holder = anchor.length === 0 ? undefined : this.current.store.replicaForKey(anchor);
        out.push(`${name} record (anchor ${anchor.length === 0 ? 'none' : prettyKey(anchor)}, in r${holder?.rangeId ?? '?'}): ${record?.status ?? 'none written'}`);
        return;
      }
      case 'txn-commit':
        await txn.commit();
        out.push(`${name} committed`);
        return;
      default:
        await txn.rollback();
        out.push(`${name} rolled back`);
    }
  }

  private gateway(cmd: Command): void {
    const name = this.arg(cmd, 'name');
    const log: string[] = [];
    const cache = new RangeCache(async (key) => {
      const desc = await this.current.store.rangeLookup(key);
      log.push(`  meta lookup ${prettyKey(key)}: ${formatSpan(desc)}`);
      return desc;
    });
    const sender = new DistSender(cache, async (rangeId, desc, batch: BatchRequest) => {
      try {
        const response = await this.current.store.send({ ...batch, header: { ...batch.header, rangeId } });
        log.push(`  sent ${kinds(batch)} to ${formatSpan(desc)}: ok`);
        return response;
      } catch (error) {
        log.push(`  sent ${kinds(batch)} to ${formatSpan(desc)}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        throw error;
      }
    });
    this.gateways.set(name, { sender, log });
  }

  private async gatewayCommand(cmd: Command, out: string[]): Promise<void> {
    const gateway = this.gateways.get(this.arg(cmd, 'name'));
    assert(gateway !== undefined, `no gateway ${this.arg(cmd, 'name')}`);
    gateway.log.length = 0;
    try {
      if (cmd.name === 'gw-put') await runTxn(gateway.sender, this.current.txnDeps, (txn) => txn.put(this.key(cmd, 'k'), enc(this.arg(cmd, 'v'))));
      else if (cmd.name === 'gw-get') await this.get(gateway.sender, cmd, out);
      else await this.scan(gateway.sender, cmd, out);
    } finally {
      out.push(...gateway.log);
    }
  }

  private replicaHolding(key: Uint8Array): Replica {
    const replica = this.current.store.replicaForKey(key);
    assert(replica !== undefined, () => `no replica holds ${prettyKey(key)}`);
    return replica;
  }

  private key(cmd: Command, name: string): Uint8Array {
    return scriptKey(this.arg(cmd, name));
  }

  private arg(cmd: Command, name: string): string {
    const value = cmd.args.get(name);
    assert(value !== undefined, `${cmd.name}: missing ${name}=`);
    return value;
  }
}

function statsEqual(a: Readonly<MvccStats>, b: Readonly<MvccStats>): boolean {
  return (Object.keys(a) as (keyof MvccStats)[]).every((field) => a[field] === b[field]);
}
