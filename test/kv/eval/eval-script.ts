/**
 * The interpreter of the command-evaluation scripts in testdata/: batches of requests run through
 * `evaluateBatch` against a MemoryEngine, as a leaseholder would (evaluate into a `Batch`, commit
 * it if the batch succeeds, drop it if not).
 *
 * Timestamps are `S[.fraction][,logical]` seconds (as in the MVCC scripts); keys and values are
 * strings. Setup lines run at once:
 *
 *   range start= end= [id=1] [gen=0]        the range evaluated on (default r1 ["a", "z"))
 *   neighbour start= end= id=               the right neighbour (AdminMerge)
 *   split_id id=                            the id AdminSplit gives the right-hand range
 *   now ts=                                 the replica's clock reading
 *   txn t=A ts= [anchor=a] [priority=0] [epoch=0] [unc=]   a transaction (read = write = ts)
 *   txn_advance t=A ts=                     its coordinator moves its write timestamp
 *   txn_step t=A                            its coordinator moves to the next sequence number
 *   txn_refresh t=A                         its coordinator moves its read timestamp to its write timestamp
 *   finalized t=B status=COMMITTED|ABORTED [ts=]   the store remembers B finished (committed at ts)
 *
 * `eval [t=A | ts=] [max_keys=] [target_bytes=] [inconsistent]` starts a batch (with A's current
 * state as the header transaction); the request lines after it join the batch:
 *
 *   get k=                    scan|rscan k= end=          put k= (v= | int=)     cput k= v= [cond=] [allow_missing]
 *   inc k= by=                del k=                      del_range k= end= [return_keys]
 *   end_txn (commit|abort) [locks=(a,b-c)] [deadline=] [in_flight=(k:seq)] [trigger]
 *   heartbeat_txn now=        push_txn pushee=B [pusher=A] type=timestamp|abort|touch [to=] [force]
 *   query_txn txn=B           resolve k= txn=B status=    resolve_range k= end= txn=B status=
 *   query_intent k= txn=B seq= [prevent]                  recover_txn txn=B [committed]
 *   refresh k= from=          refresh_range k= end= from= gc keys=(a@10,b@20) threshold=
 *   split k=                  merge k=
 *
 * The writes (put, cput, inc, del, del_range) take `seq=N`, the request's own sequence number;
 * without it they write at the header transaction's sequence (`txn_step`).
 *
 * A batch runs when the next `eval` or setup line comes, or the case ends. Its responses, the
 * transaction it returned and its side effects are printed; the transaction is kept as the
 * coordinator's. An error ends the case. After every batch the kept statistics are compared with
 * statistics recomputed from the engine (so a failed batch must leave them as they were). The
 * case ends with a dump: `data:` versions, `lock:` intents, `record:` transaction records.
 */
import { assert } from '../../../src/base/assert.js';
import { RangedbError } from '../../../src/base/errors.js';
import { rangeId, replicaId, nodeId, storeId, txnId, type RangeId } from '../../../src/base/ids.js';
import { timestamp, type Timestamp } from '../../../clock/timestamp.js';
import {
  adminMergeRequest,
  adminSplitRequest,
  batchHeader,
  batchRequest,
  compareKeys,
  keyNext,
  conditionalPutRequest,
  deleteRangeRequest,
  deleteRequest,
  endTxnRequest,
  gcRequest,
  getRequest,
  heartbeatTxnRequest,
  incrementRequest,
  pushTxnRequest,
  putRequest,
  queryTxnRequest,
  queryIntentRequest,
  recoverTxnRequest,
  rangeDescriptor,
  refreshRangeRequest,
  refreshRequest,
  resolveIntentRangeRequest,
  resolveIntentRequest,
  reverseScanRequest,
  scanRequest,
  span,
  transaction,
  txnMeta,
  type PushType,
  type RangeDescriptor,
  type Request,
  type Response,
  type RKey,
  type Span,
  type Transaction,
  type TransactionStatus,
} from '../../../kv/api/index.js';
import { Batch } from '../../../kv/storage/batch.js';
import type { Engine } from '../../../kv/storage/engine.js';
import { computeStats, decodeDataKey, decodeIntent, decodeKeyRecord, decodeLockKey, decodeTagged, emptyStats, lockTablePrefix, type MvccStats } from '../../../kv/storage/mvcc/index.js';
import { decodeTxnRecord, encodeInt64, evaluateBatch, txnRecordPrefix, type SideEffect } from '../../../kv/eval/index.js';
import { parseCommand, type Command, type TestCase } from '../../support/datadriven.js';
import { fmtKey, fmtTs, parseTs } from '../storage/mvcc/mvcc-script.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const setupCommands = new Set(['range', 'neighbour', 'split_id', 'now', 'txn', 'txn_advance', 'txn_refresh', 'txn_step', 'finalized']);

