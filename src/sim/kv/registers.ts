/**
 * The register workload and its serializability checker (Elle's approach, on chained registers).
 *
 * `registers` keys, `clients` loops of read-modify-write transactions: each transaction reads
 * 1–3 registers and overwrites some of those it read with `writer ∥ previous writer` — its own
 * id and the id of the value it read. Each register's values therefore form a chain back to its
 * initial (absent) value, and the chain *is* its version order: no need to see MVCC timestamps.
 *
 * At the end, one transaction reads every register; following each final value's previous-writer
 * links through the clients' logs gives the register's version order. Then (history.ts):
 * - every acknowledged write is on its register's chain (no lost write), and every committed
 *   transaction's writes all are or none is (atomicity; an ambiguous one counts as committed iff
 *   a write of it is seen);
 * - no value read or on a chain comes from a transaction that failed or was never run (G1a);
 * - the dependency graph of the committed transactions — ww (consecutive versions), wr (a read
 *   of a version), rw (a read of a version, to the writer of the next), and real time (one
 *   acknowledged before another began) — has no cycle (G1c, G-single, G2: not serializable, or
 *   not strictly).
 */
import { AmbiguousResultError, putRequest } from '../../../kv/api/index.js';
import { assert } from '../../base/assert.js';
import type { RandomSource } from '../../env/env.js';
import { SeededRandom } from '../../env/random.js';
import { runTxn, type Txn } from '../../../txn/index.js';
import type { Trace } from '../raft/trace.js';
import { drawAbandon, runAbandoned, type Put } from './abandon.js';
import type { Clients } from './clients.js';
import { EventKind } from './env.js';
import { checkHistory, type TxnRecord } from './history.js';
import { ProcessCrashedError, type SimNode } from './process.js';

/** The register keys: `0x12 ∥ u16be(register)` (after the bank's accounts and records). */
const registerPrefix = 0x12;

export function registerKey(register: number): Uint8Array {
  assert(Number.isSafeInteger(register) && register >= 0 && register <= 0xffff, 'a register is a u16');
  return Uint8Array.of(registerPrefix, register >> 8, register & 0xff);
}

/** A register's value: the writer's id and the id of the writer of the value it replaced ('' for none). */
function encodeValue(writer: string, previous: string | undefined): Uint8Array {
  return new TextEncoder().encode(`${writer}|${previous ?? ''}`);
}

export function decodeValue(bytes: Uint8Array): { readonly writer: string; readonly previous: string | undefined } {
  const [writer, previous, ...rest] = new TextDecoder().decode(bytes).split('|');
  assert(writer !== undefined && previous !== undefined && rest.length === 0, 'a register value is writer|previous');
  return { writer, previous: previous === '' ? undefined : previous };
}

/** A broken invariant of the register history. */
export class RegisterViolation extends Error {
  override readonly name = 'RegisterViolation';
}

export interface RegisterStats {
  readonly acked: number;
  readonly ambiguous: number;
  readonly failed: number;
  /** Transactions their client wrote and dropped (abandon.ts). */
  readonly abandoned: number;
  /** Transactions in the checked dependency graph (acknowledged, or ambiguous and seen). */
  readonly committed: number;
  readonly edges: number;
}

/** Workload event codes (the second trace field of `EventKind.Workload`; the bank's are below 20). */
const Op = { Acked: 21, Ambiguous: 22, Failed: 23, Checked: 24, Abandoned: 25 } as const;

export interface RegisterOptions {
  readonly registers: number;
  readonly clients: number;
  /** Transactions begun at most (the loops stop there; it bounds a run's CPU time). */
  readonly txnsMax: number;
  /** See `KvSimOptions.abandonChance` and `abandonHoldMsMax`. */
  readonly abandonChance: number;
  readonly abandonHoldMsMax: number;
}

export class RegisterSim {
  private readonly records = new Map<string, TxnRecord>();
  private acked = 0;
  private ambiguous = 0;
  private failed = 0;
  private abandoned = 0;
  private checked: { readonly committed: number; readonly edges: number } = { committed: 0, edges: 0 };

  constructor(
    private readonly node: SimNode,
    private readonly options: RegisterOptions,
    private readonly trace: Trace,
    private readonly clients: Clients,
    private readonly random: RandomSource,
  ) {
    assert(options.registers >= 1 && options.clients >= 0, 'registers ≥ 1');
  }

  /** Splits the registers over two ranges of their own, so transactions span ranges (parallel commits, async resolution). */
  async init(): Promise<void> {
    const splits = this.options.registers >= 2 ? [registerKey(0), registerKey(this.options.registers >> 1)] : [registerKey(0)];
    for (const key of splits) await this.node.run((kv) => kv.split(key));
  }

  loops(): Promise<void>[] {
    return Array.from({ length: this.options.clients }, (_, c) => this.client(c, new SeededRandom(this.random.uint32())));
  }

  stats(): RegisterStats {
    return { acked: this.acked, ambiguous: this.ambiguous, failed: this.failed, abandoned: this.abandoned, ...this.checked };
  }

