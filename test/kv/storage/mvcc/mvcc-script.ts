/**
 * The interpreter of the MVCC history scripts (CockroachDB's `mvcc_histories` in spirit).
 *
 * Timestamps are written `S[.fraction][,logical]` in seconds: `ts=10`, `ts=10,1`, `ts=10.5`.
 * Transactions are named (`t=A`); keys and values are strings.
 *
 *   txn_begin t=A ts=10 [epoch=0] [priority=0]     a transaction reading and writing at ts
 *   txn_step t=A [n=1 | seq=N]                      advance its sequence number (or set it to N)
 *   txn_advance t=A ts=15                           push its write timestamp
 *   txn_refresh t=A                                 move its read timestamp up to its write timestamp
 *   txn_restart t=A [ts=…]                          next epoch, sequence 0
 *   txn_ignore_seqs t=A seqs=(1-2,4-4)              roll back sequences (savepoints)
 *   put|del k= [v=] (t=A | ts=)                     mvccPut / mvccDelete
 *   cput k= v= [cond=] [allow_missing] (t=|ts=)     mvccConditionalPut (no cond: expect absent)
 *   del_range k= end= (t=|ts=) [max=]               mvccDeleteRange
 *   get k= (t=|ts=) [unc=] [inconsistent] [tombstones]
 *   scan k= end= (t=|ts=) [reverse] [max=] [target_bytes=] [unc=] [inconsistent] [tombstones]
 *   resolve_intent t=A k= [status=COMMITTED|ABORTED|PENDING]
 *   resolve_intent_range t=A k= end= [status=] [max=] [max_bytes=] [first_always=false]
 *   gc k= ts=                                       mvccGarbageCollect with threshold ts
 *   crash                                           (MemoryEngine) lose unsynced writes; no-op for LevelDB
 *
 * Each command runs in its own batch, committed if it succeeds. An error stops the block and is
 * printed. After every command the incrementally kept statistics are compared with statistics
 * recomputed from the engine; a difference fails the test. The block ends with a dump of the
 * engine (`data:` versions, `lock:` intents) and, with `run stats`, the statistics.
 */
import { assert } from '../../../../src/base/assert.js';
import { RangedbError } from '../../../../src/base/errors.js';
import { txnId } from '../../../../src/base/ids.js';
import { timestamp, type Timestamp } from '../../../../clock/timestamp.js';
import { Batch } from '../../../../kv/storage/batch.js';
import type { Engine } from '../../../../kv/storage/engine.js';
import {
  computeStats,
  decodeDataKey,
  decodeIntent,
  decodeLockKey,
  decodeKeyRecord,
  decodeTagged,
  emptyStats,
  lockTablePrefix,
  mvccConditionalPut,
  mvccDelete,
  mvccDeleteRange,
  mvccGarbageCollect,
  mvccGet,
  mvccPut,
  mvccResolveIntent,
  mvccResolveIntentRange,
  mvccScan,
  type IntentRecord,
  type MvccStats,
  type MvccTxn,
  type TxnStatus,
} from '../../../../kv/storage/mvcc/index.js';
import { parseCommand, type Command, type TestCase } from '../../../support/datadriven.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const everything = { start: new Uint8Array(0), end: Uint8Array.of(0xff, 0xff, 0xff) };

export function parseTs(text: string): Timestamp {
  const [secondsText, logicalText] = text.split(',');
  const [whole, fraction = ''] = secondsText!.split('.');
  const nanos = BigInt(whole!) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9) || '0');
  return timestamp(nanos, logicalText === undefined ? 0 : Number(logicalText));
}

export function fmtTs(ts: Timestamp): string {
  const seconds = ts.wallNanos / 1_000_000_000n;
  const nanos = ts.wallNanos % 1_000_000_000n;
  const fraction = nanos === 0n ? '' : `.${nanos.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${seconds}${fraction}${ts.logical === 0 ? '' : `,${ts.logical}`}`;
}