function descriptor(id: number, start: string, end: string, generation = 0): RangeDescriptor {
  return rangeDescriptor({
    rangeId: rangeId(id),
    startKey: enc(start) as RKey,
    endKey: enc(end) as RKey,
    replicas: [{ nodeId: nodeId(1), storeId: storeId(1), replicaId: replicaId(1), type: 'voter' }],
    nextReplicaId: replicaId(2),
    generation,
  });
}

interface PendingBatch {
  readonly header: Command;
  readonly requests: Request[];
}

export class EvalScript {
  private readonly txns = new Map<string, Transaction>();
  private readonly names = new Map<string, string>();
  private readonly stats: MvccStats = emptyStats();
  private desc: RangeDescriptor = descriptor(1, 'a', 'z');
  private neighbour: RangeDescriptor | undefined;
  private splitId: RangeId | undefined;
  private now: Timestamp = timestamp(0n);
  /** What the store's finalized-transaction cache holds (`finalized`). */
  private readonly finalized = new Map<string, Transaction>();

  constructor(private readonly engine: Engine) {}

  async runCase(testCase: TestCase): Promise<string> {
    const mode = testCase.directive.split(/\s+/).pop();
    assert(testCase.directive.startsWith('run') && (mode === 'ok' || mode === 'error'), `directive must be 'run ok|error': ${testCase.directive}`);
    const out: string[] = [];
    let failed = false;
    let pending: PendingBatch | undefined;
    const flush = async (): Promise<void> => {
      if (pending === undefined) return;
      const batch = pending;
      pending = undefined;
      await this.runBatch(batch, out);
    };
    try {
      for (const line of testCase.input) {
        const cmd = parseCommand(line);
        if (cmd.name === 'eval') {
          await flush();
          this.currentTxnName = cmd.args.get('t');
          pending = { header: cmd, requests: [] };
        } else if (setupCommands.has(cmd.name)) {
          await flush();
          this.setup(cmd);
        } else {
          if (pending === undefined) throw new Error(`request outside a batch: ${line}`);
          pending.requests.push(this.request(cmd));
        }
      }
      await flush();
    } catch (error) {
      if (!(error instanceof RangedbError)) throw error;
      out.push(`error: ${error.name}: ${this.rename(error.message)}`);
      failed = true;
    }
    await this.checkStats();
    if (mode === 'ok' && failed) throw new Error(`case at line ${testCase.line} is 'run ok' but failed:\n${out.join('\n')}`);
    if (mode === 'error' && !failed) throw new Error(`case at line ${testCase.line} is 'run error' but succeeded`);
    out.push(...(await this.dump()));
    return out.join('\n');
  }

