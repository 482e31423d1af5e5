/**
 * EndTxn: commits or aborts the header transaction by writing its record on the anchor's range
 * (the commit point of two-phase commit), then resolves the intents it can.
 *
 * Checks, in order:
 * 0. a rollback that finds the record STAGING at its epoch fails with `IndeterminateCommitError`
 *    (CockroachDB #48301, settled by running recovery): the transaction may be implicitly
 *    committed — every in-flight write landed at or below the staging timestamp — and a
 *    rollback is no claim that it is not (the coordinator may have given up before it heard the
 *    outcome of its commit: a client timeout, a cancel). The store runs transaction recovery on
 *    the record (kv/replica txn-recovery.ts), which makes it COMMITTED or ABORTED, and sends the
 *    rollback again: it then succeeds (ABORTED) or fails as a rollback of a committed
 *    transaction. A STAGING record of an earlier epoch is an attempt the coordinator abandoned
 *    when it restarted, treated as PENDING as PushTxn and HeartbeatTxn do;
 * 1. a record found ABORTED (a pusher aborted it) fails a commit with `TransactionAbortedError`;
 *    a rollback of an aborted transaction succeeds (idempotent);
 * 2. a record found COMMITTED fails either with `TransactionStatusError` (a replay or a bug);
 * 3. the commit timestamp is the larger of the transaction's write timestamp and the record's (a
 *    PushTxn may have moved the record up); a commit at or above `deadline` fails with
 *    `TransactionRetryError(RETRY_COMMIT_DEADLINE_EXCEEDED)`;
 * 4. **the serializability rule**: a commit whose write timestamp is above its read timestamp
 *    fails with `TransactionRetryError(RETRY_SERIALIZABLE)`. Its reads happened at the read
 *    timestamp and committing at a later one would claim they still hold there; only the
 *    coordinator knows its read spans, so it must refresh them (Refresh/RefreshRange, moving the
 *    read timestamp up to the write timestamp) and send EndTxn again, or restart.
 *
 * A commit with in-flight writes (a parallel commit) writes a STAGING record and resolves
 * nothing: the transaction is implicitly committed once every in-flight write is known to have
 * landed at or below the record's timestamp; the coordinator then makes the commit explicit
 * with a second EndTxn (no in-flight writes), which moves STAGING to COMMITTED and resolves, or
 * a pusher's recovery decides it (recover-txn.ts). A STAGING record at an older epoch, or the
 * coordinator's own earlier STAGING attempt (re-staged after a refresh), is simply replaced. Otherwise the record is written COMMITTED or ABORTED at the commit timestamp, the
 * intents of lock spans inside this range are resolved synchronously in the same batch, and the
 * parts outside it are kept in the record's `lockSpans` and returned as a `resolveIntents` side
 * effect for asynchronous resolution. The record stays after resolution (removing it once every
 * external intent is resolved is kv/replica's job, later). A commit trigger is returned as a
 * side effect; the split or merge it describes runs at apply time.
 *
 * The one-phase commit fast path (no record at all) is `one-phase-commit.ts`, decided for the
 * whole batch before any command runs.
 */
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import { compare, equal, formatTimestamp, lessEq, max, type Timestamp } from '../../clock/timestamp.js';
import {
  endTxnResponse,
  keyNext,
  spanEnd,
  spanIntersect,
  span,
  updateTransaction,
  TransactionAbortedError,
  TransactionRetryError,
  TransactionStatusError,
  type BatchRequest,
  type EndTxnRequest,
  type SequencedWrite,
  type Span,
  type Transaction,
} from '../api/index.js';
import { compareKeys } from '../api/index.js';
import type { ReadWriter } from '../storage/engine.js';
import { mvccResolveIntentRange, mvccResolveIntentWithin, type IntentResolution } from '../storage/mvcc/index.js';
import { checkRequestInRange, headerTxn, type Evaluator, type RangeEvalState, type SideEffect } from './context.js';
import { IndeterminateCommitError } from './errors.js';
import { readTxnRecord, writeTxnRecord } from './txn-record.js';

/** Throws unless `txn` may commit at `writeTimestamp` (rules 3 and 4 above). */
export function checkCommit(txn: Transaction, request: EndTxnRequest): void {
  const deadline = request.deadline;
  if (deadline !== undefined && lessEq(deadline, txn.writeTimestamp)) {
    throw new TransactionRetryError('RETRY_COMMIT_DEADLINE_EXCEEDED', `txn timestamp pushed too much; deadline exceeded by ${formatTimestamp(txn.writeTimestamp)} >= ${formatTimestamp(deadline)}`);
  }
  if (compare(txn.readTimestamp, txn.writeTimestamp) < 0) {
    throw new TransactionRetryError('RETRY_SERIALIZABLE', `write timestamp ${formatTimestamp(txn.writeTimestamp)} above read timestamp ${formatTimestamp(txn.readTimestamp)}: refresh the reads first`, txn.writeTimestamp);
  }
}

