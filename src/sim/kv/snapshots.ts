/**
 * Historical reads of the registers (SQL's AS OF SYSTEM TIME; a fixed-timestamp `Txn`), checked
 * against what a fresh read saw at the same timestamp.
 *
 * A loop takes snapshots — a read-only transaction reads every register at the clock's now and
 * keeps the values with the timestamp its reads ended at (after any uncertainty restart or
 * refresh: the timestamp they are all valid at) — and reads old snapshots again as of their
 * timestamp. What a register held at a timestamp some read was served at can never change: the
 * timestamp cache pushes every later write above it, and a GC keeps the newest version at or
 * below its threshold. So a historical read must return exactly the snapshot's values, or fail
 * with BatchTimestampBeforeGCError — and only if the GC (gc.ts) set a threshold at or above the
 * snapshot's timestamp. A different value is a violation, whatever the cause: GC collecting a
 * version still visible, an intent resolved at the wrong timestamp, a write landing below a read.
 *
 * Snapshots are protected operations (the GC stays below them while they run); the historical
 * reads are not — GC overtaking them is what they test.
 */
import { BatchTimestampBeforeGCError } from '../../../kv/api/index.js';
import { formatTimestamp, less, lessEq, type Timestamp } from '../../../clock/timestamp.js';
import type { RandomSource } from '../../env/env.js';
import { runTxn, type Txn } from '../../../txn/index.js';
import type { Kv } from '../../node/kv.js';
import type { Trace } from '../raft/trace.js';
import type { Clients } from './clients.js';
import { EventKind } from './env.js';
import type { GcSim } from './gc.js';
import { ProcessCrashedError, type SimNode } from './process.js';
import { decodeValue, registerKey } from './registers.js';

/** A broken promise of a historical read. */
export class HistoricalReadViolation extends Error {
  override readonly name = 'HistoricalReadViolation';
}

export interface SnapshotStats {
  readonly taken: number;
  /** Historical reads that returned the snapshot's values. */
  readonly matched: number;
  /** Historical reads refused as below the GC threshold. */
  readonly refused: number;
}

/** A register's value at a snapshot: its writer, undefined for absent. */
type Values = ReadonlyMap<number, string | undefined>;

interface Snapshot {
  readonly id: string;
  readonly at: Timestamp;
  readonly values: Values;
}

/** Workload event codes (the second trace field of `EventKind.Workload`). */
const Op = { Taken: 41, Matched: 42, Refused: 43 } as const;

/** Snapshots kept to be read again (the oldest is dropped past it). */
const snapshotsMax = 64;

export class SnapshotSim {
  private readonly snapshots: Snapshot[] = [];
  private taken = 0;
  private matched = 0;
  private refused = 0;

  constructor(
    private readonly node: SimNode,
    private readonly clients: Clients,
    private readonly trace: Trace,
    private readonly registers: number,
    private readonly gc: GcSim | undefined,
    private readonly random: RandomSource,
  ) {}

  stats(): SnapshotStats {
    return { taken: this.taken, matched: this.matched, refused: this.refused };
  }

  /** Takes snapshots and reads old ones again until the busy phase ends. */
  async loop(): Promise<void> {
    for (let n = 0; !this.clients.stopping; n++) {
      await this.clients.sleep(1 + this.random.int(5));
      if (this.clients.stopping) return;
      try {
        if (this.snapshots.length === 0 || this.random.int(3) === 0) await this.take(`snapshot ${n}`);
        else await this.readAgain(this.pickSnapshot(), `as-of ${n}`);
      } catch (error) {
        if (!(error instanceof ProcessCrashedError)) throw error;
      }
    }
  }

  private async take(id: string): Promise<void> {
    // Every register: the ones no one wrote for a while are those a GC that took too much empties.
    const registers = Array.from({ length: this.registers }, (_, register) => register);
    let last: Txn | undefined;
    const values = await this.clients.track(id, () =>
      this.node.run((kv) =>
        runTxn(kv.sender, kv.txnDeps, (txn) => ((last = txn), readRegisters(txn, registers)), { name: 'register-snapshot', attemptsMax: 100 }),
      ),
    );
    const at = last!.transaction.readTimestamp;
    this.snapshots.push({ id, at, values });
    if (this.snapshots.length > snapshotsMax) this.snapshots.shift();
    this.taken++;
    this.event([Op.Taken, values.size], () => `${id} at ${formatTimestamp(at)}: ${describeValues(values)}`);
  }

  private async readAgain(snapshot: Snapshot, id: string): Promise<void> {
    const registers = [...snapshot.values.keys()];
    let values: Values;
    try {
      values = await this.clients.track(id, () => this.node.run((kv: Kv) => runTxn(kv.sender, kv.txnDeps, (txn) => readRegisters(txn, registers), { name: 'register-as-of', fixedTimestamp: snapshot.at, attemptsMax: 100 })), false);
    } catch (error) {
      if (!(error instanceof BatchTimestampBeforeGCError)) throw error;
      const thresholdMax = this.gc?.thresholdMax;
      if (thresholdMax === undefined || !lessEq(snapshot.at, thresholdMax)) throw new HistoricalReadViolation(`${id}: a read as of ${snapshot.id} (${formatTimestamp(snapshot.at)}) was refused as below the GC threshold, but no GC threshold reached it (highest ${thresholdMax === undefined ? 'none' : formatTimestamp(thresholdMax)}): ${error.message}`);
      this.refused++;
      this.event([Op.Refused], () => `${id}: as of ${snapshot.id}: refused, before the GC threshold`);
      return;
    }
    for (const [register, writer] of snapshot.values) {
      if (values.get(register) !== writer) {
        throw new HistoricalReadViolation(`${id}: a read as of ${snapshot.id} (${formatTimestamp(snapshot.at)}) found register ${register} = ${values.get(register) ?? '∅'}, where the snapshot read ${writer ?? '∅'} at that timestamp (${describeValues(values)} vs ${describeValues(snapshot.values)})`);
      }
    }
    this.matched++;
    this.event([Op.Matched, values.size], () => `${id}: as of ${snapshot.id}: the same values`);
  }

  /**
   * A snapshot to read again: half the time the oldest one above the GC threshold — the one whose
   * versions a GC collecting one too many would most likely have taken — else any.
   */
  private pickSnapshot(): Snapshot {
    const threshold = this.gc?.thresholdMax;
    if (threshold !== undefined && this.random.int(2) === 0) {
      const oldestAbove = this.snapshots.find((snapshot) => less(threshold, snapshot.at));
      if (oldestAbove !== undefined) return oldestAbove;
    }
    return this.snapshots[this.random.int(this.snapshots.length)]!;
  }

  private event(fields: readonly number[], describe: () => string): void {
    this.trace.record(this.clients.scheduler.now, [EventKind.Workload, ...fields], describe);
  }
}

async function readRegisters(txn: Txn, registers: readonly number[]): Promise<Values> {
  const values = new Map<number, string | undefined>();
  for (const register of registers) {
    const bytes = await txn.get(registerKey(register));
    values.set(register, bytes === undefined ? undefined : decodeValue(bytes).writer);
  }
  return values;
}

function describeValues(values: Values): string {
  return [...values].map(([register, writer]) => `${register}=${writer ?? '∅'}`).join(' ');
}
