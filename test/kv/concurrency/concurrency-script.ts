/**
 * The interpreter of the concurrency scripts in testdata/ (CockroachDB's `concurrency_manager`
 * and `lock_table` datadriven tests in spirit). One `run` block is a list of commands; each
 * prints the decisions and events it produced. State carries over between blocks of a file.
 *
 *   limits [latch-waiters=N] [lock-keys=N] [lock-queue=N] [pushers=N]   fresh cores with bounds
 *   new-txn name=A ts=10 [priority=0]
 *   new-request name=r1 [txn=A] [ts=10] spans=write@a,read@[b,d),shared@c [policy=block|error|skip-locked] [nonmvcc]
 *   acquire-latches r=r1 | release-latches r=r1
 *   scan r=r1                              LockTable.scanAndEnqueue
 *   dequeue r=r1                           the request is done
 *   acquire-lock key=a txn=A [durability=unreplicated|replicated] [strength=exclusive|shared]
 *   add-discovered-lock key=a txn=B | release-lock key=a txn=B
 *   intent-pushed key=a txn=B               B's intent resolved while B is PENDING (a push)
 *   txn-finalized txn=B status=committed|aborted   (lock table and txn wait queue)
 *   push pusher=A pushee=B | detect-deadlock
 *   check-abandoned txn=B now=20 last-heartbeat=10 [threshold=5]   (seconds)
 *   print
 *
 * Timestamps are seconds as in the MVCC scripts (`10`, `10.5`, `10,1`). A typed error is
 * printed (`error: …`) and the block goes on.
 */
import { assert } from '../../../src/base/assert.js';
import { RangedbError } from '../../../src/base/errors.js';
import { txnId, type TxnId } from '../../../src/base/ids.js';
import type { Timestamp } from '../../../clock/timestamp.js';
import type { TxnMeta } from '../../../kv/storage/mvcc/txn.js';
import {
  LatchManager,
  LockConflictError,
  LockTable,
  LockWaitQueueFullError,
  TxnWaitQueue,
  isAbandoned,
  type LatchGuard,
  type LatchSpan,
  type LockRequest,
  type LockScanResult,
  type LockTableEvent,
  type LockSpan,
  type Span,
  type LockAccess,
  type SpanAccess,
  type WaitPolicy,
} from '../../../kv/concurrency/index.js';
import { limits } from '../../../src/base/limits.js';
import { parseCommand, type Command, type TestCase } from '../../support/datadriven.js';
import { fmtKey, fmtTs, parseTs } from '../storage/mvcc/mvcc-script.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

interface ScriptRequest {
  readonly lock: LockRequest;
  readonly latches: readonly LatchSpan[];
  guard: LatchGuard | undefined;
}

/**
 * Parses `write@a,read@[b,d),shared@c` into spans; commas inside brackets belong to the range.
 * `read` is a non-locking read, `shared` a shared locking read, `write` a write or an exclusive
 * locking read.
 */
export function parseSpans(text: string): LockSpan[] {
  const parts = text.match(/(?:read|shared|write)@(?:\[[^\]]*\)|[^,]+)/g) ?? [];
  assert(parts.length > 0, `no spans in ${text}`);
  return parts.map((part) => {
    const [access, keys] = part.split('@') as [LockAccess, string];
    assert(access === 'read' || access === 'shared' || access === 'write', `bad span access in ${part}`);
    if (!keys.startsWith('[')) return { access, span: { start: enc(keys) } };
    const [start, end] = keys.slice(1, -1).split(',');
    return { access, span: { start: enc(start!), end: enc(end!) } };
  });
}

export function fmtSpan(span: Span): string {
  return span.end === undefined ? fmtKey(span.start) : `[${fmtKey(span.start)},${fmtKey(span.end)})`;
}

export class ConcurrencyScript {
  private latches = new LatchManager();
  private locks = new LockTable();
  private queue = new TxnWaitQueue();
  private readonly txns = new Map<string, TxnMeta>();
  private readonly names = new Map<TxnId, string>();
  private readonly requests = new Map<string, ScriptRequest>();
  private readonly requestBySeq = new Map<number, string>();

