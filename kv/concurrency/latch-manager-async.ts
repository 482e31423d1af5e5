/**
 * A thin async adapter over the sans-I/O `LatchManager`: `acquire` returns a promise resolved
 * when the latches are held. There is no `await` between deciding and recording, so the core's
 * state stays the single source of truth. Cancellation: `release` a guard that is still waiting
 * (its promise then never resolves; the caller must stop awaiting it).
 */
import { assert } from '../../src/base/assert.js';
import { LatchManager, type LatchGuard, type LatchSpan } from './latch-manager.js';

export class LatchManagerAsync {
  private readonly pending = new Map<number, () => void>();

  constructor(readonly core: LatchManager = new LatchManager()) {}

  /**
   * Sequences the request now; `held` resolves once every earlier conflicting guard released,
   * and is undefined when the latches are held at once — the common case, where awaiting a
   * resolved promise would only cost the request an allocation and a microtask turn.
   */
  acquire(latches: readonly LatchSpan[]): { guard: LatchGuard; held: Promise<LatchGuard> | undefined } {
    const result = this.core.acquire(latches);
    if (result.kind === 'acquired') return { guard: result.guard, held: undefined };
    const held = new Promise<LatchGuard>((resolve) => {
      this.pending.set(result.guard.seq, () => resolve(result.guard));
    });
    return { guard: result.guard, held };
  }

  release(guard: LatchGuard): void {
    this.pending.delete(guard.seq);
    for (const unblocked of this.core.release(guard)) {
      const resolve = this.pending.get(unblocked.seq);
      assert(resolve !== undefined, 'an unblocked latch guard has no waiter');
      this.pending.delete(unblocked.seq);
      resolve();
    }
  }
}
