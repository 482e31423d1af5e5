// ReceivePump (src/node/sql-server.ts): a connection gets its socket's chunks one at a time and in
// order; a chunk arriving while one is handled queues and pauses the socket until the queue drains;
// an idle connection's chunk starts without pausing; close waits for what was received.
// ReceiveBatch: the chunks one turn of the event loop brought start together, after the turn.
import { describe, expect, it } from 'vitest';
import { ReceiveBatch, ReceivePump } from '../../../src/node/sql-server.js';

interface Deferred {
  readonly chunk: string;
  resolve(): void;
  reject(error: unknown): void;
}

/** A pump whose `receive` calls wait until the test settles them, and a log of what happened. */
function harness(batch?: ReceiveBatch, log: string[] = []) {
  const calls: Deferred[] = [];
  let running = 0;
  const pump = new ReceivePump(
    (chunk) => {
      running += 1;
      expect(running).toBe(1); // receive calls never overlap
      const text = Buffer.from(chunk).toString();
      log.push(`receive ${text}`);
      return new Promise<void>((resolve, reject) => {
        calls.push({
          chunk: text,
          resolve: () => {
            running -= 1;
            resolve();
          },
          reject: (error) => {
            running -= 1;
            reject(error);
          },
        });
      });
    },
    { pause: () => log.push('pause'), resume: () => log.push('resume') },
    (error) => log.push(`fail ${String(error)}`),
    batch,
  );
  const push = (text: string): void => pump.push(Buffer.from(text));
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { pump, log, calls, push, settle };
}

describe('ReceivePump', () => {
  it('hands a chunk to an idle connection at once, without pausing the socket', async () => {
    const { log, calls, push, settle } = harness();
    push('a');
    expect(log).toEqual(['receive a']); // synchronously, inside the 'data' callback
    calls[0]!.resolve();
    await settle();
    push('b');
    calls[1]!.resolve();
    await settle();
    expect(log).toEqual(['receive a', 'receive b']);
  });

  it('queues chunks that arrive while one is handled, pauses once, and hands them on in order', async () => {
    const { pump, log, calls, push, settle } = harness();
    push('1');
    push('2');
    push('3');
    push('4');
    expect(log).toEqual(['receive 1', 'pause']);
    expect(pump.queuedChunks).toBe(3);
    for (let i = 0; i < 4; i++) {
      await settle();
      expect(calls).toHaveLength(i + 1);
      expect(log).not.toContain('resume'); // still behind: the socket stays paused
      calls[i]!.resolve();
    }
    await settle();
    expect(log).toEqual(['receive 1', 'pause', 'receive 2', 'receive 3', 'receive 4', 'resume']);
    expect(pump.queuedChunks).toBe(0);
    // A chunk after the queue drained starts at once again.
    push('5');
    expect(log.at(-1)).toBe('receive 5');
  });

  it('runs whenIdle callbacks after every chunk received so far, or at once when idle', async () => {
    const { pump, log, calls, push, settle } = harness();
    pump.whenIdle(() => log.push('idle 0'));
    push('x');
    push('y');
    pump.whenIdle(() => log.push('idle 1'));
    calls[0]!.resolve();
    await settle();
    expect(log).toEqual(['idle 0', 'receive x', 'pause', 'receive y']);
    calls[1]!.resolve();
    await settle();
    expect(log).toEqual(['idle 0', 'receive x', 'pause', 'receive y', 'resume', 'idle 1']);
  });

  it('reports a failed receive, drops what is queued and releases whenIdle', async () => {
    const { pump, log, calls, push, settle } = harness();
    push('p');
    push('q');
    pump.whenIdle(() => log.push('idle'));
    calls[0]!.reject(new Error('boom'));
    await settle();
    expect(log).toEqual(['receive p', 'pause', 'fail Error: boom', 'idle']);
    expect(pump.queuedChunks).toBe(0);
    expect(calls).toHaveLength(1); // 'q' was never handed on
  });

  it('reports a receive that throws synchronously', () => {
    const log: string[] = [];
    const pump = new ReceivePump(
      () => {
        throw new Error('sync');
      },
      { pause: () => log.push('pause'), resume: () => log.push('resume') },
      (error) => log.push(`fail ${String(error)}`),
    );
    pump.push(Buffer.from('z'));
    expect(log).toEqual(['fail Error: sync']);
    pump.whenIdle(() => log.push('idle'));
    expect(log.at(-1)).toBe('idle');
  });
});

describe('ReceiveBatch', () => {
  it("starts the chunks of one turn together once the turn's callbacks are done, in arrival order", async () => {
    const deferred: (() => void)[] = [];
    const batch = new ReceiveBatch((run) => deferred.push(run));
    const log: string[] = [];
    const a = harness(batch, log);
    const b = harness(batch, log);
    a.push('a1');
    b.push('b1');
    a.push('a2'); // behind a1, which has not even started: queued, the socket paused
    expect(log).toEqual(['pause']);
    expect(deferred).toHaveLength(1); // one deferred run for the whole turn
    deferred.shift()!();
    expect(log).toEqual(['pause', 'receive a1', 'receive b1']);
    a.calls[0]!.resolve();
    await a.settle();
    expect(log).toEqual(['pause', 'receive a1', 'receive b1', 'receive a2']);
    a.calls[1]!.resolve();
    b.calls[0]!.resolve();
    await a.settle();
    expect(log.at(-1)).toBe('resume');
    // The next turn schedules a new run.
    b.push('b2');
    expect(deferred).toHaveLength(1);
    deferred.shift()!();
    expect(log.at(-1)).toBe('receive b2');
  });

  it('keeps a close waiting for a chunk that is still to be started', async () => {
    const deferred: (() => void)[] = [];
    const { pump, log, calls, push, settle } = harness(new ReceiveBatch((run) => deferred.push(run)));
    push('last');
    pump.whenIdle(() => log.push('close'));
    expect(log).toEqual([]);
    deferred.shift()!();
    calls[0]!.resolve();
    await settle();
    expect(log).toEqual(['receive last', 'close']);
  });

  it('starts at once without a way to defer (simulated time)', () => {
    const { log, push } = harness(new ReceiveBatch(undefined));
    push('now');
    expect(log).toEqual(['receive now']);
  });
});
