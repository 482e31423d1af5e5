/**
 * Orderings: what order a plan node's rows arrive in, derived bottom-up through the plan (the
 * "physical property" CockroachDB's optimizer tracks as `props.OrderingChoice`, PostgreSQL's
 * pathkeys). The merge join (join-planning.ts) is only sound when both its inputs really arrive
 * sorted on its keys, so an ordering is claimed only where the operator guarantees it:
 *
 * - a **scan** of an index returns its rows in key order (spans and point keys are read in key
 *   order, a secondary index's rows are fetched page by page in its entries' order), and the key
 *   encoding is order-preserving — byte order is `compareDatums` order (rowcodec/key-datum.ts);
 *   a reverse scan claims nothing;
 * - a **sort** has its keys;
 * - **filter**, **limit**, **lock rows** and **distinct** (a streaming seen-set) keep their input's order;
 * - a **render** keeps the ordering columns it passes through as bare columns, up to the first
 *   one it drops or computes;
 * - a **join** streams its left side in order (hash, lookup, nested loop, merge) for inner, left
 *   and cross joins — the left columns keep their order; a right or full join appends or
 *   interleaves rows the left side never had, so it claims nothing;
 * - anything else (aggregate, window, set operations, values, functions) claims nothing.
 *
 * NULLs: a scan puts them first (ascending), a sort where NULLS FIRST/LAST says; an ordering
 * does not say where. Its consumer, the merge join, never matches a NULL key, so it only needs
 * the non-NULL values in order — which a subsequence of a sorted sequence always is.
 */
import { keyEncodable } from '../rowcodec/key-datum.js';
import type { SqlType } from '../types/sql-type.js';
import type { PlanNode } from './plan.js';

/** One column of an ordering: rows are sorted on it (within equal earlier columns). */
export interface OrderColumn {
  /** The column's position in the node's rows. */
  readonly column: number;
  readonly descending: boolean;
  /** The type the column is sorted in (`compareDatums` order of this type). */
  readonly type: SqlType;
}

export type Ordering = readonly OrderColumn[];

/** The ordering `node`'s rows are guaranteed to arrive in (empty: none known). */
export function outputOrdering(node: PlanNode): Ordering {
  switch (node.kind) {
    case 'scan': {
      if (node.reverse) return [];
      const positions = new Map(node.table.columns.map((column, position) => [column.id, position]));
      const ordering: OrderColumn[] = [];
      for (const key of node.index.columns) {
        const column = positions.get(key.columnId);
        if (column === undefined) break;
        const type = node.table.columns[column]!.type;
        if (!keyEncodable(type)) break;
        ordering.push({ column, descending: key.direction === 'descending', type });
      }
      return ordering;
    }
    case 'sort':
      return node.keys.map((key) => ({ column: key.column, descending: key.descending, type: key.type }));
    case 'filter':
    case 'limit':
    case 'lockRows':
    case 'distinct':
      return outputOrdering(node.input);
    case 'project': {
      const input = outputOrdering(node.input);
      const ordering: OrderColumn[] = [];
      for (const key of input) {
        const output = node.exprs.findIndex((expr) => expr.columnIndex === key.column && expr.type.kind === key.type.kind);
        if (output === -1) break;
        ordering.push({ ...key, column: output });
      }
      return ordering;
    }
    case 'join':
      return node.joinType === 'right' || node.joinType === 'full' ? [] : outputOrdering(node.left);
    default:
      return [];
  }
}

/**
 * Whether a column sorted in `column`'s order is also sorted in the comparison type `compared`'s
 * order — that is, whether the cast is monotone: the same kind, an integer widened (int4 = int8,
 * PostgreSQL's cross-type btree family), an integer into numeric, or text-like strings compared
 * as text (all by code point). Anything else (float → numeric rounds, bpchar → text trims) is not
 * claimed.
 */
export function orderCompatible(column: SqlType, compared: SqlType): boolean {
  if (column.kind === compared.kind) return column.kind !== 'array';
  const integer = (kind: string): boolean => kind === 'int2' || kind === 'int4' || kind === 'int8';
  if (integer(column.kind)) return integer(compared.kind) || compared.kind === 'numeric';
  const textLike = (kind: string): boolean => kind === 'text' || kind === 'varchar' || kind === 'name';
  return textLike(column.kind) && textLike(compared.kind);
}