export function fmtKey(key: Uint8Array): string {
  const printable = key.every((b) => b >= 0x20 && b < 0x7f && b !== 0x22);
  return printable ? `"${new TextDecoder().decode(key)}"` : `0x${Buffer.from(key).toString('hex')}`;
}

function fmtValue(value: Uint8Array | null): string {
  return value === null ? '<tombstone>' : fmtKey(value);
}

interface ScriptTxn {
  name: string;
  txn: MvccTxn;
}

export class MvccScript {
  private readonly txns = new Map<string, ScriptTxn>();
  private readonly stats: MvccStats = emptyStats();
  private readonly names = new Map<string, string>();

  constructor(private readonly engine: Engine) {}

  async runCase(testCase: TestCase): Promise<string> {
    // `run [stats] ok|error`: the mode is the last word, after any options.
    const words = testCase.directive.split(/\s+/);
    const verb = words[0];
    const mode = words[words.length - 1];
    assert(verb === 'run', `unknown directive ${testCase.directive}`);
    assert(mode === 'ok' || mode === 'error', `directive must end with ok or error: ${testCase.directive}`);
    const out: string[] = [];
    let failed = false;
    for (const line of testCase.input) {
      const command = parseCommand(line);
      try {
        await this.run(command, out);
      } catch (error) {
        if (!(error instanceof RangedbError)) throw error;
        out.push(`error: ${error.name}: ${this.renameTxns(error.message)}`);
        failed = true;
        break;
      }
      await this.checkStats(line);
    }
    if (mode === 'ok' && failed) throw new Error(`case at line ${testCase.line} is 'run ok' but failed:\n${out.join('\n')}`);
    if (mode === 'error' && !failed) throw new Error(`case at line ${testCase.line} is 'run error' but succeeded`);
    out.push(...(await this.dump()));
    if (testCase.directive.includes('stats')) out.push(fmtStats(this.stats));
    return out.join('\n');
  }

  private async run(cmd: Command, out: string[]): Promise<void> {
    switch (cmd.name) {
      case 'txn_begin': {
        const name = this.arg(cmd, 't');
        const ts = parseTs(this.arg(cmd, 'ts'));
        const id = txnId(Buffer.from(name.padEnd(16, '_')).toString('hex').slice(0, 32));
        this.names.set(id.slice(0, 8), name);
        const meta = { id, key: enc(name), epoch: Number(cmd.args.get('epoch') ?? 0), writeTimestamp: ts, minTimestamp: ts, priority: Number(cmd.args.get('priority') ?? 0), sequence: 0 };
        this.txns.set(name, { name, txn: { meta, readTimestamp: ts, ignoredSequences: [] } });
        return;
      }
      case 'txn_step':
        return this.updateTxn(cmd, (t) => {
          const seq = cmd.args.get('seq');
          const sequence = seq === undefined ? t.meta.sequence + Number(cmd.args.get('n') ?? 1) : Number(seq);
          return { ...t, meta: { ...t.meta, sequence } };
        });
      case 'txn_advance':
        return this.updateTxn(cmd, (t) => ({ ...t, meta: { ...t.meta, writeTimestamp: parseTs(this.arg(cmd, 'ts')) } }));
      case 'txn_refresh':
        return this.updateTxn(cmd, (t) => ({ ...t, readTimestamp: t.meta.writeTimestamp }));
      case 'txn_restart':
        return this.updateTxn(cmd, (t) => {
          const ts = cmd.args.has('ts') ? parseTs(cmd.args.get('ts')!) : t.meta.writeTimestamp;
          return { meta: { ...t.meta, epoch: t.meta.epoch + 1, sequence: 0, writeTimestamp: ts }, readTimestamp: ts, ignoredSequences: [] };
        });
      case 'txn_ignore_seqs':
        return this.updateTxn(cmd, (t) => ({ ...t, ignoredSequences: parseSeqs(this.arg(cmd, 'seqs')) }));
      case 'put':
      case 'del':
        return this.put(cmd, out);
      case 'cput':
        return this.cput(cmd, out);
      case 'del_range':
        return this.deleteRange(cmd, out);
      case 'get':
        return this.get(cmd, out);
      case 'scan':
        return this.scan(cmd, out);
      case 'resolve_intent':
      case 'resolve_intent_range':
        return this.resolve(cmd, out);
      case 'gc':
        return this.withBatch(async (b) => {
          const result = await mvccGarbageCollect(b, this.stats, enc(this.arg(cmd, 'k')), parseTs(this.arg(cmd, 'ts')));
          out.push(`gc: ${fmtKey(enc(this.arg(cmd, 'k')))} removed ${result.versions} version(s)`);
        });
      default:
        throw new Error(`unknown command: ${cmd.text}`);
    }
  }

