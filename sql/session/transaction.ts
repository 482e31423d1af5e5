/**
 * The session's transaction state machine (PostgreSQL's transaction blocks, with CockroachDB's
 * client-directed retries):
 *
 * ```
 *            BEGIN                      error                  ROLLBACK
 *   idle ───────────► open ─────────────────────► aborted ──────────────────► idle
 *    ▲  ◄──────────── │ COMMIT / ROLLBACK           │ ROLLBACK TO SAVEPOINT
 *    │                │                             │   cockroach_restart: new epoch ─► open
 *    │                │ RELEASE SAVEPOINT           │ COMMIT: answers ROLLBACK ─► idle
 *    │                ▼   cockroach_restart (commits; 40001 ─► aborted)
 *    └── COMMIT ── committed (only COMMIT / ROLLBACK accepted)
 * ```
 *
 * Implicit transactions (a statement outside a block) never enter this machine: the session
 * runs them with `ImplicitRetryLoop` (restart and retry while no row reached the client).
 *
 * Savepoints: the KV transaction has no partial rollback yet (no ignored sequence ranges), so a
 * `ROLLBACK TO SAVEPOINT x` works only when the transaction wrote nothing since `x` — which is
 * the common case of an error in a read or in the statement's own failed write being refused
 * before it was sent — and is refused with 0A000 otherwise. `cockroach_restart` is the
 * exception: rolling back to it restarts the whole transaction at a new epoch (`Txn.restartEpoch`)
 * or, if the transaction was aborted, as a new one.
 */
import { assert } from '../../src/base/assert.js';
import {
  ReadWithinUncertaintyIntervalError,
  TransactionAbortedError,
  WriteTooOldError,
  isRetryableError,
  type Sender,
} from '../../kv/api/index.js';
import { less, max, next, type Timestamp } from '../../clock/timestamp.js';
import { Txn, type TxnDeps } from '../../txn/index.js';
import { SessionError, inCommittedTransaction, inFailedTransaction, notSupported, savepointMissing } from './errors.js';

export const restartSavepointName = 'cockroach_restart';

export type TransactionPhase = 'idle' | 'open' | 'aborted' | 'committed';

interface Savepoint {
  readonly name: string;
  /** The transaction's write sequence when the savepoint was taken. */
  readonly sequence: number;
}

/** Where a restarted epoch reads and writes: after the conflict that caused it (as runTxn does). */
export function restartTimestamp(error: unknown, txn: Txn, now: () => Timestamp): Timestamp {
  const proto = txn.transaction;
  if (error instanceof WriteTooOldError) return max(error.actualTimestamp, proto.writeTimestamp);
  if (error instanceof ReadWithinUncertaintyIntervalError) return max(next(error.valueTimestamp), proto.writeTimestamp);
  return less(proto.readTimestamp, proto.writeTimestamp) ? proto.writeTimestamp : max(now(), proto.writeTimestamp);
}

/** A fresh transaction after `error`: a new epoch of `txn`, or a new one if it was aborted. */
export function restartedTxn(txn: Txn, error: unknown, sender: Sender, deps: TxnDeps, strictSerializable: boolean): Txn {
  if (error instanceof TransactionAbortedError || txn.isFinished) {
    txn.abandon();
    return new Txn(sender, deps, { strictSerializable, priority: txn.transaction.priority });
  }
  txn.restartEpoch(restartTimestamp(error, txn, () => deps.clock.now()));
  return txn;
}

export class TransactionBlock {
  private phaseValue: TransactionPhase = 'idle';
  private txnValue: Txn | undefined;
  private readonly savepoints: Savepoint[] = [];
  /** The error that aborted the block, for a cockroach_restart. */
  private abortError: unknown;
  /** Whether a statement in this block changed the catalog. */
  ranDdl = false;
  /** Commit wait of the last commit this block made, in nanoseconds. */
  lastCommitWaitNanos = 0n;

  constructor(
    private readonly sender: Sender,
    private readonly deps: TxnDeps,
  ) {}

  get phase(): TransactionPhase {
    return this.phaseValue;
  }

  /** The open transaction; only in phase `open`. */
  get txn(): Txn {
    assert(this.phaseValue === 'open' && this.txnValue !== undefined, 'no open transaction');
    return this.txnValue;
  }