  private setup(cmd: Command): void {
    switch (cmd.name) {
      case 'range':
        this.desc = descriptor(Number(cmd.args.get('id') ?? 1), this.arg(cmd, 'start'), this.arg(cmd, 'end'), Number(cmd.args.get('gen') ?? 0));
        return;
      case 'neighbour':
        this.neighbour = descriptor(Number(this.arg(cmd, 'id')), this.arg(cmd, 'start'), this.arg(cmd, 'end'), Number(cmd.args.get('gen') ?? 0));
        return;
      case 'split_id':
        this.splitId = rangeId(Number(this.arg(cmd, 'id')));
        return;
      case 'now':
        this.now = parseTs(this.arg(cmd, 'ts'));
        return;
      case 'txn': {
        const name = this.arg(cmd, 't');
        const ts = parseTs(this.arg(cmd, 'ts'));
        const id = txnId(Buffer.from(name.padEnd(16, '_')).toString('hex').slice(0, 32));
        this.names.set(id.slice(0, 8), name);
        const unc = cmd.args.get('unc');
        this.txns.set(name, transaction({
          id,
          key: enc(cmd.args.get('anchor') ?? 'a'),
          epoch: Number(cmd.args.get('epoch') ?? 0),
          writeTimestamp: ts,
          minTimestamp: ts,
          priority: Number(cmd.args.get('priority') ?? 0),
          sequence: 0,
          name,
          status: 'PENDING',
          readTimestamp: ts,
          globalUncertaintyLimit: unc === undefined ? ts : parseTs(unc),
          ignoredSequences: [],
          lockSpans: [],
          inFlightWrites: [],
          lastHeartbeat: timestamp(0n),
        }));
        return;
      }
      case 'txn_advance':
        return this.updateTxn(cmd, (t) => transaction({ ...t, writeTimestamp: parseTs(this.arg(cmd, 'ts')) }));
      case 'txn_step':
        return this.updateTxn(cmd, (t) => transaction({ ...t, sequence: t.sequence + 1 }));
      case 'txn_refresh':
        return this.updateTxn(cmd, (t) => transaction({ ...t, readTimestamp: t.writeTimestamp }));
      case 'finalized': {
        const t = this.txn(this.arg(cmd, 't'));
        const status = this.arg(cmd, 'status');
        if (status !== 'COMMITTED' && status !== 'ABORTED') throw new Error(`finalized status must be COMMITTED or ABORTED: ${cmd.text}`);
        const ts = cmd.args.get('ts');
        this.finalized.set(t.id, transaction({ ...t, status, ...(ts === undefined ? {} : { writeTimestamp: parseTs(ts) }) }));
        return;
      }
      default:
        throw new Error(`unknown setup command ${cmd.text}`);
    }
  }

  private request(cmd: Command): Request {
    const key = (): Uint8Array => enc(this.arg(cmd, 'k'));
    const end = (): Uint8Array => enc(this.arg(cmd, 'end'));
    const seq = cmd.args.get('seq');
    const write = seq === undefined ? {} : { sequence: Number(seq) };
    switch (cmd.name) {
      case 'get':
        return getRequest(key());
      case 'scan':
        return scanRequest(key(), end());
      case 'rscan':
        return reverseScanRequest(key(), end());
      case 'put':
        return putRequest(key(), cmd.args.has('int') ? encodeInt64(BigInt(this.arg(cmd, 'int'))) : enc(this.arg(cmd, 'v')), write);
      case 'cput':
        return conditionalPutRequest(key(), enc(this.arg(cmd, 'v')), cmd.args.has('cond') ? enc(this.arg(cmd, 'cond')) : undefined, { allowIfDoesNotExist: cmd.args.has('allow_missing'), ...write });
      case 'inc':
        return incrementRequest(key(), BigInt(this.arg(cmd, 'by')), write);
      case 'del':
        return deleteRequest(key(), write);
      case 'del_range':
        return deleteRangeRequest(key(), end(), { returnKeys: cmd.args.has('return_keys'), ...write });
      case 'end_txn':
        return this.endTxn(cmd);
      case 'heartbeat_txn':
        return heartbeatTxnRequest(this.headerTxnAnchor(), parseTs(this.arg(cmd, 'now')));
      case 'push_txn': {
        const pushee = this.txn(this.arg(cmd, 'pushee'));
        const pusher = cmd.args.has('pusher') ? txnMeta(this.txn(this.arg(cmd, 'pusher'))) : undefined;
        const to = cmd.args.get('to');
        return pushTxnRequest({ pusher, pushee: txnMeta(pushee), pushTo: to === undefined ? pushee.writeTimestamp : parseTs(to), pushType: this.arg(cmd, 'type') as PushType, force: cmd.args.has('force') });
      }
      case 'query_txn':
        return queryTxnRequest(txnMeta(this.txn(this.arg(cmd, 'txn'))));
      case 'query_intent':
        return queryIntentRequest(key(), { txn: txnMeta(this.txn(this.arg(cmd, 'txn'))), sequence: Number(this.arg(cmd, 'seq')), prevent: cmd.args.has('prevent') });
      case 'recover_txn':
        return recoverTxnRequest(txnMeta(this.txn(this.arg(cmd, 'txn'))), cmd.args.has('committed'));
      case 'resolve':
      case 'resolve_range': {
        const t = this.txn(this.arg(cmd, 'txn'));
        const fields = { intentTxn: txnMeta(t), status: this.arg(cmd, 'status') as TransactionStatus, ignoredSequences: t.ignoredSequences };
        return cmd.name === 'resolve' ? resolveIntentRequest(key(), fields) : resolveIntentRangeRequest(key(), end(), fields);
      }
      case 'refresh':
        return refreshRequest(key(), parseTs(this.arg(cmd, 'from')));
      case 'refresh_range':
        return refreshRangeRequest(key(), end(), parseTs(this.arg(cmd, 'from')));
      case 'gc': {
        const keys = this.list(cmd, 'keys').map((item) => {
          const [k, ts] = item.split('@');
          return { key: enc(k!), timestamp: parseTs(ts!) };
        });
        // The request spans the range, widened to its keys (so a key outside the range can be sent).
        let start: Uint8Array = this.desc.startKey;
        let stop: Uint8Array = this.desc.endKey;
        for (const { key } of keys) {
          if (compareKeys(key, start) < 0) start = key;
          if (compareKeys(key, stop) >= 0) stop = keyNext(key);
        }
        return gcRequest(start, stop, keys, parseTs(this.arg(cmd, 'threshold')));
      }
      case 'split':
        return adminSplitRequest(key());
      case 'merge':
        return adminMergeRequest(key());
      default:
        throw new Error(`unknown request ${cmd.text}`);
    }
  }

