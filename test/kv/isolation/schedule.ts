/**
 * Hermitage-style schedules (github.com/ept/hermitage): two or three explicit transactions whose
 * operations are issued one step at a time in a fixed interleaving. Each step is started and
 * given a short real-time window; a step marked `blocks` must still be pending after its window
 * (it waits in the lock table behind another transaction's intent), and the schedule moves on
 * to the next step, which is usually the one that unblocks it. A transaction's later steps queue
 * behind its blocked one.
 *
 * After the schedule, whatever the server chose (wait, push, refresh, restart), the outcome
 * must be serializable: `serialOrder` replays the committed transactions' operations on a model
 * of the table in every order and returns one in which every read they made sees what it saw
 * and the final state is the table's. A transaction that failed must have failed with a
 * retryable error (40001); anything else fails the test.
 *
 * Transactions get fixed, distinct priorities, highest for T1: a step of a later transaction
 * that meets an earlier one's intent cannot win the push and so must wait.
 */
import { expect } from 'vitest';
import { isRetryableError } from '../../../kv/api/index.js';
import type { Txn } from '../../../txn/index.js';
import { dec, enc, newTxn, rowKey, rowKeyString, settle, stillPendingAfter, tableEnd, tableStart, tableState, type TestKv } from './harness.js';

export type Op =
  | { readonly kind: 'get'; readonly id: number }
  | { readonly kind: 'put'; readonly id: number; readonly value: string }
  | { readonly kind: 'delete'; readonly id: number }
  | { readonly kind: 'scan' }
  /** `DELETE … WHERE value = $value`: a scan of the table, then a delete of each matching row. */
  | { readonly kind: 'deleteWhere'; readonly value: string }
  | { readonly kind: 'commit' }
  | { readonly kind: 'rollback' };

export interface Step {
  /** 1-based transaction number. */
  readonly txn: number;
  readonly op: Op;
  readonly blocks: boolean;
}

export const get = (txn: number, id: number): Step => ({ txn, op: { kind: 'get', id }, blocks: false });
export const put = (txn: number, id: number, value: string): Step => ({ txn, op: { kind: 'put', id, value }, blocks: false });
export const del = (txn: number, id: number): Step => ({ txn, op: { kind: 'delete', id }, blocks: false });
export const scan = (txn: number): Step => ({ txn, op: { kind: 'scan' }, blocks: false });
export const deleteWhere = (txn: number, value: string): Step => ({ txn, op: { kind: 'deleteWhere', value }, blocks: false });
export const commit = (txn: number): Step => ({ txn, op: { kind: 'commit' }, blocks: false });
export const rollback = (txn: number): Step => ({ txn, op: { kind: 'rollback' }, blocks: false });
/** The step must still be pending after `blockWindowMs`. */
export const blocked = (step: Step): Step => ({ ...step, blocks: true });

/** What a completed read returned: a value, or the rows of a scan as [key, value] pairs. */
export type ReadResult = string | undefined | readonly (readonly [string, string])[];

export interface Observation {
  readonly op: Op;
  readonly result: ReadResult;
}

export type TxnStatus = 'committed' | 'rolledBack' | 'failed';

export interface TxnOutcome {
  readonly name: string;
  readonly status: TxnStatus;
  readonly observations: readonly Observation[];
  /** The retryable error a failed transaction got. */
  readonly error: unknown;
}

export interface ScheduleRun {
  readonly outcomes: readonly TxnOutcome[];
  /** key → value after the schedule. */
  readonly finalState: ReadonlyMap<string, string>;
  /** Labels of steps that were still pending at the end of their window. */
  readonly pendingSteps: readonly string[];
}

const stepWindowMs = 40;
const blockWindowMs = 200;
/** How long the steps may take to finish once all were issued. */
const settleMsMax = 10_000;

class Actor {
  tail: Promise<void> = Promise.resolve();
  status: TxnStatus | 'open' = 'open';
  error: unknown = undefined;
  fatal: unknown = undefined;
  readonly observations: Observation[] = [];

  constructor(
    readonly name: string,
    readonly txn: Txn,
  ) {}

  async perform(op: Op): Promise<void> {
    if (this.status !== 'open') return;
    try {
      const result = await execute(this.txn, op);
      this.observations.push({ op, result });
      if (op.kind === 'commit') this.status = 'committed';
      if (op.kind === 'rollback') this.status = 'rolledBack';
    } catch (error) {
      if (!isRetryableError(error)) {
        this.fatal = error;
        this.status = 'failed';
        return;
      }
      this.status = 'failed';
      this.error = error;
      if (!this.txn.isFinished) await this.txn.rollback().catch(() => undefined);
    }
  }
}

async function execute(txn: Txn, op: Op): Promise<ReadResult> {
  switch (op.kind) {
    case 'get':
      return dec(await txn.get(rowKey(op.id)));
    case 'put':
      await txn.put(rowKey(op.id), enc(op.value));
      return undefined;
    case 'delete':
      await txn.delete(rowKey(op.id));
      return undefined;
    case 'scan':
      return (await txn.scan(tableStart, tableEnd)).map((row) => [dec(row.key) ?? '', dec(row.value) ?? ''] as const);
    case 'deleteWhere': {
      const rows = await txn.scan(tableStart, tableEnd);
      for (const row of rows) if (dec(row.value) === op.value) await txn.delete(row.key);
      return rows.map((row) => [dec(row.key) ?? '', dec(row.value) ?? ''] as const);
    }
    case 'commit':
      await txn.commit();
      return undefined;
    case 'rollback':
      await txn.rollback();
      return undefined;
  }
}

