/**
 * The write buffer (CockroachDB's `txnWriteBuffer`): a transaction's blind writes are held in the
 * coordinator until the transaction next has to talk to the cluster, and then ride in that batch
 * — a **request batch** built across operations instead of within one.
 *
 * Why: a write that is sent on its own costs a Raft round (and a synced log append) before the
 * caller may go on, and it leaves an intent that commit must resolve. Buffered, the common
 * "write, write, commit" transaction sends one batch, `[put, put, EndTxn]`; when those writes are
 * on one range, kv/eval commits it in **one phase** — no transaction record, no intents, one Raft
 * round instead of three. Writes that precede a read go down in the read's batch, ahead of it,
 * so one round trip carries both.
 *
 * ```
 *   put a ──► buffer [a]          (answered here, nothing sent)
 *   put b ──► buffer [a, b]
 *   get a ──► answered from the buffer                  (nothing sent)
 *   scan  ──► send [scan] ──► rows with a, b laid over  (reads go around the buffer)
 *   cput c ─► send [a, b, cput c] ──► answer cput c     (a, b stripped from the response)
 *   put d ──► buffer [d]
 *   commit ─► send [d, EndTxn]                          (one phase if d's range holds the record)
 * ```
 *
 * The rules that keep it invisible to the caller:
 * - Only `put` is buffered: its answer carries nothing, so answering it here is exact. A delete
 *   (which reports whether it found a value), a conditional put (whose condition must be checked
 *   now) or a read is sent at once, with the buffer in front of it — except the conditional put
 *   of a **fresh key** (below).
 * - Plain reads (no locking, no key or byte limit) go around the buffer: a Get of a buffered key
 *   is answered with the newest buffered value, and the rows of a Scan or ReverseScan get the
 *   buffered values of their span laid over them (inserted in key order, or replacing the row
 *   read) — up to its resume span, whose continuation gets the same treatment. So reading one's
 *   own writes costs no round trip, and the writes still ride with the commit. A read answered
 *   from the buffer needs no refresh: its value depends on no one else.
 * - A locking read or a limited read that touches no buffered key goes around the buffer too
 *   (what it reads or locks does not depend on the held writes).
 * - Anything else — a locking or limited read of a buffered key, any other request — takes the
 *   buffer down ahead of it, in the order the writes were made, and the sequence allocator
 *   (below) numbers them in that order: every request sees exactly the writes made before it,
 *   as if each write had been sent when it was made.
 * - Bad input is refused by `Txn` before a write reaches the buffer (`checkBatch`), so a refused
 *   write still fails at its own call.
 * - A batch that carried the buffer and failed leaves the writes in the buffer: they go again,
 *   in front of the next batch. Whether the failed batch applied them or not, writing the same
 *   value again is harmless (the idempotent-receiver property of an intent: a later sequence of
 *   the same transaction just replaces it). After a retryable error the epoch restarts and the
 *   buffer is dropped with the rest of the epoch's state.
 * - Under `locked`, the put of the transaction's anchor (the key its record lives at) stays held
 *   past data requests that miss it and goes with the commit, where the record's range writes
 *   and resolves it in one command (`anchorHeldBack`).
 * - Held writes carry their sequences (the allocator above numbers a write when it is made),
 *   and a read sees only those at or below its read sequence (its batch header's): a statement
 *   whose reads are pinned at its start (`Txn.step`) does not see the puts it holds here itself,
 *   as the server does not see the ones it sent.
 * - A key put twice is held once, with its newest value: nothing can read the older one (a
 *   savepoint sends the buffer first), and a commit batch writing a key twice could not commit
 *   in one phase. Except across a pinned read sequence: a held put a read at the pin still sees
 *   is not replaced by one it must not see — the new put goes down with the buffer instead, so
 *   the server's intent keeps both (`tryBuffer`).
 * - A rollback drops the buffer: what was never sent needs no undoing.
 * - **Fresh keys** (`noteFresh`): the caller vouches that a key was generated unique for this
 *   write — SQL's hidden `rowid`, filled by `unique_rowid()` (sql/exec/row-writer.ts) — so no one
 *   else writes it and its "expect absent" conditional put is held like a locked key's put, under
 *   either policy, and answered here as succeeded. Its condition is not dropped: the store checks
 *   it when the put goes down, at the latest with the commit, so a duplicate (a generator bug, two
 *   nodes' ids meeting) still fails — with the batch that carries it, at the latest the commit,
 *   instead of at the statement: with the caller's error for the key (`noteFresh`'s `violation`:
 *   the row writer's 23505 naming the table's primary key), else `ConditionFailedError`. In TPC-B the INSERT into pgbench_history
 *   was a Raft round of its own, taken while the transaction held the hot branch row's lock; held,
 *   it rides in the commit's batch. A held conditional put is never replaced by a later write of
 *   its key (that write goes down with the buffer, behind it), so the check is never lost.
 * - `flush()` sends the buffer on its own: a savepoint must know every write made before it;
 *   `discard()` drops it: a rollback to a savepoint undoes every write held since.
 * - At most `limits.txnWriteBufferBytesMax` bytes are held (CockroachDB's 4 MiB default): a put
 *   that would pass it is sent at once, with the buffer.
 *
 * The price: a write's conflicts (an intent of another transaction, a newer committed value) are
 * met when the buffer goes down, not when the write was made — the same errors, later — and,
 * until then, other transactions read past the write instead of waiting for it. Two policies:
 * - `all`: every put is held (the KV API's default).
 * - `locked`: only a put of a key this transaction holds an exclusive lock on (an earlier
 *   locking read: SQL's UPDATE and SELECT … FOR UPDATE take them) is held; any other goes down
 *   at once, as an intent. Holding a locked key's write changes no conflict: no one else can
 *   write or lock the key until this transaction ends. Without the lock, contending read-then-
 *   write transactions would find their conflicts only at commit and restart each other over
 *   and over; SQL sessions use this policy.
 */
