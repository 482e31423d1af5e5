/**
 * The lookup join (plan.ts's `JoinNode.lookup`, chosen by sql/plan/join-planning.ts): for each
 * batch of left rows, the distinct keys they carry are looked up in the right table's index — one
 * KV batch of point gets when the keys are whole primary keys, prefix scans otherwise (secondary
 * index entries fetch their rows by an index join, as any scan does) — and the rows found are
 * joined to the batch through a hash table on the join's equality keys. The right table is never
 * read beyond the rows some left row names.
 *
 * ```
 *   left batch (≤ lookupBatchRows) ─▶ distinct keys ─▶ ScanSource(prefixes = keys) ─▶ buckets
 *        └──────────────────────────── probe each left row ◀──────────────────────────┘
 * ```
 *
 * The full join condition (`on`) is checked on every candidate pair, as in the hash join; a left
 * join pads a row no candidate passed. What one batch fetches is counted against
 * `distsql_workmem`.
 */
import type { CompiledExpr } from '../plan/expr/compiled.js';
import type { JoinNode, ScanNode } from '../plan/plan.js';
import type { Datum } from '../types/datum.js';
import { concatRows, hashKeyFunction, type HashKey } from './join-rows.js';
import { MemoryAccount } from './memory.js';
import { type RowBatch, type RowSource, type Runtime } from './runtime.js';
import { ScanSource } from './scan.js';

/** Left rows per lookup round: one KV batch of this many keys at most. */
export const lookupBatchRows = 1024;

export function lookupJoinSource(node: JoinNode, rt: Runtime, left: RowSource): RowSource {
  const lookup = node.lookup!;
  const hashKeys = node.hashKeys!;
  const on = node.on?.eval;
  const filter = lookup.filter?.eval;
  const padding = new Array<Datum>(node.right.width).fill(null);
  const outer = node.joinType === 'left';
  const keyTypes = lookup.keys.map((key) => key.type);
  const lookupKey = hashKeyFunction(keyTypes);
  const bucketKey = hashKeyFunction(hashKeys.types);
  let pending: Datum[][] = [];

  /** The right rows the keys of `rows` name, bucketed by the join's equality keys. */
  const fetch = async (rows: readonly (readonly Datum[])[]): Promise<Map<HashKey, Datum[][]>> => {
    const prefixes: CompiledExpr[][] = [];
    const seen = new Set<HashKey>();
    for (const row of rows) {
      const values = lookup.keys.map((key) => key.eval(row, rt.ctx));
      if (values.some((value) => value === null)) continue; // NULL equals nothing
      const id = lookupKey(values);
      if (seen.has(id)) continue;
      seen.add(id);
      prefixes.push(values.map((value, index) => constant(keyTypes[index]!, value)));
    }
    const buckets = new Map<HashKey, Datum[][]>();
    if (prefixes.length === 0) return buckets;
    const scan: ScanNode = { ...lookup.scan, index: lookup.index, spans: { kind: 'prefixes', prefixes, exact: lookup.exact }, reverse: false };
    const source = new ScanSource(scan, rt, node);
    const memory = MemoryAccount.forOperator('lookup join', rt.ctx);
    for (let batch = await source.next(); batch !== null; batch = await source.next()) {
      for (const right of batch) {
        if (filter !== undefined && filter(right, rt.ctx) !== true) continue; // WHERE's, pushed down
        const keys = hashKeys.right.map((expr) => expr.eval(right, rt.ctx));
        if (keys.some((key) => key === null)) continue;
        memory.growRow(right);
        const id = bucketKey(keys);
        const bucket = buckets.get(id);
        if (bucket === undefined) buckets.set(id, [right]);
        else bucket.push(right);
      }
    }
    return buckets;
  };

  const join = async (rows: readonly Datum[][]): Promise<RowBatch> => {
    const buckets = await fetch(rows);
    const out: RowBatch = [];
    for (const leftRow of rows) {
      const keys = hashKeys.left.map((expr) => expr.eval(leftRow, rt.ctx));
      const candidates = keys.some((key) => key === null) ? undefined : buckets.get(bucketKey(keys));
      let matched = false;
      for (const rightRow of candidates ?? []) {
        const row = concatRows(leftRow, rightRow);
        if (on !== undefined && on(row, rt.ctx) !== true) continue;
        matched = true;
        out.push(row);
      }
      if (!matched && outer) out.push(concatRows(leftRow, padding));
    }
    return out;
  };

  return {
    async next() {
      for (;;) {
        if (pending.length === 0) {
          const batch = await left.next();
          if (batch === null) return null;
          pending = batch;
        }
        const rows = pending.slice(0, lookupBatchRows);
        pending = pending.slice(rows.length);
        rt.cancel.throwIfCancelled();
        const out = await join(rows);
        if (out.length > 0) return out;
      }
    },
  };
}

function constant(type: CompiledExpr['type'], value: Datum): CompiledExpr {
  return { type, eval: () => value, rowIndependent: true };
}