  runCase(testCase: TestCase): string {
    assert(testCase.directive === 'run', `unknown directive ${testCase.directive}`);
    const out: string[] = [];
    for (const line of testCase.input) {
      try {
        this.run(parseCommand(line), out);
      } catch (error) {
        if (!(error instanceof RangedbError)) throw error;
        out.push(`error: ${error.name}: ${error.message}`);
      }
    }
    return out.join('\n');
  }

  private run(cmd: Command, out: string[]): void {
    switch (cmd.name) {
      case 'limits':
        return this.resetLimits(cmd);
      case 'new-txn':
        return this.newTxn(cmd);
      case 'new-request':
        return this.newRequest(cmd);
      case 'acquire-latches':
        return this.acquireLatches(cmd, out);
      case 'release-latches':
        return this.releaseLatches(cmd, out);
      case 'scan':
        return this.scan(cmd, out);
      case 'dequeue': {
        const name = this.arg(cmd, 'r');
        out.push(`${name} done`);
        return this.printEvents(this.locks.dequeue(name), out);
      }
      case 'acquire-lock': {
        const durability = cmd.args.get('durability') ?? 'unreplicated';
        assert(durability === 'unreplicated' || durability === 'replicated', `bad durability ${durability}`);
        const strength = cmd.args.get('strength') ?? 'exclusive';
        assert(strength === 'exclusive' || strength === 'shared', `bad strength ${strength}`);
        return this.printEvents(this.locks.acquireLock(enc(this.arg(cmd, 'key')), this.txn(cmd, 'txn'), durability, strength), out);
      }
      case 'add-discovered-lock':
        return this.printEvents(this.locks.addDiscoveredLock(enc(this.arg(cmd, 'key')), this.txn(cmd, 'txn')), out);
      case 'release-lock':
        return this.printEvents(this.locks.onLockReleased(enc(this.arg(cmd, 'key')), this.txn(cmd, 'txn').id), out);
      case 'intent-pushed':
        return this.printEvents(this.locks.onIntentPushed(enc(this.arg(cmd, 'key')), this.txn(cmd, 'txn').id), out);
      case 'txn-finalized':
        return this.txnFinalized(cmd, out);
      case 'push':
        return this.push(cmd, out);
      case 'detect-deadlock':
        return this.detectDeadlock(out);
      case 'check-abandoned':
        return this.checkAbandoned(cmd, out);
      case 'print':
        return this.print(out);
      default:
        throw new Error(`unknown command: ${cmd.text}`);
    }
  }

  private resetLimits(cmd: Command): void {
    const n = (name: string, fallback: number): number => Number(cmd.args.get(name) ?? fallback);
    this.latches = new LatchManager(n('latch-waiters', limits.latchWaitersMax));
    this.locks = new LockTable({ keysMax: n('lock-keys', limits.lockTableKeysMax), waitQueueLengthMax: n('lock-queue', limits.lockWaitQueueLengthMax) });
    this.queue = new TxnWaitQueue(n('pushers', limits.txnWaitQueuePushersMax));
  }

  private newTxn(cmd: Command): void {
    const name = this.arg(cmd, 'name');
    const ts = parseTs(this.arg(cmd, 'ts'));
    const id = txnId(Buffer.from(name.padEnd(16, '_')).toString('hex').slice(0, 32));
    this.names.set(id, name);
    const meta = { id, key: enc(name), epoch: 0, writeTimestamp: ts, minTimestamp: ts, priority: Number(cmd.args.get('priority') ?? 0), sequence: 0 };
    this.txns.set(name, Object.freeze(meta));
  }

  private newRequest(cmd: Command): void {
    const name = this.arg(cmd, 'name');
    assert(!this.requests.has(name), `request ${name} exists`);
    const txnName = cmd.args.get('txn');
    const txn = txnName === undefined || txnName === 'none' ? undefined : this.txn(cmd, 'txn');
    const tsText = cmd.args.get('ts');
    const timestamp: Timestamp = tsText !== undefined ? parseTs(tsText) : defined(txn, 'ts= or txn=').writeTimestamp;
    const spans = parseSpans(this.arg(cmd, 'spans'));
    const policyText = cmd.args.get('policy') ?? 'block';
    const waitPolicy: WaitPolicy = policyText === 'skip-locked' ? 'skipLocked' : (policyText as WaitPolicy);
    assert(['block', 'error', 'skipLocked'].includes(waitPolicy), `bad policy ${policyText}`);
    const latchTs = cmd.args.has('nonmvcc') ? undefined : timestamp;
    // A locking read latches like a write (kv/api's requestKeys).
    const latches = spans.map((s) => ({ span: s.span, access: (s.access === 'read' ? 'read' : 'write') as SpanAccess, timestamp: latchTs }));
    this.requests.set(name, { lock: { name, txn, timestamp, spans, waitPolicy }, latches, guard: undefined });
  }