import { assert } from '../src/base/assert.js';
import type { Timestamp } from '../clock/timestamp.js';
import {
  batchRequest,
  batchResponse,
  compareKeys,
  ConditionFailedError,
  conditionalPutResponse,
  getResponse,
  putResponse,
  requestSpan,
  reverseScanResponse,
  scanResponse,
  type BatchRequest,
  type BatchResponse,
  type ConditionalPutRequest,
  type GetRequest,
  type KeyValueRow,
  type PutRequest,
  type Request,
  type Response,
  type ReverseScanRequest,
  type ReverseScanResponse,
  type ScanRequest,
  type ScanResponse,
} from '../kv/api/index.js';
import { batchTxn, type SendFn, type TxnInterceptor } from './interceptor.js';

export type WriteBufferPolicy = 'all' | 'locked';

export class WriteBuffer implements TxnInterceptor {
  /** By key (`keyId`), in first-written order; a key's newest put, or a fresh key's conditional put. */
  private buffered = new Map<string, HeldWrite>();
  private bufferedBytes = 0;
  /** The highest sequence of a write this epoch sent down (0: none): a rollback's writes held only need no ignoring. */
  private sentSequenceMax = 0;
  /** Keys (`keyId`) this epoch's exclusive locking reads locked: the `locked` policy's puts. */
  private readonly lockedKeys = new Set<string>();
  /**
   * Keys (`keyId`) vouched fresh this epoch (`noteFresh`): their "expect absent" conditional puts
   * may be held. Each with the caller's error for its failed check, if it gave one.
   */
  private readonly freshKeys = new Map<string, FreshKeyViolation | undefined>();

  constructor(
    /** Most bytes (keys and values) held; 0 turns buffering off. */
    private readonly bytesMax: number,
    private readonly policy: WriteBufferPolicy = 'all',
    /**
     * The lowest read sequence a later read may still read at (a statement's pin, `Txn.step`,
     * also while `readingLatest` lifts it), or undefined: reads see every write.
     */
    private readonly readSequenceFloor: () => number | undefined = () => undefined,
  ) {
    assert(Number.isSafeInteger(bytesMax) && bytesMax >= 0, 'the write buffer limit is a non-negative integer');
  }

