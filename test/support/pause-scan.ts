/**
 * Holds a scan mid-evaluation: the first iterator `engine` opens over exactly the data span of
 * `[start, end)` stops before its second step — by then the scan has read its first key's
 * newest-version record from the iterator's snapshot, and still holds its latches — until
 * `release()`. For tests of what may or may not happen beside a read still evaluating.
 */
import { vi } from 'vitest';
import type { MemoryEngine } from '../../kv/storage/memory-engine.js';
import { dataSpan } from '../../kv/storage/mvcc/keys.js';

export function pauseFirstScan(engine: MemoryEngine, start: Uint8Array, end: Uint8Array): { readonly reached: Promise<void>; release(): void } {
  const bounds = dataSpan(start, end);
  const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;
  let reached!: () => void;
  let release!: () => void;
  const reachedP = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const iterate = engine.iterate.bind(engine);
  let armed = true;
  vi.spyOn(engine, 'iterate').mockImplementation((options) => {
    const it = iterate(options);
    if (!armed || !same(options.lowerBound, bounds.lowerBound) || !same(options.upperBound, bounds.upperBound)) return it;
    armed = false;
    let steps = 0;
    return {
      next: async () => {
        if (++steps === 2) {
          reached();
          await released;
        }
        return it.next();
      },
      seek: (target) => it.seek(target),
      close: () => it.close(),
    };
  });
  return { reached: reachedP, release };
}