  private endTxn(cmd: Command): Request {
    const locks = this.list(cmd, 'locks').map((item): Span => {
      const [start, stop] = item.split('-');
      return stop === undefined ? span(enc(start!)) : span(enc(start!), enc(stop));
    });
    const inFlightWrites = this.list(cmd, 'in_flight').map((item) => {
      const [k, seq] = item.split(':');
      return { key: enc(k!), sequence: Number(seq) };
    });
    const deadline = cmd.args.get('deadline');
    const commit = cmd.args.has('commit');
    assert(commit !== cmd.args.has('abort'), 'end_txn needs commit or abort');
    const trigger = cmd.args.has('trigger') ? { kind: 'split' as const, left: this.desc, right: this.desc } : undefined;
    return endTxnRequest({ key: this.headerTxnAnchor(), commit, lockSpans: locks, inFlightWrites, ...(deadline === undefined ? {} : { deadline: parseTs(deadline) }), ...(trigger === undefined ? {} : { commitTrigger: trigger }) });
  }

  private currentTxnName: string | undefined;

  private headerTxnAnchor(): Uint8Array {
    assert(this.currentTxnName !== undefined, 'this request needs eval t=…');
    return this.txn(this.currentTxnName).key;
  }

  private async runBatch(pending: PendingBatch, out: string[]): Promise<void> {
    const h = pending.header;
    const name = h.args.get('t');
    const requests = pending.requests;
    const txn = name === undefined ? undefined : this.txn(name);
    const header = batchHeader({
      timestamp: txn?.readTimestamp ?? parseTs(this.arg(h, 'ts')),
      txn,
      now: this.now,
      readConsistency: h.args.has('inconsistent') ? 'inconsistent' : 'consistent',
      maxSpanRequestKeys: Number(h.args.get('max_keys') ?? 0),
      targetBytes: Number(h.args.get('target_bytes') ?? 0),
    });
    const batch = new Batch(this.engine);
    const result = await evaluateBatch(
      { rangeId: this.desc.rangeId, descriptor: this.desc, stats: this.stats, now: this.now, finalizedTxn: (id) => this.finalized.get(id), ...(this.splitId === undefined ? {} : { splitRangeId: this.splitId }), ...(this.neighbour === undefined ? {} : { rightNeighbour: this.neighbour }) },
      batch,
      batchRequest(header, requests),
    );
    await this.engine.commit(batch.ops, { sync: false });
    for (const response of result.responses) out.push(...this.fmtResponse(response));
    if (name !== undefined && result.updatedTxn !== undefined) {
      this.txns.set(name, result.updatedTxn);
      out.push(`txn: ${this.fmtTxn(result.updatedTxn)}${result.onePhaseCommit ? ' (1PC)' : ''}`);
    }
    for (const effect of result.sideEffects) out.push(`effect: ${this.fmtEffect(effect)}`);
    await this.checkStats();
  }