  private acquireLatches(cmd: Command, out: string[]): void {
    const request = this.request(cmd);
    const result = this.latches.acquire(request.latches);
    request.guard = result.guard;
    this.requestBySeq.set(result.guard.seq, request.lock.name);
    if (result.kind === 'acquired') out.push(`${request.lock.name} acquired latches`);
    else out.push(`${request.lock.name} waits on latches of ${result.waitsOn.map((g) => this.requestBySeq.get(g.seq)).join(', ')}`);
  }

  private releaseLatches(cmd: Command, out: string[]): void {
    const request = this.request(cmd);
    const guard = defined(request.guard, `latches of ${request.lock.name}`);
    const unblocked = this.latches.release(guard);
    request.guard = undefined;
    out.push(`${request.lock.name} released latches`);
    for (const g of unblocked) out.push(`${this.requestBySeq.get(g.seq)} acquired latches`);
  }

  private scan(cmd: Command, out: string[]): void {
    const request = this.request(cmd);
    const result = this.locks.scanAndEnqueue(request.lock);
    out.push(`${request.lock.name} ${this.fmtScan(result)}`);
    this.printEvents(result.events, out);
  }

  private fmtScan(result: LockScanResult): string {
    switch (result.kind) {
      case 'proceed':
        return result.skippedKeys.length === 0 ? 'proceeds' : `proceeds, skipping ${result.skippedKeys.map(fmtKey).join(', ')}`;
      case 'wait': {
        const owner = result.reservedBy === undefined ? `held by txn ${this.name(result.pushee)}` : `reserved by ${result.reservedBy} (txn ${this.name(result.pushee)})`;
        return `waits for lock on ${fmtKey(result.key)} ${owner}${result.distinguished ? ` (distinguished: push ${this.name(result.pushee)})` : ''}`;
      }
      case 'error': {
        const e = result.error;
        if (e instanceof LockConflictError) return `error: ${e.name} (${e.sqlState}): ${fmtKey(e.key)} is locked by txn ${this.name(e.holder)}`;
        assert(e instanceof LockWaitQueueFullError, 'unexpected scan error');
        return `error: ${e.name}: ${fmtKey(e.key)} has ${e.queueLengthMax} waiters`;
      }
    }
  }

  private printEvents(events: readonly LockTableEvent[], out: string[]): void {
    for (const event of events) {
      if (event.kind === 'proceed') {
        out.push(event.reservation ? `${event.request} proceeds with the reservation of ${fmtKey(event.key)}` : `${event.request} proceeds (done waiting at ${fmtKey(event.key)})`);
      } else {
        out.push(`${event.request} is distinguished at ${fmtKey(event.key)}: push ${this.name(event.pushee)}${event.held ? '' : ' (reservation)'}`);
      }
    }
  }

  private txnFinalized(cmd: Command, out: string[]): void {
    const txn = this.txn(cmd, 'txn');
    const status = this.arg(cmd, 'status').toUpperCase();
    assert(status === 'COMMITTED' || status === 'ABORTED', `bad status ${status}`);
    out.push(`txn ${this.name(txn)} ${status.toLowerCase()}`);
    this.printEvents(this.locks.onTxnFinalized(txn.id, status), out);
    for (const push of this.queue.onTxnFinalized(txn.id, status)) {
      out.push(`push of ${this.name(push.pushee)} by ${this.name(push.pusher)} released: ${status.toLowerCase()}`);
    }
  }

  private push(cmd: Command, out: string[]): void {
    const pusher = this.txn(cmd, 'pusher');
    const pushee = this.txn(cmd, 'pushee');
    this.queue.enqueuePush(pusher, pushee);
    out.push(`${this.name(pusher)} waits for ${this.name(pushee)} to finalize`);
  }