  private async put(cmd: Command, out: string[]): Promise<void> {
    const { ts, txn } = this.writeTime(cmd);
    const key = enc(this.arg(cmd, 'k'));
    await this.withBatch((b) => {
      const result = cmd.name === 'del' ? mvccDelete(b, this.stats, key, ts, txn) : mvccPut(b, this.stats, key, ts, enc(this.arg(cmd, 'v')), txn);
      this.noteWriteTimestamp(cmd, key, ts, result.timestamp, out);
    });
  }

  /** Prints where a write landed when it is not where it was asked to go. */
  private noteWriteTimestamp(cmd: Command, key: Uint8Array, requested: Timestamp, written: Timestamp, out: string[]): void {
    if (requested.wallNanos === written.wallNanos && requested.logical === written.logical) return;
    out.push(`${cmd.name}: ${fmtKey(key)} written at ${fmtTs(written)} (requested ${fmtTs(requested)})`);
  }

  private async cput(cmd: Command, out: string[]): Promise<void> {
    const { ts, txn } = this.writeTime(cmd);
    const key = enc(this.arg(cmd, 'k'));
    const expected = cmd.args.has('cond') ? enc(cmd.args.get('cond')!) : undefined;
    await this.withBatch((b) => {
      const result = mvccConditionalPut(b, this.stats, key, ts, enc(this.arg(cmd, 'v')), expected, { ...txn, allowIfAbsent: cmd.args.has('allow_missing') });
      this.noteWriteTimestamp(cmd, key, ts, result.timestamp, out);
    });
  }

  private async deleteRange(cmd: Command, out: string[]): Promise<void> {
    const { ts, txn } = this.writeTime(cmd);
    await this.withBatch(async (b) => {
      const max = cmd.args.get('max');
      const result = await mvccDeleteRange(b, this.stats, enc(this.arg(cmd, 'k')), enc(this.arg(cmd, 'end')), ts, { ...txn, ...(max === undefined ? {} : { maxKeys: Number(max) }) });
      out.push(`del_range: deleted ${result.keys.map(fmtKey).join(' ') || '<none>'}`);
      if (result.resumeSpan !== undefined) out.push(`del_range: resume span [${fmtKey(result.resumeSpan.start)}, ${fmtKey(result.resumeSpan.end)})`);
    });
  }

  private async get(cmd: Command, out: string[]): Promise<void> {
    const { ts, options } = this.readTime(cmd);
    const key = enc(this.arg(cmd, 'k'));
    const result = await mvccGet(this.engine, key, ts, options);
    for (const intent of result.intents) out.push(`get: intent ${fmtKey(intent.key)} ${this.txnName(intent.txn.id)}`);
    out.push(`get: ${fmtKey(key)} -> ${result.value === undefined ? '<no data>' : `${fmtValue(result.value.value)} @${fmtTs(result.value.timestamp)}`}`);
  }