  private fmtResponse(r: Response): string[] {
    switch (r.kind) {
      case 'get':
        return [`get: ${r.value === undefined ? '<none>' : `${fmtKey(r.value)} @${fmtTs(r.timestamp!)}`}`];
      case 'scan':
      case 'reverseScan': {
        const lines = r.rows.map((row) => `${r.kind}: ${fmtKey(row.key)} -> ${fmtKey(row.value)} @${fmtTs(row.timestamp)}`);
        if (lines.length === 0) lines.push(`${r.kind}: <no rows>`);
        if (r.resumeSpan !== undefined) lines.push(`${r.kind}: resume ${fmtSpan(r.resumeSpan)} (${r.resumeReason})`);
        return lines;
      }
      case 'increment':
        return [`increment: ${r.newValue}`];
      case 'delete':
        return [`delete: ${r.foundKey ? 'found' : 'not found'}`];
      case 'deleteRange':
        return [`deleteRange: keys ${r.keys.map(fmtKey).join(' ') || '<none>'}${r.resumeSpan === undefined ? '' : ` resume ${fmtSpan(r.resumeSpan)}`}`];
      case 'endTxn':
        return [`endTxn: ${this.fmtTxn(r.txn)}${r.onePhaseCommit ? ' onePhaseCommit' : ''}`];
      case 'heartbeatTxn':
        return [`heartbeatTxn: ${this.fmtTxn(r.txn)}`];
      case 'pushTxn':
        return [`pushTxn: ${this.fmtTxn(r.pusheeTxn)}`];
      case 'queryTxn':
        return [`queryTxn: ${this.fmtTxn(r.queriedTxn)}`];
      case 'queryIntent':
        return [`queryIntent: ${r.foundIntent ? 'found' : 'missing'}`];
      case 'recoverTxn':
        return [`recoverTxn: ${this.fmtTxn(r.recoveredTxn)}`];
      case 'resolveIntentRange':
        return [`resolveIntentRange: ok${r.resumeSpan === undefined ? '' : ` resume ${fmtSpan(r.resumeSpan)}`}`];
      case 'adminSplit':
        return [`adminSplit: left ${fmtDesc(r.left)} right ${fmtDesc(r.right)}`];
      case 'adminMerge':
        return [`adminMerge: merged ${fmtDesc(r.merged)}`];
      default:
        return [`${r.kind}: ok`];
    }
  }

  private fmtEffect(e: SideEffect): string {
    switch (e.kind) {
      case 'resolveIntents':
        return `resolveIntents ${this.txnName(e.txn.id)} ${e.status} ${e.spans.map(fmtSpan).join(' ')}`;
      case 'txnUpdated':
        return `txnUpdated ${this.fmtTxn(e.txn)}`;
      case 'gcThreshold':
        return `gcThreshold ${fmtTs(e.threshold)}`;
      case 'commitTrigger':
        return `commitTrigger ${e.trigger.kind}`;
      case 'adminSplit':
        return `adminSplit ${fmtDesc(e.left)} | ${fmtDesc(e.right)}`;
      case 'adminMerge':
        return `adminMerge ${fmtDesc(e.left)} + ${fmtDesc(e.right)} = ${fmtDesc(e.merged)}`;
      case 'intentsReadAround':
        return `intentsReadAround ${e.intents.map((i) => `${fmtKey(i.key)}@${this.txnName(i.txn.id)}`).join(' ')}`;
    }
  }

