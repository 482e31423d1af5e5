/**
 * The session's transaction state machine (PostgreSQL's transaction blocks, with CockroachDB's
 * client-directed retries):
 *
 * ```
 *            BEGIN                      error                  ROLLBACK
 *   idle ───────────► open ─────────────────────► aborted ──────────────────► idle
 *    ▲  ◄──────────── │ COMMIT / ROLLBACK           │ ROLLBACK TO SAVEPOINT
 *    │                │                             │   s: writes since s undone ─► open
 *    │                │                             │   cockroach_restart: new epoch ─► open
 *    │                │ RELEASE SAVEPOINT           │ COMMIT: answers ROLLBACK ─► idle
 *    │                ▼   cockroach_restart (commits; 40001 ─► aborted)
 *    └── COMMIT ── committed (only COMMIT / ROLLBACK accepted)
 * ```
 *
 * Implicit transactions (a statement outside a block) never enter this machine: the session
 * runs them with `ImplicitRetryLoop` (restart and retry while no row reached the client).
 *
 * Savepoints are PostgreSQL's, done as CockroachDB does them: `ROLLBACK TO SAVEPOINT s` undoes
 * the writes made since `s` (`Txn.rollbackToSavepoint`: their sequences become ignored, so the
 * transaction's reads skip them and commit drops them; their keys stay locked until the end) and
 * returns an aborted block to open, as PostgreSQL does after an error. Savepoints nest; RELEASE
 * drops a savepoint and those after it; ROLLBACK TO keeps it.
 *
 * A retryable error (40001) is different: the transaction must restart, which discards every
 * write, not just those after a savepoint. Rolling back to `cockroach_restart`, or to any
 * savepoint taken before the block ran a statement, restarts it at a new epoch
 * (`Txn.restartEpoch`) or, if it was aborted, as a new one; rolling back to a later savepoint
 * after a retryable error is refused with 40001 (CockroachDB's rule), and the block stays aborted.
 */
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import {
  ReadWithinUncertaintyIntervalError,
  TransactionAbortedError,
  WriteTooOldError,
  isRetryableError,
  type Sender,
} from '../../kv/api/index.js';
import { equal, less, max, next, type Timestamp } from '../../clock/timestamp.js';
import { Txn, type TxnDeps, type TxnSavepoint } from '../../txn/index.js';
import { SessionError, inCommittedTransaction, inFailedTransaction, savepointMissing } from './errors.js';

export const restartSavepointName = 'cockroach_restart';

export type TransactionPhase = 'idle' | 'open' | 'aborted' | 'committed';

/** What the session puts back on ROLLBACK TO SAVEPOINT; the block only holds it. */
export interface SavepointMark {
  /** Post-commit work of the statements before the savepoint. */
  readonly afterCommitCount: number;
  /** The session variables when it was taken (PostgreSQL undoes a SET made after it). */
  readonly variables: ReadonlyMap<string, string>;
  /** How many cursors the session had declared then: a rollback to it closes those declared after. */
  readonly cursorsDeclared?: number;
}

const emptyMark: SavepointMark = Object.freeze({ afterCommitCount: 0, variables: new Map<string, string>() });

interface Savepoint {
  readonly name: string;
  /** The transaction's savepoint (epoch and write sequence when it was taken). */
  readonly point: TxnSavepoint;
  /** Taken before the block ran a statement: rolling back to it may restart the transaction. */
  readonly initial: boolean;
  /** The caller's state then, returned by `rollbackTo`. */
  readonly mark: SavepointMark;
  /** The transaction's READ ONLY mode then: a SET TRANSACTION after it is undone with it, as in PostgreSQL. */
  readonly readOnly: boolean;
}

/** Where a restarted epoch reads and writes: after the conflict that caused it (as runTxn does). */
export function restartTimestamp(error: unknown, txn: Txn, now: () => Timestamp): Timestamp {
  const proto = txn.transaction;
  if (error instanceof WriteTooOldError) return max(error.actualTimestamp, proto.writeTimestamp);
  if (error instanceof ReadWithinUncertaintyIntervalError) return max(next(error.valueTimestamp), proto.writeTimestamp);
  return less(proto.readTimestamp, proto.writeTimestamp) ? proto.writeTimestamp : max(now(), proto.writeTimestamp);
}

