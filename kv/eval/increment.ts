/**
 * Increment: adds to a signed 64-bit integer stored as 8 bytes big-endian (absent = 0) and writes
 * the sum. The current value is read as the writer sees it at its write timestamp, so a value
 * committed above the transaction's read timestamp is not lost. A value of another length is a
 * `NonIntegerValueError`; a sum outside [-2^63, 2^63) an `IntegerOverflowError`.
 */
import { incrementResponse } from '../api/index.js';
import { mvccGet, mvccPut } from '../storage/mvcc/index.js';
import { checkRequestInRange, readForWrite, txnAfterWrite, writePosition, type Evaluator } from './context.js';
import { IntegerOverflowError, NonIntegerValueError } from './errors.js';

const int64Min = -(1n << 63n);
const int64Max = (1n << 63n) - 1n;

export function encodeInt64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, value, false);
  return out;
}

/** The integer in `bytes`; throws `NonIntegerValueError` unless it has exactly 8 bytes. */
export function decodeInt64(bytes: Uint8Array): bigint {
  if (bytes.length !== 8) throw new NonIntegerValueError(bytes.length);
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, false);
}

export const evalIncrement: Evaluator<'increment'> = async (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const view = readForWrite(ctx, request);
  const current = await mvccGet(rw, request.key, view.timestamp, view.txn === undefined ? {} : { txn: view.txn });
  const value = current.value?.value;
  const before = value === undefined || value === null ? 0n : decodeInt64(value);
  const sum = before + request.increment;
  if (sum < int64Min || sum > int64Max) throw new IntegerOverflowError(before, request.increment);
  const at = writePosition(ctx, request);
  const written = mvccPut(rw, ctx.stats, request.key, at.timestamp, encodeInt64(sum), at.txn === undefined ? {} : { txn: at.txn });
  const txn = txnAfterWrite(ctx, written.timestamp);
  return { response: incrementResponse(sum, written.timestamp), ...(txn === undefined ? {} : { txn }) };
};