/** The parts of `s` outside `[start, end)`. */
function outside(s: Span, start: Uint8Array, end: Uint8Array): Span[] {
  const sEnd = spanEnd(s);
  const parts: Span[] = [];
  if (s.endKey === undefined) return compareKeys(s.key, start) < 0 || compareKeys(s.key, end) >= 0 ? [s] : [];
  if (compareKeys(s.key, start) < 0) parts.push(span(s.key, compareKeys(sEnd, start) < 0 ? sEnd : start));
  if (compareKeys(sEnd, end) > 0) parts.push(span(compareKeys(s.key, end) > 0 ? s.key : end, sEnd));
  return parts;
}

/**
 * Resolves the intents of `lockSpans` that lie in the range, in `rw`, at most
 * `limits.intentResolutionIntentsMax` of them and at most `limits.intentResolutionBytesMax` of
 * their bytes (or the first intent alone, if larger); returns what is left — the parts outside the
 * range, and any local intents past the budget — to be resolved asynchronously (by the store's
 * resolver, after this command applied). The budget keeps the EndTxn's Raft command well under
 * `raftCommandBytesMax` however many intents the transaction left on its record's range (a
 * 200,000-row INSERT's commit was one 30 MB command, refused); CockroachDB's EndTxn pages its
 * local resolution the same way.
 */
export async function resolveLocalLocks(state: RangeEvalState, rw: ReadWriter, txn: Transaction, lockSpans: readonly Span[]): Promise<Span[]> {
  const { startKey, endKey } = state.descriptor;
  const status = txn.status;
  assert(status === 'COMMITTED' || status === 'ABORTED', () => `resolving intents of a ${status} transaction`);
  const resolution: IntentResolution = { txnId: txn.id, epoch: txn.epoch, status, timestamp: txn.writeTimestamp, ignoredSequences: txn.ignoredSequences };
  const external: Span[] = [];
  let budget: number = limits.intentResolutionIntentsMax;
  // Bytes too: a few large values would pass the count and not the Raft command's size. The
  // budget is checked before each intent is resolved, never after (checked after, a 4 MB value
  // then a 14 MB one made an 18 MB command, refused on every retry: a commit that could never
  // succeed). The command's first intent always goes, alone if it must: a value past the whole
  // budget was written by a command of its own, so it fits one.
  const bytesMax: number = limits.intentResolutionBytesMax;
  let spent = 0;
  for (const lockSpan of lockSpans) {
    external.push(...outside(lockSpan, startKey, endKey));
    const local = spanIntersect(lockSpan.endKey === undefined ? span(lockSpan.key, keyNext(lockSpan.key)) : lockSpan, span(startKey, endKey));
    if (local === undefined) continue;
    if (budget === 0 || spent >= bytesMax) {
      external.push(lockSpan.endKey === undefined ? lockSpan : local);
    } else if (lockSpan.endKey === undefined) {
      const { bytes, resolved } = mvccResolveIntentWithin(rw, state.stats, lockSpan.key, resolution, spent === 0 ? Number.MAX_SAFE_INTEGER : bytesMax - spent);
      if (resolved) {
        spent += bytes;
        budget--;
      } else if (bytes > 0) {
        external.push(lockSpan); // past the budget: later intents go to the resolver too
        budget = 0;
      }
    } else {
      const { resolved, bytes, resumeSpan } = await mvccResolveIntentRange(rw, state.stats, local.key, spanEnd(local), resolution, budget, bytesMax - spent, spent === 0);
      budget -= resolved;
      spent += bytes;
      if (resumeSpan !== undefined) {
        external.push(span(resumeSpan.start, resumeSpan.end));
        budget = 0;
      }
    }
  }
  return external;
}