  /**
   * Whether a write above `sequence` went down (it may have left an intent): a rollback to a
   * savepoint at `sequence` must then ignore the sequences since; otherwise every write since
   * was held, and dropping them undoes them.
   */
  sentAbove(sequence: number): boolean {
    return this.sentSequenceMax > sequence;
  }

  /**
   * Notes keys the caller generated unique for this transaction's next writes (see "Fresh keys"
   * in the module comment): their conditional puts expecting no value may be held. Forgotten at
   * an epoch restart, whose retry generates new keys.
   */
  noteFresh(keys: readonly Uint8Array[], violation?: FreshKeyViolation): void {
    for (const key of keys) this.freshKeys.set(keyId(key), violation);
  }

  /** Writes held and not yet sent. */
  get size(): number {
    return this.buffered.size;
  }

  send(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    const last = batch.requests[batch.requests.length - 1];
    if (last?.kind === 'endTxn' && !last.commit) this.drop(); // a rollback: never sent, nothing to undo
    else if (this.tryBuffer(batch)) return Promise.resolve(batchResponse(batch, { txn: batchTxn(batch), now: batch.header.now }, batch.requests.map(heldResponse)));
    else if (this.buffered.size > 0 && this.readsAroundBuffer(batch)) return this.readAroundBuffer(batch, next);
    return this.sendWithBuffer(batch, next);
  }

  /**
   * Sends the buffered writes on their own, under the header of `batch` (which has no requests
   * of its own), e.g. before a savepoint; `next` is the stack below this interceptor.
   */
  async flush(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    assert(batch.requests.length === 0, 'a flush carries only the buffer');
    const writes = this.buffered;
    if (writes.size === 0) return batchResponse(batch, { txn: batchTxn(batch), now: batch.header.now }, []);
    const response = await this.sendHeld(next, batchRequest(batch.header, [...writes.values()]));
    if (this.buffered === writes) this.drop();
    return batchResponse(batch, response.header, []);
  }

  /**
   * Drops every held write: a rollback to a savepoint undoes them (a savepoint sends the buffer
   * first, so what is held was written after it). A held write that a failed batch may have
   * laid down already got its sequence then, which the rollback's ignored range covers.
   */
  discard(): void {
    this.drop();
  }

  epochBumped(): void {
    this.drop();
    this.sentSequenceMax = 0;
    this.lockedKeys.clear();
    this.freshKeys.clear();
  }

  /**
   * Sends a batch carrying held writes. A held fresh key's check that failed there (a duplicate
   * generated key: its statement was answered long ago) fails as the caller said it would
   * (`noteFresh`'s `violation`: SQL's 23505 naming the constraint), not with the store's error.
   */
  private async sendHeld(next: SendFn, batch: BatchRequest): Promise<BatchResponse> {
    try {
      return await next(this.noteSent(batch));
    } catch (error) {
      throw this.freshKeyFailure(error);
    }
  }

  /** `error`, or the caller's error for it if it is the failed check of a held fresh key. */
  private freshKeyFailure(error: unknown): unknown {
    if (!(error instanceof ConditionFailedError)) return error;
    const id = keyId(error.key);
    const violation = this.freshKeys.get(id);
    const held = this.buffered.get(id); // a failed batch leaves its held writes held
    return violation === undefined || held?.kind !== 'conditionalPut' ? error : violation(held.key, held.value);
  }

