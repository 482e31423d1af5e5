/**
 * A serializability checker for histories of read/write registers: Adya's direct serialization
 * graph (DSG; Adya, Liskov, O'Neil, "Generalized Isolation Level Definitions", 2000).
 *
 * Every committed transaction is a node; `T0` wrote the initial values. Each write installs a
 * unique value, so a value read names the transaction that wrote it. Given each key's version
 * order (the order the versions were installed), the edges are:
 *
 * ```
 *   ww  Ti ──► Tj   Ti installed a version of k and Tj installed the next one
 *   wr  Ti ──► Tj   Tj read the version of k that Ti installed
 *   rw  Ti ──► Tj   Ti read a version of k and Tj installed the next one (an anti-dependency)
 * ```
 *
 * The history is serializable (PL-3: no G0, G1, G2) iff every value read was installed by a
 * committed transaction (no G1a: aborted read) and the graph is acyclic; a topological order is
 * then an equivalent serial order. A lost update is the cycle `T1 ─ww→ T2 ─rw→ T1`, write skew
 * `T1 ─rw→ T2 ─rw→ T1`, read skew `T1 ─wr→ T2 ─rw→ T1`.
 *
 * The checker is pure and knows nothing of rangedb: dsg.test.ts feeds it hand-made anomalous
 * histories to show it rejects each one.
 */

/** One committed transaction: what it read (before writing that key) and what it wrote. */
export interface CommittedTxn {
  readonly name: string;
  /** key → the value read; `undefined` = the key was absent. */
  readonly reads: ReadonlyMap<string, string | undefined>;
  /** key → the value written (unique across the whole history). */
  readonly writes: ReadonlyMap<string, string>;
}

export interface History {
  /** key → initial value (installed by `T0`); keys not here start absent. */
  readonly initial: ReadonlyMap<string, string>;
  readonly committed: readonly CommittedTxn[];
  /** Values written by attempts that did not commit: reading one is G1a. */
  readonly abortedWrites: ReadonlySet<string>;
  /** key → the committed values written to it, in installation order (not the initial one). */
  readonly versionOrder: ReadonlyMap<string, readonly string[]>;
}

export type EdgeKind = 'ww' | 'wr' | 'rw';

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly key: string;
}

export type Verdict =
  | { readonly serializable: true; readonly serialOrder: readonly string[] }
  | { readonly serializable: false; readonly anomaly: string; readonly cycle?: readonly Edge[] };

const initialTxn = 'T0';

/** Checks `history`; a serial order, or the anomaly found (with the cycle, if it is one). */
export function checkSerializable(history: History): Verdict {
  const writerOf = new Map<string, string>(); // "key\0value" → txn name
  const problem = indexWriters(history, writerOf);
  if (problem !== undefined) return { serializable: false, anomaly: problem };
  const edges: Edge[] = [];
  for (const txn of history.committed) {
    for (const [key, value] of txn.reads) {
      const read = readEdges(history, writerOf, txn.name, key, value, edges);
      if (read !== undefined) return { serializable: false, anomaly: read };
    }
  }
  for (const [key, order] of history.versionOrder) {
    const versions = [initialVersion(history, key), ...order];
    for (let i = 1; i < versions.length; i++) {
      const previous = writerOf.get(versionId(key, versions[i - 1]));
      const current = writerOf.get(versionId(key, versions[i]));
      if (previous !== undefined && current !== undefined && previous !== current) edges.push({ from: previous, to: current, kind: 'ww', key });
    }
  }
  return topologicalOrder([initialTxn, ...history.committed.map((t) => t.name)], edges);
}

const versionId = (key: string, value: string | undefined): string => `${key}\u0000${value ?? '\u0001absent'}`;

function initialVersion(history: History, key: string): string | undefined {
  return history.initial.get(key);
}

function indexWriters(history: History, writerOf: Map<string, string>): string | undefined {
  for (const [key, value] of history.initial) writerOf.set(versionId(key, value), initialTxn);
  for (const key of new Set([...history.versionOrder.keys(), ...history.committed.flatMap((t) => [...t.writes.keys()])])) {
    writerOf.set(versionId(key, undefined), initialTxn);
  }
  for (const txn of history.committed) {
    for (const [key, value] of txn.writes) {
      const id = versionId(key, value);
      if (writerOf.has(id)) return `value ${value} of ${key} written twice`;
      writerOf.set(id, txn.name);
      if (!(history.versionOrder.get(key) ?? []).includes(value)) return `${txn.name}'s committed write ${key}=${value} is not in the version order`;
    }
  }
  for (const [key, order] of history.versionOrder) {
    for (const value of order) {
      if (!writerOf.has(versionId(key, value))) return `version ${key}=${value} has no committed writer`;
    }
  }
  return undefined;
}