const label = (step: Step, index: number): string => `step ${index + 1}: T${step.txn} ${step.op.kind}${'id' in step.op ? ` row ${step.op.id}` : ''}`;

export interface ScheduleOptions {
  /** Each transaction's priority; default 1000 × (count − index): T1 highest. */
  readonly priorities?: readonly number[];
}

/** Runs `steps` with `txnCount` transactions; see the file comment. */
export async function runSchedule(t: TestKv, txnCount: number, steps: readonly Step[], options: ScheduleOptions = {}): Promise<ScheduleRun> {
  const priority = (i: number): number => options.priorities?.[i] ?? 1000 * (txnCount - i);
  const actors = Array.from({ length: txnCount }, (_, i) => new Actor(`T${i + 1}`, newTxn(t, { name: `T${i + 1}`, priority: priority(i) })));
  const pendingSteps: string[] = [];
  for (const [index, step] of steps.entries()) {
    const actor = actors[step.txn - 1];
    expect(actor, `T${step.txn} exists`).toBeDefined();
    if (actor === undefined) continue;
    const done = actor.tail.then(() => actor.perform(step.op));
    actor.tail = done;
    const pending = await stillPendingAfter(t.env, settle(done), step.blocks ? blockWindowMs : stepWindowMs);
    if (pending) pendingSteps.push(label(step, index));
    if (step.blocks) expect(pending, `${label(step, index)} should wait for the other transaction`).toBe(true);
  }
  const all = Promise.all(actors.map((a) => a.tail));
  const stuck = await stillPendingAfter(t.env, all, settleMsMax);
  expect(stuck, `still waiting ${settleMsMax} ms after the last step (a deadlock nobody broke?): ${pendingSteps.join('; ')}`).toBe(false);
  for (const actor of actors) {
    expect(actor.fatal, `${actor.name} failed with a non-retryable error`).toBeUndefined();
    expect(actor.status, `${actor.name} neither committed, rolled back nor failed`).not.toBe('open');
  }
  const outcomes = actors.map((a) => ({ name: a.name, status: a.status as TxnStatus, observations: a.observations, error: a.error }));
  return { outcomes, finalState: await tableState(t), pendingSteps };
}

// ─── the serial model ────────────────────────────────────────────────────────────────────────

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** Applies `txn`'s observations to `state`; false if one of its reads could not have happened. */
function replay(state: Map<string, string>, txn: TxnOutcome): boolean {
  for (const { op, result } of txn.observations) {
    switch (op.kind) {
      case 'get':
        if (state.get(rowKeyString(op.id)) !== result) return false;
        break;
      case 'scan':
      case 'deleteWhere': {
        const rows = [...state.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        if (JSON.stringify(rows) !== JSON.stringify(result)) return false;
        if (op.kind === 'deleteWhere') for (const [key, value] of rows) if (value === op.value) state.delete(key);
        break;
      }
      case 'put':
        state.set(rowKeyString(op.id), op.value);
        break;
      case 'delete':
        state.delete(rowKeyString(op.id));
        break;
      case 'commit':
      case 'rollback':
        break;
    }
  }
  return true;
}

/**
 * A serial order of the committed transactions that explains every read they made and the final
 * state, starting from `initial`; undefined if there is none (the run was not serializable).
 */
export function serialOrder(initial: Readonly<Record<number, string>>, run: ScheduleRun): string[] | undefined {
  const committed = run.outcomes.filter((o) => o.status === 'committed');
  for (const order of permutations(committed)) {
    const state = new Map(Object.entries(initial).map(([id, value]) => [rowKeyString(Number(id)), value]));
    if (!order.every((txn) => replay(state, txn))) continue;
    if (JSON.stringify([...state].sort()) === JSON.stringify([...run.finalState].sort())) return order.map((o) => o.name);
  }
  return undefined;
}

/** Asserts the run is serializable and that every failure was retryable; returns the order. */
export function expectSerializable(initial: Readonly<Record<number, string>>, run: ScheduleRun): string[] {
  const order = serialOrder(initial, run);
  const summary = run.outcomes.map((o) => `${o.name} ${o.status} ${JSON.stringify(o.observations.map((x) => [x.op.kind, 'id' in x.op ? x.op.id : '', x.result ?? null]))}`).join('\n');
  expect(order, `no serial order explains:\n${summary}\nfinal ${JSON.stringify([...run.finalState])}`).toBeDefined();
  for (const outcome of run.outcomes) {
    if (outcome.status === 'failed') expect(isRetryableError(outcome.error), String(outcome.error)).toBe(true);
  }
  return order ?? [];
}

export const statusOf = (run: ScheduleRun, name: string): TxnStatus | undefined => run.outcomes.find((o) => o.name === name)?.status;

/** The value a committed transaction's `get` of row `id` returned (the first one). */
export function readOf(run: ScheduleRun, name: string, id: number): ReadResult {
  const outcome = run.outcomes.find((o) => o.name === name);
  return outcome?.observations.find((o) => o.op.kind === 'get' && o.op.id === id)?.result;
}
