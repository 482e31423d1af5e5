/**
 * The key spans of a scan for one run: the plan's `SpanSpec` with its values (parameters,
 * constants) evaluated and encoded as index keys. An equality with NULL selects nothing; a range
 * without a lower bound starts after the NULLs (which sort first and satisfy no comparison).
 */
import { KeyBuilder, keyMax, prefixEnd } from '../../kv/api/index.js';
import { appendDatumKey } from '../rowcodec/key-datum.js';
import type { Datum } from '../types/datum.js';
import type { ScanNode, SpanSpec } from './plan.js';
import type { EvalContext } from './expr/compiled.js';

export interface KeySpan {
  readonly start: Uint8Array;
  readonly end: Uint8Array;
}

/** The index key of `values` for the leading columns of the scanned index. */
function indexKey(node: ScanNode, values: readonly Datum[]): Uint8Array {
  const builder = new KeyBuilder(64);
  builder.pushBytes(node.codec.indexPrefix(node.index.id));
  values.forEach((value, index) => {
    const column = node.index.columns[index]!;
    const type = node.table.columns.find((candidate) => candidate.id === column.columnId)!.type;
    appendDatumKey(builder, type, value, column.direction);
  });
  return builder.finish();
}

/** The key spans of `spans` for this run (parameters evaluated); an equality with NULL selects nothing. */
export function computeSpans(node: ScanNode, spans: SpanSpec, ctx: EvalContext): { spans: KeySpan[]; pointKeys: Uint8Array[] | null } {
  const prefix = node.codec.indexPrefix(node.index.id);
  switch (spans.kind) {
    case 'full':
      return { spans: [{ start: prefix, end: prefixEnd(prefix, keyMax) }], pointKeys: null };
    case 'prefixes': {
      const keys: Uint8Array[] = [];
      const seen = new Set<string>();
      for (const values of spans.prefixes) {
        const datums = values.map((value) => value.eval([], ctx));
        if (datums.some((datum) => datum === null)) continue;
        const key = indexKey(node, datums);
        const id = Buffer.from(key).toString('latin1');
        if (seen.has(id)) continue;
        seen.add(id);
        keys.push(key);
      }
      keys.sort(Buffer.compare);
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