  /** Holds `batch` if it is all holdable writes (`holdable`) that fit; whether it did. */
  private tryBuffer(batch: BatchRequest): boolean {
    if (this.bytesMax === 0) return false;
    let bytes = 0;
    const floor = this.readSequenceFloor();
    for (const request of batch.requests) {
      if (!this.holdable(request)) return false;
      if (floor !== undefined && this.hidesVisible(request, floor)) return false;
      bytes += request.key.length + request.value.length;
    }
    if (this.bufferedBytes + bytes > this.bytesMax || writesCheckedKeyTwice(batch.requests as readonly HeldWrite[])) return false;
    for (const request of batch.requests) {
      const put = request as HeldWrite;
      const id = keyId(put.key);
      const replaced = this.buffered.get(id);
      if (replaced !== undefined) this.bufferedBytes -= replaced.key.length + replaced.value.length;
      this.buffered.set(id, put);
      this.bufferedBytes += put.key.length + put.value.length;
    }
    return true;
  }

  /**
   * Whether `request` may be held: a put (under `locked`, of a locked key) or a fresh key's
   * conditional put expecting no value — and never in place of a held conditional put, whose
   * check would be lost (the write goes down behind it instead).
   */
  private holdable(request: Request): request is HeldWrite {
    if (request.kind !== 'put' && request.kind !== 'conditionalPut') return false;
    const id = keyId(request.key);
    const held = this.buffered.get(id);
    // A conditional put after a held write of its key checks against that write: sent, in order.
    if (request.kind === 'conditionalPut') return held === undefined && request.expectedValue === undefined && !request.allowIfDoesNotExist && this.freshKeys.has(id);
    if (held?.kind === 'conditionalPut') return false;
    return this.policy !== 'locked' || this.lockedKeys.has(id);
  }

  /**
   * Whether holding `put` in place of the held put of its key would lose a value a read at
   * `floor` must see: the held one is at or below it, the new one above.
   */
  private hidesVisible(put: HeldWrite, floor: number): boolean {
    const held = this.buffered.get(keyId(put.key));
    return held !== undefined && sequenceOf(held) <= floor && sequenceOf(put) > floor;
  }

  private async sendWithBuffer(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    if (this.buffered.size === 0) return this.noteLocks(batch, await next(this.noteSent(batch)));
    const writes = this.buffered;
    const anchorId = this.anchorHeldBack(batch);
    const sent = anchorId === undefined ? [...writes.values()] : [...writes].filter(([id]) => id !== anchorId).map(([, put]) => put);
    const carried: readonly Request[] = [...sent, ...batch.requests];
    const response = await this.sendHeld(next, batchRequest(batch.header, carried));
    // Sent and answered: the writes are the cluster's now (a failure above kept them here).
    if (this.buffered === writes) {
      const anchorPut = anchorId === undefined ? undefined : writes.get(anchorId);
      this.drop();
      if (anchorPut !== undefined) this.hold(anchorId!, anchorPut);
    }
    return this.noteLocks(batch, batchResponse(batch, response.header, response.responses.slice(sent.length)));
  }

  /**
   * The key (`keyId`) of a held put of the transaction's anchor — the key its record lives at —
   * that stays held while `batch` goes down without it, or undefined when everything goes.
   *
   * Why: the anchor's write rides with the commit instead, on the record's own range, where the
   * EndTxn writes it and resolves it in the same Raft command (end-txn.ts strips an in-flight
   * write on the record's range, so the commit neither stages nor changes shape because of it).
   * In TPC-B the anchor is the account row (the first UPDATE's locked row): the INSERT that takes
   * the buffer down sends three writes instead of four, and the account's intent is never laid
   * down on its own — one Raft proposal and one replica batch less per transaction, on a
   * different path than the contended teller and branch rows, whose writes still go first.
   *
   * Why it is safe: under the `locked` policy the anchor's put is only held because the
   * transaction holds the key's exclusive lock, so holding it longer changes no conflict; and
   * the write stays held only past requests that cannot observe it — plain data reads and
   * writes whose keys and spans all miss the anchor. A commit, a savepoint (`flush`), anything
   * else, or any request touching the anchor takes it down as before, in order.
   */
  private anchorHeldBack(batch: BatchRequest): string | undefined {
    if (this.policy !== 'locked') return undefined;
    const anchor = batchTxn(batch).key;
    if (anchor.length === 0) return undefined;
    const anchorId = keyId(anchor);
    if (!this.buffered.has(anchorId)) return undefined;
    for (const request of batch.requests) {
      if (!holdableAround.has(request.kind)) return undefined;
      const s = requestSpan(request);
      if (s.endKey === undefined ? compareKeys(s.key, anchor) === 0 : compareKeys(anchor, s.key) >= 0 && compareKeys(anchor, s.endKey) < 0) return undefined;
    }
    return anchorId;
  }

