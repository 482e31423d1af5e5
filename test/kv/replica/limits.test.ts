/**
 * The size limits of the write path fit inside each other, so an accepted request can never make
 * a Ready cycle's engine commit fail (which would stop the store): a client value fits a command,
 * a command fits an engine value, and the store's batch bound plus one replica's Ready (an
 * append and an apply) fits one engine write batch.
 */
import { describe, expect, it } from 'vitest';
import { limits } from '../../../src/base/limits.js';

describe('write-path size limits', () => {
  it('nest: client value < command < engine value, and a Ready cycle < engine batch', () => {
    expect(limits.valueBytesMax + limits.keyBytesMax).toBeLessThan(limits.raftCommandBytesMax);
    expect(limits.raftCommandBytesMax + 1024).toBeLessThanOrEqual(limits.engineValueBytesMax);
    expect(limits.writeBatchBytesMax / 4 + 2 * limits.engineValueBytesMax).toBeLessThan(limits.writeBatchBytesMax);
  });
});