  private async client(c: number, random: SeededRandom): Promise<void> {
    for (let n = 0; !this.clients.stopping && this.records.size < this.options.txnsMax; n++) {
      const id = `r.${c}.${n}`;
      const record: TxnRecord = { id, status: 'running', startedAt: this.clients.scheduler.now, ackedAt: undefined, reads: new Map(), writes: new Map() };
      this.records.set(id, record);
      const registers = this.pickRegisters(random);
      const writeMask = random.uint32();
      if (drawAbandon(random, this.options.abandonChance)) {
        await this.abandon(record, registers, writeMask, random.int(this.options.abandonHoldMsMax + 1));
        this.event([Op.Abandoned, c, n, record.writes.size], () => `${id}: abandoned, read ${describeReads(record)}, wrote ${[...record.writes.keys()].join(' ') || 'nothing'}`);
        continue;
      }
      try {
        await this.clients.track(id, () => this.node.run((kv) => runTxn(kv.sender, kv.txnDeps, (txn) => this.attempt(txn, record, registers, writeMask), { name: 'register-rmw', attemptsMax: 100 })));
        record.status = 'acked';
        record.ackedAt = this.clients.scheduler.now;
        this.acked++;
        this.event([Op.Acked, c, n, record.reads.size, record.writes.size], () => `${id}: acked, read ${describeReads(record)}, wrote ${[...record.writes.keys()].join(' ') || 'nothing'}`);
      } catch (error) {
        if (error instanceof AmbiguousResultError || error instanceof ProcessCrashedError) {
          record.status = 'ambiguous';
          this.ambiguous++;
          this.event([Op.Ambiguous, c, n], () => `${id}: ambiguous: ${error.message}`);
        } else {
          record.status = 'failed';
          this.failed++;
          this.event([Op.Failed, c, n], () => `${id}: failed: ${error instanceof Error ? error.message : String(error)}`);
          if (!(error instanceof Error && 'errorClass' in error)) throw error;
        }
      }
    }
  }

  /** Reads `registers`, writes those `writeMask` selects, holds the transaction `holdMs`, and drops it (abandon.ts). */
  private async abandon(record: TxnRecord, registers: readonly number[], writeMask: number, holdMs: number): Promise<void> {
    await runAbandoned(this.node, this.clients, record.id, holdMs, (txn) => readPicked(txn, record, registers, writeMask));
    record.status = 'abandoned';
    this.abandoned++;
  }

  /** 1–3 distinct registers. */
  private pickRegisters(random: RandomSource): number[] {
    const count = Math.min(this.options.registers, 1 + random.int(3));
    const picked = new Set<number>();
    while (picked.size < count) picked.add(random.int(this.options.registers));
    return [...picked];
  }

  /** One attempt: read every register picked, then overwrite those `writeMask` selects. The record keeps the last attempt's. */
  private async attempt(txn: Txn, record: TxnRecord, registers: readonly number[], writeMask: number): Promise<void> {
    const writes = (await readPicked(txn, record, registers, writeMask)).map(({ key, value }) => putRequest(key, value));
    if (writes.length > 0) await txn.commit(writes);
  }

  /** Reads every register's final value and checks the whole history (no crash can come any more). */
  async finalCheck(): Promise<void> {
    const finals = await this.node.run((kv) =>
      runTxn(kv.sender, kv.txnDeps, async (txn) => {
        const values = new Map<number, { readonly writer: string; readonly previous: string | undefined }>();
        for (let register = 0; register < this.options.registers; register++) {
          const bytes = await txn.get(registerKey(register));
          if (bytes !== undefined) values.set(register, decodeValue(bytes));
        }
        return values;
      }, { name: 'register-final', attemptsMax: 100 }),
    );
    const outcome = checkHistory(this.records, finals);
    if (typeof outcome === 'string') throw new RegisterViolation(outcome);
    this.checked = outcome;
    this.event([Op.Checked, outcome.committed, outcome.edges], () => `registers: ${outcome.committed} committed transactions, ${outcome.edges} dependencies, no cycle`);
  }

  private event(fields: readonly number[], describe: () => string): void {
    this.trace.record(this.clients.scheduler.now, [EventKind.Workload, ...fields], describe);
  }
}

function describeReads(record: TxnRecord): string {
  return [...record.reads].map(([register, writer]) => `${register}=${writer ?? '∅'}`).join(' ');
}

/**
 * Reads every register picked into `record` (its reads and writes start afresh: a retried attempt
 * keeps only the last one's) and returns the writes `writeMask` selects, each naming what it read.
 */
async function readPicked(txn: Txn, record: TxnRecord, registers: readonly number[], writeMask: number): Promise<Put[]> {
  record.reads.clear();
  record.writes.clear();
  const writes: Put[] = [];
  for (const [i, register] of registers.entries()) {
    const bytes = await txn.get(registerKey(register));
    const previous = bytes === undefined ? undefined : decodeValue(bytes).writer;
    record.reads.set(register, previous);
    if ((writeMask >>> i) & 1) {
      record.writes.set(register, previous);
      writes.push({ key: registerKey(register), value: encodeValue(record.id, previous) });
    }
  }
  return writes;
}
