/**
 * The executor's half of sql/plan/expr/session-functions.ts: a `session` slot's value for the
 * current row, computed by calling the session (RunContext.session): advisory locks through its
 * AdvisoryLockOwner (advisory-locks.ts), set_config through its SET.
 */
import { assert } from '../../src/base/assert.js';
import { SqlError } from '../catalog/errors.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import type { SlotSpec } from '../plan/expr/compile.js';
import type { Datum } from '../types/datum.js';
import { bigintTag, int4PairTag, type AdvisoryLockTag } from './advisory-locks.js';
import type { RunContext } from './contract.js';

type SessionSlot = Extract<SlotSpec, { kind: 'session' }>;

/** The value of `slot` for `row`, the row its arguments read. */
export async function sessionSlot(slot: SessionSlot, row: readonly Datum[], run: RunContext, ctx: EvalContext): Promise<Datum> {
  const session = run.session;
  if (session === undefined) throw new SqlError('0A000', `${slot.name}() needs a client session`);
  const args = slot.args.map((arg) => arg.eval(row, ctx));
  if (slot.overload.strict && args.some((arg) => arg === null)) return null;
  const call = slot.overload.call;
  switch (call.kind) {
    case 'advisoryLock': {
      const tag = advisoryTag(run.settings.database, call.keys, args);
      const granted = await session.advisoryLocks.acquire(tag, call.mode, call.level, {
        noWait: call.noWait,
        cancel: run.cancel,
        lockTimeoutMs: session.lockTimeoutMs(),
        ...(call.level === 'transaction' ? { transaction: run.txn } : {}),
      });
      return call.noWait ? granted : '';
    }
    case 'advisoryUnlock': {
      const tag = advisoryTag(run.settings.database, call.keys, args);
      const released = session.advisoryLocks.release(tag, call.mode);
      if (!released) session.notice({ severity: 'WARNING', sqlState: '01000', message: `you don't own a lock of type ${call.mode === 'exclusive' ? 'ExclusiveLock' : 'ShareLock'}` });
      return released;
    }
    case 'advisoryUnlockAll':
      session.advisoryLocks.releaseSessionLocks();
      return '';
    case 'setConfig': {
      const [name, value, isLocal] = args;
      if (name === null) throw new SqlError('22023', 'SET requires parameter name');
      return session.setConfig(name as string, (value ?? '') as string, isLocal === true);
    }
    default:
      return call satisfies never;
  }
}

function advisoryTag(database: string, keys: 'bigint' | 'int4Pair', args: readonly Datum[]): AdvisoryLockTag {
  if (keys === 'bigint') {
    assert(typeof args[0] === 'bigint', 'a bigint key');
    return bigintTag(database, args[0]);
  }
  assert(typeof args[0] === 'number' && typeof args[1] === 'number', 'two int4 keys');
  return int4PairTag(database, args[0], args[1]);
}
