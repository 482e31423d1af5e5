/**
 * The key spans of a scan for one run: the plan's `SpanSpec` with its values (parameters,
 * constants) evaluated and encoded as index keys. An equality with NULL selects nothing; a range
 * without a lower bound starts after the NULLs (which sort first and satisfy no comparison).
 */
import { KeyBuilder, keyMax, prefixEnd } from '../../kv/api/index.js';
import { appendDatumKey } from '../rowcodec/key-datum.js';
import type { Datum } from '../types/datum.js';
import type { ScanNode, SpanSpec } from './plan.js';
import type { CompiledExpr, EvalContext } from './expr/compiled.js';
import type { SqlType } from '../types/sql-type.js';

export interface KeySpan {
  readonly start: Uint8Array;
  readonly end: Uint8Array;
}

/** The types of the scanned index's columns, in index order (found once per plan node). */
const indexColumnTypes = new WeakMap<ScanNode, readonly SqlType[]>();

function columnTypesOf(node: ScanNode): readonly SqlType[] {
  let types = indexColumnTypes.get(node);
  if (types === undefined) {
    const byId = new Map(node.table.columns.map((column) => [column.id, column.type]));
    types = node.index.columns.map((column) => byId.get(column.columnId)!);
    indexColumnTypes.set(node, types);
  }
  return types;
}

/**
 * One builder for every key made here (reset first; `finish` copies): a builder and its 64-byte
 * buffer per point lookup were garbage on every prepared SELECT's way. Nothing here awaits or
 * calls back into `indexKey` while a key is being built.
 */
const scratchBuilder = new KeyBuilder(64);

/** The index key of `values` for the leading columns of the scanned index. */
function indexKey(node: ScanNode, values: readonly Datum[]): Uint8Array {
  const types = columnTypesOf(node);
  const builder = scratchBuilder;
  builder.reset();
  builder.pushBytes(node.codec.indexPrefix(node.index.id));
  for (let index = 0; index < values.length; index++) appendDatumKey(builder, types[index]!, values[index]!, node.index.columns[index]!.direction);
  return builder.finish();
}

/** The values of one prefix for this run, or null if one is NULL (an equality with NULL selects nothing). */
function evalPrefix(prefix: readonly CompiledExpr[], ctx: EvalContext): Datum[] | null {
  const datums = new Array<Datum>(prefix.length);
  let hasNull = false;
  for (let index = 0; index < prefix.length; index++) {
    const datum = prefix[index]!.eval(noRow, ctx); // every value, so each one's error is raised
    if (datum === null) hasNull = true;
    datums[index] = datum;
  }
  return hasNull ? null : datums;
}

const noRow: readonly Datum[] = Object.freeze([]);

/** The distinct keys of `prefixes` for this run, in key order. */
function prefixKeys(node: ScanNode, prefixes: readonly (readonly CompiledExpr[])[], ctx: EvalContext): Uint8Array[] {
  if (prefixes.length === 1) {
    // The common case (`pk = $1`): no de-duplication or sort to do.
    const values = evalPrefix(prefixes[0]!, ctx);
    return values === null ? [] : [indexKey(node, values)];
  }
  const keys: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const prefix of prefixes) {
    const values = evalPrefix(prefix, ctx);
    if (values === null) continue;
    const key = indexKey(node, values);
    const id = Buffer.from(key).toString('latin1');
    if (seen.has(id)) continue;
    seen.add(id);
    keys.push(key);
  }
  keys.sort(Buffer.compare);
  return keys;
}

/** The key spans of `spans` for this run (parameters evaluated); an equality with NULL selects nothing. */
export function computeSpans(node: ScanNode, spans: SpanSpec, ctx: EvalContext): { spans: KeySpan[]; pointKeys: Uint8Array[] | null } {
  const prefix = node.codec.indexPrefix(node.index.id);
  switch (spans.kind) {
    case 'full':
      return { spans: [{ start: prefix, end: prefixEnd(prefix, keyMax) }], pointKeys: null };
    case 'prefixes': {
      const keys = prefixKeys(node, spans.prefixes, ctx);
      if (spans.exact && node.index.id === node.table.primaryIndex.id) return { spans: [], pointKeys: keys };
      return { spans: keys.map((key) => ({ start: key, end: prefixEnd(key, keyMax) })), pointKeys: null };
    }
    case 'range': {
      const prefixValues = spans.prefix.map((value) => value.eval([], ctx));
      if (prefixValues.some((datum) => datum === null)) return { spans: [], pointKeys: null };
      const base = prefixValues.length === 0 ? prefix : indexKey(node, prefixValues);
      const lower = spans.lower === null ? null : spans.lower.value.eval([], ctx);
      const upper = spans.upper === null ? null : spans.upper.value.eval([], ctx);
      if ((spans.lower !== null && lower === null) || (spans.upper !== null && upper === null)) return { spans: [], pointKeys: null };
      let start = base;
      let end = prefixEnd(base, keyMax);
      if (spans.lower !== null) {
        const key = indexKey(node, [...prefixValues, lower]);
        start = spans.lower.inclusive ? key : prefixEnd(key, keyMax);
      } else {
        // Skip the NULLs, which sort first: no range comparison is true of NULL.
        start = prefixEnd(indexKey(node, [...prefixValues, null]), keyMax);
      }
      if (spans.upper !== null) {
        const key = indexKey(node, [...prefixValues, upper]);
        end = spans.upper.inclusive ? prefixEnd(key, keyMax) : key;
      }
      return { spans: Buffer.compare(start, end) < 0 ? [{ start, end }] : [], pointKeys: null };
    }
    default:
      return spans satisfies never;
  }
}