  private async scan(cmd: Command, out: string[]): Promise<void> {
    const { ts, options } = this.readTime(cmd);
    const max = cmd.args.get('max');
    const targetBytes = cmd.args.get('target_bytes');
    const result = await mvccScan(this.engine, enc(this.arg(cmd, 'k')), enc(this.arg(cmd, 'end')), ts, {
      ...options,
      reverse: cmd.args.has('reverse'),
      ...(max === undefined ? {} : { maxKeys: Number(max) }),
      ...(targetBytes === undefined ? {} : { targetBytes: Number(targetBytes) }),
    });
    for (const intent of result.intents) out.push(`scan: intent ${fmtKey(intent.key)} ${this.txnName(intent.txn.id)}`);
    for (const row of result.rows) out.push(`scan: ${fmtKey(row.key)} -> ${fmtValue(row.value)} @${fmtTs(row.timestamp)}`);
    if (result.rows.length === 0) out.push('scan: <no data>');
    if (result.resumeSpan !== undefined) out.push(`scan: resume span [${fmtKey(result.resumeSpan.start)}, ${fmtKey(result.resumeSpan.end)})`);
  }

  private async resolve(cmd: Command, out: string[]): Promise<void> {
    const t = this.txn(cmd).txn;
    const resolution = {
      txnId: t.meta.id,
      epoch: t.meta.epoch,
      status: (cmd.args.get('status') ?? 'COMMITTED') as TxnStatus,
      timestamp: t.meta.writeTimestamp,
      ignoredSequences: t.ignoredSequences,
    };
    await this.withBatch(async (b) => {
      if (cmd.name === 'resolve_intent') {
        const found = mvccResolveIntent(b, this.stats, enc(this.arg(cmd, 'k')), resolution);
        out.push(`resolve_intent: ${fmtKey(enc(this.arg(cmd, 'k')))} ${found ? 'resolved' : 'no intent of the txn'}`);
        return;
      }
      const max = cmd.args.get('max');
      const maxBytes = cmd.args.get('max_bytes');
      const firstAlways = cmd.args.get('first_always') !== 'false';
      const result = await mvccResolveIntentRange(b, this.stats, enc(this.arg(cmd, 'k')), enc(this.arg(cmd, 'end')), resolution, max === undefined ? undefined : Number(max), maxBytes === undefined ? undefined : Number(maxBytes), firstAlways);
      out.push(`resolve_intent_range: resolved ${result.resolved}${maxBytes === undefined ? '' : ` (${result.bytes}B)`}`);
      if (result.resumeSpan !== undefined) out.push(`resolve_intent_range: resume span [${fmtKey(result.resumeSpan.start)}, ${fmtKey(result.resumeSpan.end)})`);
    });
  }

  private async withBatch(fn: (batch: Batch) => Promise<unknown> | unknown): Promise<void> {
    const batch = new Batch(this.engine);
    const before = { ...this.stats };
    try {
      await fn(batch);
    } catch (error) {
      Object.assign(this.stats, before); // the batch is dropped: so is its stats delta
      throw error;
    }
    await this.engine.commit(batch.ops, { sync: false });
  }

  private async checkStats(line: string): Promise<void> {
    const computed = await computeStats(this.engine, everything.start, everything.end);
    const kept = JSON.stringify(this.stats);
    if (kept !== JSON.stringify(computed)) throw new Error(`stats drifted after '${line}':\n kept     ${kept}\n computed ${JSON.stringify(computed)}`);
  }