  /** Throws what PostgreSQL answers to a statement other than COMMIT/ROLLBACK in a dead block. */
  checkUsable(): void {
    if (this.phaseValue === 'aborted') throw inFailedTransaction();
    if (this.phaseValue === 'committed') throw inCommittedTransaction();
  }

  /** BEGIN; `txn`: an implicit transaction that becomes the block's (BEGIN in an extended batch). */
  begin(strictSerializable: boolean, txn?: Txn): void {
    assert(this.phaseValue === 'idle');
    assert(txn === undefined || !txn.isFinished, 'a block adopts an open transaction');
    this.txnValue = txn ?? new Txn(this.sender, this.deps, { strictSerializable });
    this.phaseValue = 'open';
    this.ranDdl = false;
  }

  /** A statement of the block failed: the block is aborted until ROLLBACK. */
  fail(error: unknown): void {
    if (this.phaseValue !== 'open') return;
    this.phaseValue = 'aborted';
    this.abortError = error;
  }

  /** COMMIT: returns the tag (`ROLLBACK` for an aborted block). Errors end the block too. */
  async commit(): Promise<'COMMIT' | 'ROLLBACK'> {
    switch (this.phaseValue) {
      case 'idle':
        return 'COMMIT';
      case 'committed':
        this.reset();
        return 'COMMIT';
      case 'aborted':
        await this.rollback();
        return 'ROLLBACK';
      case 'open': {
        const txn = this.txn;
        try {
          await txn.commit();
          this.lastCommitWaitNanos = txn.lastCommitWaitNanos;
        } catch (error) {
          if (!txn.isFinished) await txn.rollback().catch(() => undefined);
          throw error;
        } finally {
          this.reset();
        }
        return 'COMMIT';
      }
    }
  }

  async rollback(): Promise<void> {
    const txn = this.txnValue;
    this.reset();
    if (txn !== undefined && !txn.isFinished) await txn.rollback().catch(() => undefined); // pushers clean up otherwise
  }

  savepoint(name: string): void {
    if (this.phaseValue === 'idle') throw new SessionError('25P01', 'SAVEPOINT can only be used in transaction blocks');
    this.checkUsable();
    this.savepoints.push({ name, sequence: this.txn.transaction.sequence });
  }

  /** RELEASE: drops the savepoint and those after it; releasing cockroach_restart commits. */
  async release(name: string): Promise<void> {
    if (this.phaseValue === 'idle') throw new SessionError('25P01', 'RELEASE SAVEPOINT can only be used in transaction blocks');
    this.checkUsable();
    const at = this.find(name);
    this.savepoints.length = at;
    if (name !== restartSavepointName) return;
    const txn = this.txn;
    try {
      await txn.commit();
      this.lastCommitWaitNanos = txn.lastCommitWaitNanos;
      this.phaseValue = 'committed';
    } catch (error) {
      // The client answers a 40001 here with ROLLBACK TO SAVEPOINT cockroach_restart.
      this.savepoints.push({ name, sequence: 0 });
      this.fail(error);
      throw error;
    }
  }

  /** ROLLBACK TO SAVEPOINT: the block is usable again. */
  rollbackTo(name: string, strictSerializable: boolean): void {
    if (this.phaseValue === 'idle') throw new SessionError('25P01', 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks');
    if (this.phaseValue === 'committed') throw inCommittedTransaction();
    const at = this.find(name);
    const savepoint = this.savepoints[at]!;
    this.savepoints.length = at + 1;
    const txn = this.txnValue;
    assert(txn !== undefined);
    if (name === restartSavepointName) {
      const error = this.abortError;
      this.txnValue = restartedTxn(txn, isRetryableError(error) ? error : undefined, this.sender, this.deps, strictSerializable);
    } else if (txn.isFinished || txn.transaction.sequence !== savepoint.sequence) {
      throw notSupported('ROLLBACK TO SAVEPOINT after writes since the savepoint (only cockroach_restart restarts a transaction that wrote)');
    }
    this.phaseValue = 'open';
    this.abortError = undefined;
  }

  private find(name: string): number {
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i]!.name === name) return i;
    throw savepointMissing(name);
  }

  private reset(): void {
    this.phaseValue = 'idle';
    this.txnValue = undefined;
    this.savepoints.length = 0;
    this.abortError = undefined;
  }
}