  private hold(id: string, put: HeldWrite): void {
    this.buffered.set(id, put);
    this.bufferedBytes += put.key.length + put.value.length;
  }

  /** Remembers the keys `batch`'s exclusive locking reads locked (the rows they returned). */
  private noteLocks(batch: BatchRequest, response: BatchResponse): BatchResponse {
    if (this.policy !== 'locked') return response;
    batch.requests.forEach((request, i) => {
      if ((request.kind !== 'get' && request.kind !== 'scan' && request.kind !== 'reverseScan') || request.keyLocking !== 'exclusive' || request.lockProbe === true) return;
      const answer = response.responses[i]!;
      if (answer.kind === 'get') this.lockedKeys.add(keyId(request.key));
      else if (answer.kind === 'scan' || answer.kind === 'reverseScan') for (const row of answer.rows) this.lockedKeys.add(keyId(row.key));
    });
    return response;
  }

  /**
   * Answers a batch of plain reads (`readsAroundBuffer`): Gets of buffered keys from the buffer,
   * the rest from the cluster — without the buffer — with the buffered values laid over scans.
   */
  private async readAroundBuffer(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    const readSequence = batchTxn(batch).sequence;
    const local: (Response | undefined)[] = batch.requests.map((request) => {
      if (request.kind !== 'get') return undefined;
      const put = this.buffered.get(keyId(request.key));
      // A put above the read sequence is not seen: the server answers with what is below it.
      return put === undefined || sequenceOf(put) > readSequence ? undefined : getResponse(put.value, writeTimestampOf(batch));
    });
    const remote = batch.requests.filter((_, i) => local[i] === undefined);
    if (remote.length === 0) return batchResponse(batch, { txn: batchTxn(batch), now: batch.header.now }, local as Response[]);
    const response = await next(batchRequest(batch.header, remote));
    let r = 0;
    const responses = batch.requests.map((request, i): Response => {
      const answered = local[i] ?? response.responses[r++]!;
      if (answered.kind === 'scan' || answered.kind === 'reverseScan') {
        assert(request.kind === answered.kind, 'responses in lockstep');
        return this.overlay(answered, request.key, request.endKey, writeTimestampOf(batch), readSequence);
      }
      return answered;
    });
    return this.noteLocks(batch, batchResponse(batch, response.header, responses));
  }

  /**
   * Whether `batch` is reads the buffer can answer around: Gets, Scans and ReverseScans, where
   * every locking read, and every read of a batch with a key or byte limit (which counts the rows
   * the cluster returns), touches no buffered key — a locking read must lock what the store
   * has, and a limit would count rows the buffer adds; nothing needs the held writes then.
   */
  private readsAroundBuffer(batch: BatchRequest): boolean {
    const limited = batch.header.maxSpanRequestKeys !== 0 || batch.header.targetBytes !== 0;
    return batch.requests.every((request) => {
      if (request.kind !== 'get' && request.kind !== 'scan' && request.kind !== 'reverseScan') return false;
      return (request.keyLocking === 'none' && !limited) || !this.touchesBuffer(request);
    });
  }

  /** Whether a read's key or span holds a buffered key. */
  private touchesBuffer(request: GetRequest | ScanRequest | ReverseScanRequest): boolean {
    if (request.kind === 'get') return this.buffered.has(keyId(request.key));
    for (const write of this.buffered.values()) {
      if (compareKeys(write.key, request.key) >= 0 && compareKeys(write.key, request.endKey) < 0) return true;
    }
    return false;
  }