function finalRecord(txn: Transaction, existing: Transaction | undefined, request: EndTxnRequest, now: Timestamp): Transaction {
  if (existing?.status === 'ABORTED' && request.commit) throw new TransactionAbortedError('ABORT_REASON_ABORTED_RECORD_FOUND', txn.id);
  if (existing?.status === 'COMMITTED') throw new TransactionStatusError(txn.id, 'COMMITTED', request.commit ? 'already committed' : 'cannot roll back a committed transaction');
  // Rule 0 of a rollback (see the module comment): a STAGING record may be implicitly committed.
  // The record as found, not moved to the request's timestamps: recovery checks its in-flight
  // writes against the staging timestamp itself (CockroachDB #156722).
  if (existing?.status === 'STAGING' && !request.commit && existing.epoch >= txn.epoch) throw new IndeterminateCommitError(existing);
  const writeTimestamp = existing === undefined ? txn.writeTimestamp : max(txn.writeTimestamp, existing.writeTimestamp);
  const pushed = updateTransaction(txn, { writeTimestamp, lastHeartbeat: max(txn.lastHeartbeat, existing?.lastHeartbeat ?? txn.lastHeartbeat) });
  if (request.commit) checkCommit(pushed, request);
  const status = !request.commit ? 'ABORTED' : request.inFlightWrites.length > 0 ? 'STAGING' : 'COMMITTED';
  // Staging is a sign of life: the coordinator stops heartbeating once it sends its EndTxn, and
  // the record must not look abandoned (and be recovered) before the commit is made explicit.
  const lastHeartbeat = status === 'STAGING' ? max(pushed.lastHeartbeat, now) : pushed.lastHeartbeat;
  return updateTransaction(pushed, { status, lockSpans: request.lockSpans, inFlightWrites: request.inFlightWrites, lastHeartbeat });
}

/**
 * `batch` with the in-flight writes its EndTxn names and the batch itself carries taken off
 * (CockroachDB's `maybeStripInFlightWrites`): they are evaluated in the same engine batch and
 * proposed in the same Raft command as the record, so they are proven with it — their keys are
 * already among the lock spans. A parallel commit whose writes all landed on the record's range
 * thus becomes an ordinary commit (one-phase when it qualifies); `batch` itself when nothing is
 * stripped.
 */
export function stripInFlightWrites(batch: BatchRequest): BatchRequest {
  const requests = batch.requests;
  const last = requests[requests.length - 1];
  if (last?.kind !== 'endTxn' || last.inFlightWrites.length === 0) return batch;
  const sequence = batch.header.txn?.sequence ?? 0;
  const inBatch = (write: SequencedWrite): boolean => {
    for (let i = 0; i < requests.length - 1; i++) {
      const request = requests[i]!;
      if (request.kind !== 'put' && request.kind !== 'conditionalPut' && request.kind !== 'increment' && request.kind !== 'delete') continue;
      if ((request.sequence ?? sequence) === write.sequence && compareKeys(request.key, write.key) === 0) return true;
    }
    return false;
  };
  const remaining = last.inFlightWrites.filter((write) => !inBatch(write));
  if (remaining.length === last.inFlightWrites.length) return batch;
  const endTxn: EndTxnRequest = Object.freeze({ ...last, inFlightWrites: Object.freeze(remaining) });
  return Object.freeze({ header: batch.header, requests: Object.freeze([...requests.slice(0, -1), endTxn]) });
}

export const evalEndTxn: Evaluator<'endTxn'> = async (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const txn = headerTxn(ctx);
  const existing = readTxnRecord(rw, request.key, txn.id);
  const decided = finalRecord(txn, existing, request, ctx.now);
  if (decided.status === 'STAGING') {
    writeTxnRecord(rw, decided);
    return { response: endTxnResponse(decided), txn: decided, sideEffects: [Object.freeze({ kind: 'txnUpdated', txn: decided })] };
  }
  const external = await resolveLocalLocks(ctx, rw, decided, request.lockSpans);
  const record = updateTransaction(decided, { lockSpans: external });
  writeTxnRecord(rw, record);
  const sideEffects: SideEffect[] = [Object.freeze({ kind: 'txnUpdated', txn: record, confirmsImplicitCommit: confirmsImplicitCommit(existing, record) })];
  if (external.length > 0) sideEffects.push(Object.freeze({ kind: 'resolveIntents', txn: record, status: record.status, ignoredSequences: record.ignoredSequences, spans: Object.freeze(external) }));
  if (request.commitTrigger !== undefined) sideEffects.push(Object.freeze({ kind: 'commitTrigger', trigger: request.commitTrigger }));
  return { response: endTxnResponse(record), txn: record, sideEffects };
};

/**
 * Whether committing `record` over `existing` only makes an implicit commit explicit: the record
 * was STAGING at the same epoch and commit timestamp (see `SideEffect` txnUpdated). A STAGING
 * record of another epoch or timestamp proves nothing about this commit: recovery could decide
 * it otherwise (abort it, or commit it at the staging timestamp).
 */
function confirmsImplicitCommit(existing: Transaction | undefined, record: Transaction): boolean {
  if (existing?.status !== 'STAGING' || record.status !== 'COMMITTED') return false;
  return existing.epoch === record.epoch && equal(existing.writeTimestamp, record.writeTimestamp);
}