  private async dump(): Promise<string[]> {
    const data: string[] = [];
    const locks: string[] = [];
    const it = this.engine.iterate({ lowerBound: new Uint8Array(0), upperBound: Uint8Array.of(0xff, 0xff, 0xff, 0xff) });
    for (let kv = await it.next(); kv !== undefined; kv = await it.next()) {
      if (startsWith(kv.key, lockTablePrefix)) {
        locks.push(this.fmtIntent(decodeLockKey(kv.key), decodeIntent(kv.value)));
        continue;
      }
      const decoded = decodeDataKey(kv.key);
      const version = decoded.timestamp === undefined ? decodeKeyRecord(kv.value).newest : { timestamp: decoded.timestamp, value: decodeTagged(kv.value) };
      if (version === undefined) continue; // a lock placeholder: the intent is printed below
      data.push(`data: ${fmtKey(decoded.userKey)}/${fmtTs(version.timestamp)} -> ${fmtValue(version.value)}`);
    }
    it.close();
    const lines = [...data, ...locks];
    return lines.length === 0 ? ['<no data>'] : lines;
  }

  private fmtIntent(key: Uint8Array, record: IntentRecord): string {
    const history = record.history.length === 0 ? '' : ` history={${record.history.map((e) => `${e.sequence}:${fmtValue(e.value)}`).join(' ')}}`;
    const t = record.txn;
    return `lock: ${fmtKey(key)} -> txn=${this.txnName(t.id)} epoch=${t.epoch} ts=${fmtTs(t.writeTimestamp)} seq=${t.sequence} value=${fmtValue(record.value)}${history}`;
  }

  private writeTime(cmd: Command): { ts: Timestamp; txn: { txn?: MvccTxn } } {
    if (cmd.args.has('t')) {
      const t = this.txn(cmd).txn;
      return { ts: t.meta.writeTimestamp, txn: { txn: t } };
    }
    return { ts: parseTs(this.arg(cmd, 'ts')), txn: {} };
  }

  private readTime(cmd: Command): { ts: Timestamp; options: Parameters<typeof mvccGet>[3] & object } {
    const unc = cmd.args.get('unc');
    const common = {
      inconsistent: cmd.args.has('inconsistent'),
      tombstones: cmd.args.has('tombstones'),
      ...(unc === undefined ? {} : { uncertaintyLimit: parseTs(unc) }),
    };
    if (cmd.args.has('t')) {
      const t = this.txn(cmd).txn;
      return { ts: t.readTimestamp, options: { ...common, txn: t } };
    }
    return { ts: parseTs(this.arg(cmd, 'ts')), options: common };
  }

  private txn(cmd: Command): ScriptTxn {
    const name = this.arg(cmd, 't');
    const t = this.txns.get(name);
    if (t === undefined) throw new Error(`unknown txn ${name}`);
    return t;
  }

  private updateTxn(cmd: Command, update: (txn: MvccTxn) => MvccTxn): void {
    const t = this.txn(cmd);
    t.txn = update(t.txn);
  }

  private txnName(id: string): string {
    return this.names.get(id.slice(0, 8)) ?? id.slice(0, 8);
  }

  private renameTxns(message: string): string {
    let out = message;
    for (const [short, name] of this.names) out = out.replaceAll(short, name);
    return out.replace(/(\d+)\.(\d{9}),(\d+)/g, (_m, s: string, n: string, l: string) => fmtTs(timestamp(BigInt(s) * 1_000_000_000n + BigInt(n), Number(l))));
  }

  private arg(cmd: Command, name: string): string {
    const value = cmd.args.get(name);
    if (value === undefined) throw new Error(`${cmd.name}: missing ${name}=`);
    return value;
  }
}

function parseSeqs(text: string): { start: number; end: number }[] {
  const inner = text.replace(/^\(|\)$/g, '');
  if (inner === '') return [];
  return inner.split(',').map((part) => {
    const [start, end] = part.split('-').map(Number);
    return { start: start!, end: end ?? start! };
  });
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  return key.length >= prefix.length && prefix.every((b, i) => key[i] === b);
}

function fmtStats(s: MvccStats): string {
  return `stats: live=${s.liveCount}/${s.liveBytes}B keys=${s.keyCount}/${s.keyBytes}B versions=${s.valCount}/${s.valBytes}B intents=${s.intentCount}/${s.intentBytes}B`;
}