function readEdges(history: History, writerOf: Map<string, string>, reader: string, key: string, value: string | undefined, edges: Edge[]): string | undefined {
  const writer = writerOf.get(versionId(key, value));
  if (writer === undefined) {
    const why = value !== undefined && history.abortedWrites.has(value) ? 'G1a (aborted read)' : 'read of a value nobody committed';
    return `${why}: ${reader} read ${key}=${value ?? '<absent>'}`;
  }
  if (writer !== reader) edges.push({ from: writer, to: reader, kind: 'wr', key });
  const versions = [initialVersion(history, key), ...(history.versionOrder.get(key) ?? [])];
  const index = value === undefined && !history.initial.has(key) ? 0 : versions.indexOf(value);
  if (index < 0) return `${reader} read ${key}=${value ?? '<absent>'}, which is not a version of ${key}`;
  const nextValue = versions[index + 1];
  if (index + 1 < versions.length && nextValue !== undefined) {
    const nextWriter = writerOf.get(versionId(key, nextValue));
    if (nextWriter !== undefined && nextWriter !== reader) edges.push({ from: reader, to: nextWriter, kind: 'rw', key });
  }
  return undefined;
}

/** Kahn's algorithm; on a cycle, one cycle found by walking the remaining graph. */
function topologicalOrder(nodes: readonly string[], edges: readonly Edge[]): Verdict {
  const outgoing = new Map<string, Edge[]>(nodes.map((n) => [n, []]));
  const indegree = new Map<string, number>(nodes.map((n) => [n, 0]));
  for (const edge of edges) {
    outgoing.get(edge.from)?.push(edge);
    indegree.set(edge.to, (indegree.get(edge.to) ?? 0) + 1);
  }
  const ready = nodes.filter((n) => indegree.get(n) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const node = ready.shift() as string;
    order.push(node);
    for (const edge of outgoing.get(node) ?? []) {
      const left = (indegree.get(edge.to) ?? 0) - 1;
      indegree.set(edge.to, left);
      if (left === 0) ready.push(edge.to);
    }
  }
  if (order.length === nodes.length) return { serializable: true, serialOrder: order };
  const remaining = new Set(nodes.filter((n) => !order.includes(n)));
  return { serializable: false, anomaly: 'cycle in the direct serialization graph', cycle: findCycle(remaining, outgoing) };
}

/**
 * A cycle among the nodes Kahn's algorithm could not order. Each of them has an incoming edge
 * from another of them (else its in-degree would have reached zero), so walking incoming edges
 * backwards never stops and must revisit a node: the walk from that node on is a cycle.
 */
function findCycle(remaining: ReadonlySet<string>, outgoing: ReadonlyMap<string, readonly Edge[]>): Edge[] {
  const incoming = new Map<string, Edge>();
  for (const edges of outgoing.values()) {
    for (const edge of edges) if (remaining.has(edge.from) && remaining.has(edge.to) && !incoming.has(edge.to)) incoming.set(edge.to, edge);
  }
  const backwards: Edge[] = [];
  const seenAt = new Map<string, number>();
  let node = [...remaining][0] as string;
  while (!seenAt.has(node)) {
    seenAt.set(node, backwards.length);
    const edge = incoming.get(node);
    if (edge === undefined) return backwards.reverse(); // unreachable for a set Kahn left over
    backwards.push(edge);
    node = edge.from;
  }
  return backwards.slice(seenAt.get(node)).reverse();
}

/** A one-line rendering of a cycle: `T1 -ww(x)-> T2 -rw(x)-> T1`. */
export function describeCycle(cycle: readonly Edge[]): string {
  if (cycle.length === 0) return '(none)';
  return cycle.map((e) => `${e.from} -${e.kind}(${e.key})->`).join(' ') + ` ${cycle[cycle.length - 1]?.to ?? ''}`;
}
