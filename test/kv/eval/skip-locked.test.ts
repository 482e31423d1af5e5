/**
 * SKIP LOCKED evaluated (kv/eval over kv/storage's `skipLocked` scanner option, CockroachDB's
 * `SkipLocked` wait policy): a Get or Scan whose batch carries a lock-table view leaves out the
 * keys that view says other transactions lock and the intents of other transactions it meets,
 * instead of failing with WriteIntentError; the skipped intents are reported to the view; the
 * key limit counts only the rows returned (the scan goes on past skipped keys) and the resume
 * span starts after the last row returned; a newer committed value on a skipped key is no
 * WriteTooOld, on a key it returns it still is.
 */
import { describe, expect, it } from 'vitest';
import { timestamp } from '../../../clock/timestamp.js';
import { batchHeader, batchRequest, getRequest, putRequest, reverseScanRequest, scanRequest, WriteTooOldError, type Request, type Transaction } from '../../../kv/api/index.js';
import { Batch } from '../../../kv/storage/batch.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import type { Intent } from '../../../kv/storage/mvcc/index.js';
import { evaluateBatch, type SkipLockedEval } from '../../../kv/eval/index.js';
import { enc, state, txnAt } from './range-fixture.js';

const dec = (b: Uint8Array): string => new TextDecoder().decode(b);


/** A lock-table view locking `locked` (as the replica builds it from its lock-table scan). */
class View implements SkipLockedEval {
  readonly skipped: Intent[] = [];
  constructor(private readonly locked: readonly string[] = []) {}
  isKeyLocked(key: Uint8Array): boolean {
    return this.locked.includes(dec(key));
  }
  skippedIntents(intents: readonly Intent[]): void {
    this.skipped.push(...intents);
  }
}

async function run(engine: MemoryEngine, requests: readonly Request[], txn: Transaction | undefined, options: { ts?: bigint; view?: View; maxKeys?: number } = {}) {
  const rw = new Batch(engine);
  const header = batchHeader({ timestamp: txn?.readTimestamp ?? timestamp(options.ts ?? 10n), txn, maxSpanRequestKeys: options.maxKeys ?? 0, waitPolicy: options.view === undefined ? 'block' : 'skipLocked' });
  const result = await evaluateBatch({ ...state(), ...(options.view === undefined ? {} : { skipLocked: options.view }) }, rw, batchRequest(header, requests));
  await engine.commit(rw.ops, { sync: false });
  return result;
}

/** Rows a b c d e f committed at 5; an intent of txn `w` on c (at 8, below the readers). */
async function fixture(): Promise<MemoryEngine> {
  const engine = new MemoryEngine();
  for (const key of ['b', 'c', 'd', 'e', 'f']) await run(engine, [putRequest(enc(key), enc(`${key}5`))], undefined, { ts: 5n });
  await run(engine, [putRequest(enc('c'), enc('c-w'))], txnAt('b', 8n));
  return engine;
}

const keysOf = (response: unknown): string[] => ((response as { rows: { key: Uint8Array }[] }).rows ?? []).map((row) => dec(row.key));

describe('SKIP LOCKED in kv/eval', () => {
  it('leaves out intents of other transactions and keys the lock table locks, and reports the intents', async () => {
    const engine = await fixture();
    const reader = txnAt('a', 10n);
    const view = new View(['e']);
    const result = await run(engine, [scanRequest(enc('a'), enc('l'), 'exclusive')], reader, { view });
    expect(keysOf(result.responses[0])).toEqual(['b', 'd', 'f']);
    expect(view.skipped.map((intent) => dec(intent.key))).toEqual(['c']);
    expect(view.skipped[0]!.txn.id).toBe(txnAt('b', 8n).id);
    // Reverse too.
    const reverse = await run(engine, [reverseScanRequest(enc('a'), enc('l'), 'exclusive')], reader, { view: new View(['e']) });
    expect(keysOf(reverse.responses[0])).toEqual(['f', 'd', 'b']);
    // A plain (non-locking) read under skipLocked skips the intent below its timestamp too.
    const plain = await run(engine, [scanRequest(enc('a'), enc('l'))], reader, { view: new View() });
    expect(keysOf(plain.responses[0])).toEqual(['b', 'd', 'e', 'f']);
    // The writer's own intent is no lock to it.
    const own = await run(engine, [scanRequest(enc('a'), enc('l'), 'exclusive')], txnAt('b', 8n), { view: new View() });
    expect(keysOf(own.responses[0])).toEqual(['b', 'c', 'd', 'e', 'f']);
  });

  it('skips a locked key in a Get, which reads as absent', async () => {
    const engine = await fixture();
    const reader = txnAt('a', 10n);
    const view = new View(['d']);
    const result = await run(engine, [getRequest(enc('c'), 'exclusive'), getRequest(enc('d'), 'exclusive'), getRequest(enc('e'), 'exclusive')], reader, { view });
    expect(result.responses.map((response) => (response.kind === 'get' && response.value !== undefined ? dec(response.value) : undefined))).toEqual([undefined, undefined, 'e5']);
    expect(view.skipped.map((intent) => dec(intent.key))).toEqual(['c']);
  });

  it('counts only returned rows against the key limit, and resumes after the last one', async () => {
    const engine = await fixture();
    const reader = txnAt('a', 10n);
    // b is locked, c has an intent: the first two rows are d and e.
    const result = await run(engine, [scanRequest(enc('a'), enc('l'), 'exclusive')], reader, { view: new View(['b']), maxKeys: 2 });
    const response = result.responses[0]!;
    expect(keysOf(response)).toEqual(['d', 'e']);
    expect(response.kind === 'scan' ? response.resumeSpan : undefined).toMatchObject({ key: Uint8Array.from([...enc('e'), 0]), endKey: enc('l') });
    expect(response.kind === 'scan' ? response.resumeReason : undefined).toBe('keyLimit');
    // The resume span reads on: f, then nothing left.
    const rest = await run(engine, [scanRequest(Uint8Array.from([...enc('e'), 0]), enc('l'), 'exclusive')], reader, { view: new View(['b']), maxKeys: 2 });
    expect(keysOf(rest.responses[0])).toEqual(['f']);
    expect(rest.responses[0]!.kind === 'scan' ? rest.responses[0]!.resumeSpan : 'x').toBeUndefined();
    // Every row locked: an empty answer, no resume span (nothing was left unread).
    const none = await run(engine, [scanRequest(enc('a'), enc('l'), 'exclusive')], reader, { view: new View(['b', 'd', 'e', 'f']), maxKeys: 1 });
    expect(keysOf(none.responses[0])).toEqual([]);
    expect(none.responses[0]!.kind === 'scan' ? none.responses[0]!.resumeSpan : 'x').toBeUndefined();
  });

  it('fails with WriteTooOld on a newer value of a key it would return, not of one it skips', async () => {
    const engine = await fixture();
    await run(engine, [putRequest(enc('d'), enc('d20'))], undefined, { ts: 20n });
    const reader = txnAt('a', 10n);
    await expect(run(engine, [scanRequest(enc('a'), enc('l'), 'exclusive')], reader, { view: new View() })).rejects.toBeInstanceOf(WriteTooOldError);
    const skipping = await run(engine, [scanRequest(enc('a'), enc('l'), 'exclusive')], reader, { view: new View(['d']) });
    expect(keysOf(skipping.responses[0])).toEqual(['b', 'e', 'f']);
  });
});