  /**
   * `response`'s rows with the buffered values of the part of `[key, endKey)` it covers laid
   * over them: in key order (descending for a reverse scan), a buffered value replacing the row
   * of its key. The part covered stops at the resume span, if any.
   */
  private overlay<R extends ScanResponse | ReverseScanResponse>(response: R, key: Uint8Array, endKey: Uint8Array, timestamp: Timestamp, readSequence: number): R {
    const reverse = response.kind === 'reverseScan';
    const resume = response.resumeSpan;
    const from = reverse && resume !== undefined ? (resume.endKey ?? key) : key;
    const to = !reverse && resume !== undefined ? resume.key : endKey;
    const mine = new Map<string, KeyValueRow>();
    for (const [id, write] of this.buffered) {
      if (sequenceOf(write) > readSequence) continue; // not seen at the read sequence (a pinned statement's own write)
      if (compareKeys(write.key, from) >= 0 && compareKeys(write.key, to) < 0) mine.set(id, { key: write.key, value: write.value, timestamp });
    }
    if (mine.size === 0) return response;
    const rows = response.rows.filter((row) => !mine.has(keyId(row.key)));
    rows.push(...mine.values());
    rows.sort((a, b) => (reverse ? compareKeys(b.key, a.key) : compareKeys(a.key, b.key)));
    const fields = resume === undefined ? { rows } : { rows, resumeSpan: resume, resumeReason: response.resumeReason! };
    return (reverse ? reverseScanResponse(fields) : scanResponse(fields)) as R;
  }

  /** `batch`, once its writes' sequences are noted as sent. */
  private noteSent(batch: BatchRequest): BatchRequest {
    for (const request of batch.requests) {
      const sequence = 'sequence' in request ? request.sequence : undefined;
      if (sequence !== undefined && sequence > this.sentSequenceMax) this.sentSequenceMax = sequence;
    }
    return batch;
  }

  private drop(): void {
    this.buffered = new Map();
    this.bufferedBytes = 0;
  }
}

/**
 * The kinds a held anchor write may stay held around (`anchorHeldBack`): data reads and writes
 * of user keys, whose effect on the anchor's key is exactly their key or span.
 */
const holdableAround: ReadonlySet<Request['kind']> = new Set(['get', 'scan', 'reverseScan', 'put', 'conditionalPut', 'delete', 'deleteRange', 'increment']);

const keyId = (key: Uint8Array): string => Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');

/**
 * The error a failed check of a fresh key's conditional put (`key`, `value`) should fail with:
 * the caller's own (SQL's 23505 naming the constraint) instead of the store's.
 */
export type FreshKeyViolation = (key: Uint8Array, value: Uint8Array) => Error;

/** A write the buffer holds: a put, or a fresh key's conditional put expecting no value. */
type HeldWrite = PutRequest | ConditionalPutRequest;

/** The answer to a held write: it succeeded (a held conditional put's check is made when it goes down). */
const heldResponse = (request: Request): Response => (request.kind === 'conditionalPut' ? conditionalPutResponse() : putResponse());

/**
 * Whether `writes` write a key twice with a conditional put among its writes: held, the later
 * write would replace the check; sent, the store checks it in order.
 */
function writesCheckedKeyTwice(writes: readonly HeldWrite[]): boolean {
  if (!writes.some((write) => write.kind === 'conditionalPut')) return false;
  const kinds = new Map<string, HeldWrite['kind']>();
  for (const write of writes) {
    const id = keyId(write.key);
    const earlier = kinds.get(id);
    if (earlier !== undefined && (earlier === 'conditionalPut' || write.kind === 'conditionalPut')) return true;
    kinds.set(id, write.kind);
  }
  return false;
}

/** A held put's sequence: the allocator above numbered it when it was made. */
function sequenceOf(put: HeldWrite): number {
  assert(put.sequence !== undefined, 'a held put carries its sequence');
  return put.sequence;
}

/** A buffered value reads as written at the transaction's write timestamp (where it will commit). */
const writeTimestampOf = (batch: BatchRequest): Timestamp => batchTxn(batch).writeTimestamp;
