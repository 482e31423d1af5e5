/**
 * The checker of a register history (registers.ts): from every transaction's last attempt — the
 * registers it read with the writer of each value it saw, and the registers it wrote with the
 * previous writer its value names — and the final value of each register, it rebuilds each
 * register's version order (the chain of previous-writer links back from the final value),
 * checks that committed writes are all there and nothing else is, and looks for a cycle in the
 * dependency graph (Adya's DSG, as Elle builds it):
 *
 *     ww  A → B   B's version of a register follows A's
 *     wr  A → B   B read A's version
 *     rw  A → B   A read the version B's follows (B overwrote what A saw: A came first)
 *     rt  A → B   A was acknowledged before B began (strict serializability)
 *
 * Real-time edges go through one barrier node per acknowledgement time (A → ack@t → … → B),
 * so they cost O(n log n), not O(n²). A cycle is a violation, reported with its edges.
 */
import { assert } from '../../base/assert.js';

/** One transaction of the workload, as its client saw it (the last attempt's reads and writes). */
export interface TxnRecord {
  readonly id: string;
  /** `abandoned`: its client wrote, then dropped it (abandon.ts) — never committed, as a failed one. */
  status: 'running' | 'acked' | 'ambiguous' | 'failed' | 'abandoned';
  /** Virtual time it began, and was acknowledged (µs). */
  readonly startedAt: number;
  ackedAt: number | undefined;
  /** Register → the writer of the value read (undefined: the initial, absent value). */
  readonly reads: Map<number, string | undefined>;
  /** Register → the writer of the value this one replaced (what it read there). */
  readonly writes: Map<number, string | undefined>;
}

/** A register's final value. */
export interface FinalValue {
  readonly writer: string;
  readonly previous: string | undefined;
}

type EdgeKind = 'ww' | 'wr' | 'rw' | 'rt';

/** The dependency graph: node → successor → the kind of the first edge found between them. */
class Graph {
  readonly successors = new Map<string, Map<string, EdgeKind>>();
  edges = 0;

  node(id: string): void {
    if (!this.successors.has(id)) this.successors.set(id, new Map());
  }

  add(from: string, to: string, kind: EdgeKind): void {
    assert(from !== to, () => `a self-edge at ${from}`);
    this.node(from);
    this.node(to);
    const out = this.successors.get(from)!;
    if (out.has(to)) return;
    out.set(to, kind);
    this.edges++;
  }

  private predecessorLeft(id: string, left: ReadonlyMap<string, number>): string | undefined {
    for (const [from, out] of this.successors) if (left.has(from) && out.has(id)) return from;
    return undefined;
  }

  /** A cycle as `A -ww-> B -rw-> A`, or undefined (Kahn's algorithm, then a walk in what is left). */
  findCycle(): string | undefined {
    const indegree = new Map<string, number>();
    for (const id of this.successors.keys()) indegree.set(id, 0);
    for (const out of this.successors.values()) for (const to of out.keys()) indegree.set(to, indegree.get(to)! + 1);
    const ready = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
    for (let id = ready.pop(); id !== undefined; id = ready.pop()) {
      indegree.delete(id);
      for (const to of this.successors.get(id)!.keys()) {
        const d = indegree.get(to)! - 1;
        indegree.set(to, d);
        if (d === 0) ready.push(to);
      }
    }
    if (indegree.size === 0) return undefined;
    // Every node left has a predecessor left (not always a successor): walk back until one repeats.
    const path: string[] = [];
    const at = new Map<string, number>();
    let id = indegree.keys().next().value!;
    while (!at.has(id)) {
      at.set(id, path.length);
      path.push(id);
      id = this.predecessorLeft(id, indegree)!;
      assert(id !== undefined, 'a node left by Kahn has a predecessor left');
    }
    const cycle = [...path.slice(at.get(id)!), id].reverse();
    return cycle.map((node, i) => (i === 0 ? node : `-${this.successors.get(cycle[i - 1]!)!.get(node)!}-> ${node}`)).join(' ');
  }
}

/**
 * Checks the history: the first violation as a message, else the size of the graph checked.
 * `finals` holds the registers that have a value; the others were never written.
 */