  private detectDeadlock(out: string[]): void {
    const deadlock = this.queue.detectDeadlock();
    if (deadlock === undefined) {
      out.push('no deadlock');
      return;
    }
    const cycle = [...deadlock.cycle, deadlock.cycle[0]!].map((t) => this.name(t)).join(' -> ');
    out.push(`deadlock: ${cycle}; abort ${this.name(deadlock.abort)}`);
  }

  private checkAbandoned(cmd: Command, out: string[]): void {
    const txn = this.txn(cmd, 'txn');
    const now = parseTs(this.arg(cmd, 'now'));
    const lastHeartbeat = parseTs(this.arg(cmd, 'last-heartbeat'));
    const threshold = cmd.args.has('threshold') ? parseTs(cmd.args.get('threshold')!).wallNanos : limits.txnLivenessThresholdNanos;
    const abandoned = isAbandoned(lastHeartbeat, now, threshold);
    const idle = `${Number(now.wallNanos - lastHeartbeat.wallNanos) / 1e9}s`;
    out.push(`${this.name(txn)} ${abandoned ? 'abandoned: may be aborted by its pusher' : 'alive'} (no heartbeat for ${idle}, threshold ${Number(threshold) / 1e9}s)`);
  }

  private print(out: string[]): void {
    out.push('latches:');
    for (const guard of this.latches.guards()) {
      const name = this.requestBySeq.get(guard.seq)!;
      const waits = this.latches.waitingOn(guard).map((s) => this.requestBySeq.get(s));
      const spans = guard.latches.map((l) => `${l.access} ${fmtSpan(l.span)}@${l.timestamp === undefined ? 'nonmvcc' : fmtTs(l.timestamp)}`).join(', ');
      out.push(`  ${name} ${waits.length === 0 ? 'held' : `waiting on ${waits.join(', ')}`}: ${spans}`);
    }
    const dropped = this.locks.droppedAcquisitions === 0 ? '' : `, dropped: ${this.locks.droppedAcquisitions}`;
    out.push(`locks (keys: ${this.locks.keyCount}, evicted: ${this.locks.evictions}${dropped}):`);
    for (const lock of this.locks.sortedLocks()) {
      const parts: string[] = [];
      if (lock.holder !== undefined) {
        const durability = [lock.holder.replicated ? 'replicated' : '', lock.holder.unreplicated ? 'unreplicated' : ''].filter((s) => s !== '').join('+');
        parts.push(`held by ${this.name(lock.holder.txn)} @${fmtTs(lock.holder.txn.writeTimestamp)} (${durability})`);
      }
      if (lock.sharedHolders.length > 0) parts.push(`shared by ${lock.sharedHolders.map((txn) => this.name(txn)).join(' ')}`);
      if (lock.reservation !== undefined) parts.push(`reserved by ${lock.reservation.request.name}`);
      const mark = (n: string): string => (n === lock.distinguished ? `${n}*` : n);
      if (lock.waitingReaders.length > 0) parts.push(`readers: ${lock.waitingReaders.map((w) => mark(w.request.name)).join(' ')}`);
      if (lock.queuedWriters.length > 0) parts.push(`writers: ${lock.queuedWriters.map((w) => mark(w.request.name)).join(' ')}`);
      out.push(`  ${fmtKey(lock.key)}: ${parts.join('; ')}`);
    }
    out.push('txn wait queue:');
    for (const push of this.queue.waiting()) out.push(`  ${this.name(push.pusher)} waits for ${this.name(push.pushee)}`);
  }

  private arg(cmd: Command, name: string): string {
    const value = cmd.args.get(name);
    if (value === undefined) throw new Error(`${cmd.name}: missing ${name}=`);
    return value;
  }

  private txn(cmd: Command, argName: string): TxnMeta {
    const name = this.arg(cmd, argName);
    return defined(this.txns.get(name), `txn ${name}`);
  }

  private request(cmd: Command): ScriptRequest {
    const name = this.arg(cmd, 'r');
    return defined(this.requests.get(name), `request ${name}`);
  }

  private name(txn: TxnMeta): string {
    return this.names.get(txn.id) ?? txn.id;
  }
}

function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`unknown ${what}`);
  return value;
}
