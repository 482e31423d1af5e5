/**
 * Functions whose effect outlives their row: the advisory lock family (`pg_advisory_lock`, …:
 * locks held past the statement, waits that a statement_timeout ends) and `set_config` (a SET
 * from a query). They cannot be closures over datums: the compiler gives each call a `session`
 * slot and the executor calls the session for it, row by row (sql/exec/session-functions.ts),
 * like `nextval`.
 *
 * Each name has PostgreSQL's overloads (pg_proc): a bigint key or two int4 keys; `void` results
 * are text `''` here (rangedb has no void type; a client reads the same empty value).
 */
import { boolType, int4Type, int8Type, textType, type SqlType } from '../../types/sql-type.js';

export type AdvisoryMode = 'exclusive' | 'shared';
export type AdvisoryKeys = 'bigint' | 'int4Pair';

export type SessionCall =
  | { readonly kind: 'advisoryLock'; readonly mode: AdvisoryMode; readonly level: 'session' | 'transaction'; readonly noWait: boolean; readonly keys: AdvisoryKeys }
  | { readonly kind: 'advisoryUnlock'; readonly mode: AdvisoryMode; readonly keys: AdvisoryKeys }
  | { readonly kind: 'advisoryUnlockAll' }
  | { readonly kind: 'setConfig' };

export interface SessionFunctionOverload {
  readonly args: readonly SqlType[];
  readonly result: SqlType;
  /** NULL in any argument gives NULL without calling the session (PostgreSQL's STRICT). */
  readonly strict: boolean;
  readonly call: SessionCall;
}

/** The void result of the lock functions. */
export const voidResultType = textType;

const keyArgs = (keys: AdvisoryKeys): readonly SqlType[] => (keys === 'bigint' ? [int8Type] : [int4Type, int4Type]);

function lockFamily(name: string, mode: AdvisoryMode, level: 'session' | 'transaction', noWait: boolean): [string, SessionFunctionOverload[]] {
  const result = noWait ? boolType : voidResultType;
  return [name, (['bigint', 'int4Pair'] as const).map((keys) => ({ args: keyArgs(keys), result, strict: true, call: { kind: 'advisoryLock', mode, level, noWait, keys } }))];
}

function unlockFamily(name: string, mode: AdvisoryMode): [string, SessionFunctionOverload[]] {
  return [name, (['bigint', 'int4Pair'] as const).map((keys) => ({ args: keyArgs(keys), result: boolType, strict: true, call: { kind: 'advisoryUnlock', mode, keys } }))];
}

export const sessionFunctions: ReadonlyMap<string, readonly SessionFunctionOverload[]> = new Map([
  lockFamily('pg_advisory_lock', 'exclusive', 'session', false),
  lockFamily('pg_advisory_lock_shared', 'shared', 'session', false),
  lockFamily('pg_try_advisory_lock', 'exclusive', 'session', true),
  lockFamily('pg_try_advisory_lock_shared', 'shared', 'session', true),
  lockFamily('pg_advisory_xact_lock', 'exclusive', 'transaction', false),
  lockFamily('pg_advisory_xact_lock_shared', 'shared', 'transaction', false),
  lockFamily('pg_try_advisory_xact_lock', 'exclusive', 'transaction', true),
  lockFamily('pg_try_advisory_xact_lock_shared', 'shared', 'transaction', true),
  unlockFamily('pg_advisory_unlock', 'exclusive'),
  unlockFamily('pg_advisory_unlock_shared', 'shared'),
  ['pg_advisory_unlock_all', [{ args: [], result: voidResultType, strict: false, call: { kind: 'advisoryUnlockAll' } }]],
  ['set_config', [{ args: [textType, textType, boolType], result: textType, strict: false, call: { kind: 'setConfig' } }]],
]);