/**
 * The priority of every SQL transaction (CockroachDB's normal user priority, under which normal
 * transactions never abort one another by priority): a transaction that meets another's lock
 * or intent waits in the lock's queue until it finishes, as PostgreSQL's row locks make it wait,
 * instead of aborting it — pgbench, which does not retry, counts every such abort as a failed
 * transaction. A waits-for cycle is still broken by deadlock detection, and an abandoned holder
 * by its lapsed heartbeat.
 */
export const sqlTxnPriority = 2 ** 30;

/**
 * A fresh transaction after `error`: a new epoch of `txn`, or a new one if it was aborted. A
 * historical transaction (AS OF SYSTEM TIME) stays at its fixed timestamp either way, and an
 * implicit one stays implicit (its fresh keys ride with the commit: `TxnOptions.implicit`).
 */
export function restartedTxn(txn: Txn, error: unknown, sender: Sender, deps: TxnDeps, strictSerializable: boolean): Txn {
  if (error instanceof TransactionAbortedError || txn.isFinished) {
    txn.abandon();
    const fixedTimestamp = txn.fixedTimestamp;
    const readOnly = txn.txnOptions.readOnly === true;
    return new Txn(sender, deps, {
      strictSerializable,
      priority: txn.transaction.priority,
      readOnly,
      ...(txn.implicit ? { implicit: true } : {}),
      ...(fixedTimestamp === undefined ? {} : { fixedTimestamp }),
    });
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
  /** Whether the block ran a statement through the engine (a savepoint after it is not initial). */
  ranStatement = false;
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

  /**
   * BEGIN; `txn`: an implicit transaction that becomes the block's (BEGIN in an extended batch);
   * `fixedTimestamp`: BEGIN AS OF SYSTEM TIME, a historical read-only transaction; `readOnly`:
   * BEGIN READ ONLY (or default_transaction_read_only).
   */
  begin(strictSerializable: boolean, txn?: Txn, fixedTimestamp?: Timestamp, readOnly = false): void {
    assert(this.phaseValue === 'idle');
    assert(txn === undefined || !txn.isFinished, 'a block adopts an open transaction');
    assert(txn === undefined || fixedTimestamp === undefined, 'a historical block starts its own transaction');
    txn?.setReadOnly(readOnly);
    this.txnValue = txn ?? new Txn(this.sender, this.deps, { strictSerializable, priority: sqlTxnPriority, readOnly, ...(fixedTimestamp === undefined ? {} : { fixedTimestamp }) });
    this.phaseValue = 'open';
    this.ranDdl = false;
    this.ranStatement = txn !== undefined;
  }

  /**
   * SET TRANSACTION AS OF SYSTEM TIME: the block's transaction becomes a historical read-only one
   * at `at`. Only before its first statement (25001, as PostgreSQL's SET TRANSACTION ISOLATION
   * LEVEL): a transaction that already read or wrote at another timestamp cannot move to a past one.
   */
  setFixedTimestamp(at: Timestamp, strictSerializable: boolean): void {
    assert(this.phaseValue === 'open', 'SET TRANSACTION in an open block');
    if (this.ranStatement) throw new SessionError('25001', 'SET TRANSACTION AS OF SYSTEM TIME must be called before any query');
    const current = this.txn;
    if (current.fixedTimestamp !== undefined && equal(current.fixedTimestamp, at)) return;
    // Nothing ran in it: no write, no lock, no record — dropped without a rollback.
    current.abandon();
    this.txnValue = new Txn(this.sender, this.deps, { strictSerializable, priority: sqlTxnPriority, fixedTimestamp: at });
  }

  /**
   * SET TRANSACTION READ ONLY / READ WRITE (and SET transaction_read_only). READ ONLY may come at
   * any time — what the transaction wrote before stays and commits. Back to READ WRITE only where
   * PostgreSQL allows it (check_transaction_read_only), 25001 otherwise: not inside a savepoint
   * of a read-only transaction, and not once a statement ran (its reads were taken as read-only).
   * A historical transaction (AS OF SYSTEM TIME) stays read-only: the session refuses READ WRITE.
   */
  setReadOnly(readOnly: boolean): void {
    assert(this.phaseValue === 'open', 'SET TRANSACTION in an open block');
    const txn = this.txn;
    if (!readOnly && txn.isReadOnly) {
      if (this.savepoints.length > 0) throw new SessionError('25001', 'cannot set transaction read-write mode inside a read-only transaction');
      if (this.ranStatement) throw new SessionError('25001', 'transaction read-write mode must be set before any query');
    }
    txn.setReadOnly(readOnly);
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

  /** SAVEPOINT: `mark` is the caller's, handed back by a rollback to it. */
  async savepoint(name: string, mark: SavepointMark): Promise<void> {
    if (this.phaseValue === 'idle') throw new SessionError('25P01', 'SAVEPOINT can only be used in transaction blocks');
    this.checkUsable();
    if (this.savepoints.length >= limits.sqlSavepointsMax) {
      throw new SessionError('54000', `too many savepoints in one transaction (sqlSavepointsMax ${limits.sqlSavepointsMax})`);
    }
    const initial = !this.ranStatement && this.savepoints.every((savepoint) => savepoint.initial);
    this.savepoints.push({ name, point: await this.txn.savepoint(), initial, mark, readOnly: this.txn.txnOptions.readOnly === true });
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
      this.savepoints.push({ name, point: { epoch: txn.transaction.epoch, sequence: 0 }, initial: true, mark: emptyMark, readOnly: txn.txnOptions.readOnly === true });
      this.fail(error);
      throw error;
    }
  }

  /**
   * ROLLBACK TO SAVEPOINT: the writes since the savepoint are undone and the block is usable
   * again; the savepoint stays. Returns the savepoint's mark and whether the whole transaction
   * restarted (every statement of the block is undone then).
   */
  async rollbackTo(name: string, strictSerializable: boolean): Promise<{ readonly mark: SavepointMark; readonly restarted: boolean }> {
    if (this.phaseValue === 'idle') throw new SessionError('25P01', 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks');
    if (this.phaseValue === 'committed') throw inCommittedTransaction();
    const at = this.find(name);
    const savepoint = this.savepoints[at]!;
    const txn = this.txnValue;
    assert(txn !== undefined);
    const error = this.abortError;
    // The transaction must restart: a retryable error, or KV aborted it (a pusher, a deadlock).
    const mustRestart = isRetryableError(error) || txn.isFinished || savepoint.point.epoch !== txn.transaction.epoch;
    if (mustRestart && !(name === restartSavepointName || savepoint.initial)) {
      throw new SessionError(
        '40001',
        `restart transaction: cannot roll back to savepoint "${name}" after the transaction must restart`,
        'retryable',
        undefined,
        'Roll back the whole transaction, or to a savepoint taken before its first statement (such as cockroach_restart), and run it again.',
      );
    }
    this.savepoints.length = at + 1;
    if (name === restartSavepointName || mustRestart) {
      this.txnValue = restartedTxn(txn, isRetryableError(error) ? error : undefined, this.sender, this.deps, strictSerializable);
      // The restarted transaction has written nothing: every kept savepoint is at its start.
      const epoch = this.txnValue.transaction.epoch;
      for (let i = 0; i < this.savepoints.length; i++) this.savepoints[i] = { ...this.savepoints[i]!, point: { epoch, sequence: 0 } };
      this.ranStatement = false;
    } else {
      await txn.rollbackToSavepoint(savepoint.point);
    }
    this.phaseValue = 'open';
    this.abortError = undefined;
    this.txn.setReadOnly(savepoint.readOnly);
    return { mark: savepoint.mark, restarted: name === restartSavepointName || mustRestart };
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
