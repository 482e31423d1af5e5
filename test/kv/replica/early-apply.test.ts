/**
 * Early application (kv/replica `Replica.stageReady`, `Store.processReady`): a command whose Raft
 * entry an earlier cycle made durable is applied and answered before the next cycle's fsync —
 * which only makes the entries proposed meanwhile durable — so a proposal waits for one fsync,
 * not for two.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { batchHeader, batchRequest, putRequest } from '../../../kv/api/index.js';
import type { CommitOptions, WriteOp } from '../../../kv/storage/engine.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { silentLogger } from '../../../src/base/logger.js';
import { realEnv } from '../../../src/env/real.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { stateAfter } from '../../support/settled.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const k = (s: string): Uint8Array => Uint8Array.from([0x10, ...enc(s)]);

/** A memory engine whose synced commits can be held at a gate, like a slow fsync. */
class GatedEngine extends MemoryEngine {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  /** Synced commits waiting at the gate. */
  held = 0;

  closeGate(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  openGate(): void {
    this.gate = undefined;
    this.open?.();
  }

  override async commit(ops: readonly WriteOp[], options: CommitOptions): Promise<void> {
    if (options.sync && this.gate !== undefined) {
      this.held++;
      await this.gate;
      this.held--;
    }
    return super.commit(ops, options);
  }
}

describe('early application', () => {
  const open: { kv: Kv; engine: GatedEngine }[] = [];
  afterEach(async () => {
    for (const { kv, engine } of open.splice(0)) {
      engine.openGate(); // a failed assertion must not leave the store stuck at the gate
      await kv.close();
    }
  });

  it("answers a proposal whose entry is durable without waiting for the next cycle's fsync", async () => {
    const engine = new GatedEngine();
    const kv = await openKv({ engine, env: realEnv({ logger: silentLogger() }) });
    open.push({ kv, engine });
    const put = (key: string): Promise<unknown> => kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [putRequest(k(key), enc(key))]));
    await put('warm'); // the lease is taken
    engine.closeGate();
    const a = put('a');
    // a's entry waits at its fsync; b is proposed meanwhile and goes into the next cycle.
    expect(await stateAfter(a, 50)).toBe('pending');
    expect(engine.held).toBe(1);
    const b = put('b');
    engine.openGate();
    engine.closeGate();
    // The next cycle holds b's fsync at the gate: a, durable already, is answered before it.
    expect(await stateAfter(a, 50)).toBe('settled');
    expect(await stateAfter(b, 0)).toBe('pending');
    expect(engine.held).toBe(1);
    engine.openGate();
    await Promise.all([a, b]);
  });
});