export function checkHistory(records: ReadonlyMap<string, TxnRecord>, finals: ReadonlyMap<number, FinalValue>): string | { readonly committed: number; readonly edges: number } {
  const chains = new Map<number, string[]>();
  for (const [register, final] of finals) {
    const chain = versionChain(records, register, final);
    if (typeof chain === 'string') return chain;
    chains.set(register, chain);
  }
  const committed = new Set<string>();
  for (const record of records.values()) if (record.status === 'acked') committed.add(record.id);
  for (const chain of chains.values()) for (const writer of chain) committed.add(writer);
  const position = new Map<string, number>(); // `register writer` → index on the register's chain
  for (const [register, chain] of chains) chain.forEach((writer, i) => position.set(`${register} ${writer}`, i));

  const graph = new Graph();
  for (const id of committed) {
    const record = records.get(id)!;
    graph.node(id);
    for (const register of record.writes.keys()) {
      if (!position.has(`${register} ${id}`)) return `${id} (${record.status}) wrote register ${register}, but its write is not in the register's history ${describeChain(chains.get(register))}: ${record.status === 'acked' ? 'a lost write' : 'only part of the transaction is visible'}`;
    }
    for (const [register, writer] of record.reads) {
      const chain = chains.get(register) ?? [];
      const index = writer === undefined ? -1 : position.get(`${register} ${writer}`);
      if (index === undefined) return `${id} read register ${register} from ${writer}, which is not in the register's history ${describeChain(chain)} (an aborted or lost write was read)`;
      if (writer !== undefined) graph.add(writer, id, 'wr');
      const next = chain[index + 1];
      if (next !== undefined && next !== id) graph.add(id, next, 'rw');
    }
  }
  for (const chain of chains.values()) for (let i = 1; i < chain.length; i++) graph.add(chain[i - 1]!, chain[i]!, 'ww');
  addRealTimeEdges(graph, [...committed].map((id) => records.get(id)!));
  const cycle = graph.findCycle();
  if (cycle !== undefined) return `the committed transactions are not serializable (a dependency cycle): ${cycle}`;
  return { committed: committed.size, edges: graph.edges };
}

/** The writers of `register`'s versions, oldest first, from the final value's previous-writer links. */
function versionChain(records: ReadonlyMap<string, TxnRecord>, register: number, final: FinalValue): string[] | string {
  const chain: string[] = [];
  let writer: string | undefined = final.writer;
  let previous = final.previous;
  while (writer !== undefined) {
    const record = records.get(writer);
    if (record === undefined) return `register ${register} holds a version by ${writer}, a transaction never run`;
    if (record.status === 'failed' || record.status === 'running' || record.status === 'abandoned') return `register ${register} holds a version by ${writer}, which ${record.status === 'running' ? 'never finished' : record.status === 'failed' ? 'failed' : 'its client abandoned'} (G1a)`;
    if (!record.writes.has(register) || record.writes.get(register) !== previous) return `register ${register} holds a version by ${writer} after ${previous ?? 'the initial value'}, which its last attempt did not write`;
    if (chain.includes(writer)) return `register ${register}'s versions loop back to ${writer}`;
    chain.push(writer);
    writer = previous;
    previous = writer === undefined ? undefined : records.get(writer)?.writes.get(register);
  }
  return chain.reverse();
}

/**
 * `A → B` whenever A was acknowledged before B began, through a chain of barriers, one per
 * acknowledgement time: A → ack@tA → ack@t' → … → (the last barrier before B's start) → B.
 */
function addRealTimeEdges(graph: Graph, committed: readonly TxnRecord[]): void {
  const acks = [...new Set(committed.flatMap((r) => (r.ackedAt === undefined ? [] : [r.ackedAt])))].sort((a, b) => a - b);
  const barrier = (t: number): string => `ack@${t}`;
  for (let i = 1; i < acks.length; i++) graph.add(barrier(acks[i - 1]!), barrier(acks[i]!), 'rt');
  for (const record of committed) {
    if (record.ackedAt !== undefined) graph.add(record.id, barrier(record.ackedAt), 'rt');
    const before = lastBelow(acks, record.startedAt);
    if (before !== undefined) graph.add(barrier(before), record.id, 'rt');
  }
}

/** The greatest of the sorted `values` strictly below `limit`. */
function lastBelow(values: readonly number[], limit: number): number | undefined {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid]! < limit) low = mid + 1;
    else high = mid;
  }
  return low === 0 ? undefined : values[low - 1];
}

function describeChain(chain: readonly string[] | undefined): string {
  if (chain === undefined || chain.length === 0) return '(never written)';
  return chain.length <= 6 ? chain.join(' → ') : `${chain.slice(0, 3).join(' → ')} → … → ${chain.slice(-3).join(' → ')}`;
}