  private fmtTxn(t: Transaction): string {
    const locks = t.lockSpans.length === 0 ? '' : ` locks=${t.lockSpans.map(fmtSpan).join(',')}`;
    const hb = t.lastHeartbeat.wallNanos === 0n && t.lastHeartbeat.logical === 0 ? '' : ` heartbeat=${fmtTs(t.lastHeartbeat)}`;
    const inFlight = t.inFlightWrites.length === 0 ? '' : ` in_flight=${t.inFlightWrites.map((w) => `${fmtKey(w.key)}:${w.sequence}`).join(',')}`;
    return `${this.txnName(t.id)} ${t.status} read=${fmtTs(t.readTimestamp)} write=${fmtTs(t.writeTimestamp)}${hb}${locks}${inFlight}`;
  }

  private async checkStats(): Promise<void> {
    const computed = await computeStats(this.engine, Uint8Array.of(0x02), Uint8Array.of(0xff, 0xff, 0xff));
    if (JSON.stringify(computed) !== JSON.stringify(this.stats)) throw new Error(`stats drifted:\n kept     ${JSON.stringify(this.stats)}\n computed ${JSON.stringify(computed)}`);
  }

  private async dump(): Promise<string[]> {
    const data: string[] = [];
    const locks: string[] = [];
    const records: string[] = [];
    const it = this.engine.iterate({ lowerBound: new Uint8Array(0), upperBound: Uint8Array.of(0xff, 0xff, 0xff, 0xff) });
    for (let kv = await it.next(); kv !== undefined; kv = await it.next()) {
      if (startsWith(kv.key, lockTablePrefix)) {
        const intent = decodeIntent(kv.value);
        locks.push(`lock: ${fmtKey(decodeLockKey(kv.key))} -> ${this.txnName(intent.txn.id)} @${fmtTs(intent.txn.writeTimestamp)} ${intent.value === null ? '<tombstone>' : fmtKey(intent.value)}`);
        continue;
      }
      if (startsWith(kv.key, txnRecordPrefix)) {
        records.push(`record: ${this.fmtTxn(decodeTxnRecord(kv.value))}`);
        continue;
      }
      const decoded = decodeDataKey(kv.key);
      const version = decoded.timestamp === undefined ? decodeKeyRecord(kv.value).newest : { timestamp: decoded.timestamp, value: decodeTagged(kv.value) };
      if (version === undefined) continue;
      data.push(`data: ${fmtKey(decoded.userKey)}/${fmtTs(version.timestamp)} -> ${version.value === null ? '<tombstone>' : fmtKey(version.value)}`);
    }
    it.close();
    const lines = [...data, ...locks, ...records];
    return lines.length === 0 ? ['<no data>'] : lines;
  }

  private txn(name: string): Transaction {
    const t = this.txns.get(name);
    if (t === undefined) throw new Error(`unknown txn ${name}`);
    return t;
  }

  private updateTxn(cmd: Command, update: (t: Transaction) => Transaction): void {
    const name = this.arg(cmd, 't');
    this.txns.set(name, update(this.txn(name)));
  }

  private txnName(id: string): string {
    return this.names.get(id.slice(0, 8)) ?? id.slice(0, 8);
  }

  private rename(message: string): string {
    let out = message;
    for (const [short, name] of this.names) out = out.replaceAll(short, name);
    return out;
  }

  private list(cmd: Command, name: string): string[] {
    const text = cmd.args.get(name);
    if (text === undefined) return [];
    const inner = text.replace(/^\(|\)$/g, '');
    return inner === '' ? [] : inner.split(',');
  }

  private arg(cmd: Command, name: string): string {
    const value = cmd.args.get(name);
    if (value === undefined) throw new Error(`${cmd.name}: missing ${name}=`);
    return value;
  }
}

function fmtSpan(s: Span): string {
  return s.endKey === undefined ? fmtKey(s.key) : `[${fmtKey(s.key)}, ${fmtKey(s.endKey)})`;
}

function fmtDesc(d: RangeDescriptor): string {
  return `r${d.rangeId} [${fmtKey(d.startKey)}, ${fmtKey(d.endKey)}) gen=${d.generation}`;
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  return key.length >= prefix.length && prefix.every((b, i) => key[i] === b);
}
