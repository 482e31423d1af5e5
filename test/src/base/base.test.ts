import { describe, expect, it } from 'vitest';
import { AssertionError, assert, assertEqual, assertNever, defined } from '../../../src/base/assert.js';
import { LimitExceededError, RangedbError } from '../../../src/base/errors.js';
import { nodeId, rangeId, shortTxnId, txnId, txnIdFromBytes } from '../../../src/base/ids.js';
import { limits } from '../../../src/base/limits.js';

describe('assert', () => {
  it('throws AssertionError with the (lazy) message only when the condition fails', () => {
    let built = 0;
    const message = (): string => {
      built++;
      return 'boom';
    };
    assert(true, message);
    expect(built).toBe(0);
    expect(() => assert(false, message)).toThrow(new AssertionError('boom'));
    expect(() => assertEqual(1, 2, 'counts')).toThrow(/counts differ: 1 !== 2/);
    expect(defined(0)).toBe(0);
    expect(() => defined(undefined, 'range')).toThrow(/range is undefined/);
    expect(() => assertNever({ kind: 'x' } as never)).toThrow(/unexpected value/);
  });
});

describe('errors', () => {
  it('carry a stable code, a class and a SQLSTATE', () => {
    const error = new LimitExceededError('valueBytesMax', 10, 11);
    expect(error).toBeInstanceOf(RangedbError);
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.errorClass).toBe('input');
    expect(error.sqlState).toBe('54000');
    expect(error.name).toBe('LimitExceededError');
    expect(error.message).toBe('valueBytesMax exceeded: 11 > 10');
  });
});

describe('ids', () => {
  it('reject invalid values', () => {
    expect(nodeId(3)).toBe(3);
    expect(() => nodeId(0)).toThrow(AssertionError);
    expect(() => rangeId(1.5)).toThrow(AssertionError);
    expect(() => txnId('XYZ')).toThrow(AssertionError);
  });

  it('make version-4 transaction ids from random bytes', () => {
    const id = txnIdFromBytes(new Uint8Array(16).fill(0xff));
    expect(id).toBe('ffffffffffff4fffbfffffffffffffff');
    expect(shortTxnId(id)).toBe('ffffffff');
    expect(() => txnIdFromBytes(new Uint8Array(15))).toThrow(AssertionError);
  });
});

describe('limits', () => {
  it('are frozen and name their units', () => {
    expect(Object.isFrozen(limits)).toBe(true);
    for (const name of Object.keys(limits)) expect(name).toMatch(/(Bytes|Max|Nanos|Entries|Batches|Keys|Intents)[A-Za-z]*$/);
    expect(limits.engineKeyBytesMax).toBeGreaterThanOrEqual(2 * limits.keyBytesMax);
  });
});
