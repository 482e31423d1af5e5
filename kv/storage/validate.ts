/**
 * Checks a write batch against the limits before any engine applies it, so both engines reject
 * the same oversized input with the same typed error and apply nothing.
 */
import { LimitExceededError } from '../../src/base/errors.js';
import { limits } from '../../src/base/limits.js';
import type { WriteOp } from './engine.js';

/** Throws `LimitExceededError` if any key, value or the whole batch is too large; returns its bytes. */
export function validateOps(ops: readonly WriteOp[]): number {
  let total = 0;
  for (const op of ops) {
    if (op.key.length > limits.engineKeyBytesMax) {
      throw new LimitExceededError('engineKeyBytesMax', limits.engineKeyBytesMax, op.key.length);
    }
    if (op.kind === 'put' && op.value.length > limits.engineValueBytesMax) {
      throw new LimitExceededError('engineValueBytesMax', limits.engineValueBytesMax, op.value.length);
    }
    total += op.key.length + (op.kind === 'put' ? op.value.length : 0);
  }
  if (total > limits.writeBatchBytesMax) throw new LimitExceededError('writeBatchBytesMax', limits.writeBatchBytesMax, total);
  return total;
}
