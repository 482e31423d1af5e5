/**
 * The merge join (plan.ts's `JoinNode.merge`, chosen by sql/plan/join-planning.ts when both
 * inputs arrive sorted on the equality keys — sql/plan/ordering.ts): the classic sort-merge join
 * without the sort. Both inputs are read side by side, each once and in order:
 *
 * ```
 *   left  ─▶ 1 1 2 4 4 5 …          compare the current keys:
 *   right ─▶ 1 2 2 3 4 …              left < right: the left row has no match (padded for LEFT/FULL)
 *                                     left > right: the right row has no match (padded for RIGHT/FULL)
 *                                     equal: buffer the right rows of that key (the "group"), join
 *                                            every left row of the key with the group
 * ```
 *
 * Duplicates on both sides: the right group is held (counted against `distsql_workmem`, 53200
 * past it, released when the key is done) while the left rows of its key stream past it, so
 * memory is one key's right rows — never a whole side, as the hash join's build is. The residual
 * condition (`on`: the whole ON clause) is checked on every candidate pair; a left row no pair
 * passed is padded for LEFT/FULL, a group row no left row matched for RIGHT/FULL.
 *
 * NULL keys never match (SQL's `=`). They are handled where they are met, as unmatched rows, so the
 * comparison only ever sees non-NULL keys — which are sorted whatever end the NULLs sort at.
 *
 * Streaming: rows are produced as the inputs are read, and an inner join stops reading both sides
 * as soon as either ends (a LEFT join once its left side ends), so a LIMIT above ends the scans.
 */
import type { CompiledExpr } from '../plan/expr/compiled.js';
import type { JoinNode } from '../plan/plan.js';
import { compareDatums } from '../types/compare.js';
import type { Datum } from '../types/datum.js';
import { MemoryAccount, estimateBytes } from './memory.js';
import type { RowBatch, RowSource, Runtime } from './runtime.js';

/** Rows per output batch (a batch may run over by one left row's matches). */
const outputBatchRows = 1024;

/** One input read row by row, with the current row's key values computed once. */
class Cursor {
  private batch: RowBatch = [];
  private index = 0;
  private ended = false;
  /** The current row (undefined: call `fill`) and its keys (null: a NULL among them). */
  row: Datum[] | undefined;
  keys: Datum[] | null = null;

  constructor(
    private readonly source: RowSource,
    private readonly keyOf: (row: readonly Datum[]) => Datum[] | null,
  ) {}

  /**
   * Makes `row` the next row when it is at hand (the current row, or the next of the batch read):
   * true; false when only `fill` can say — the batch is spent. The join calls it before awaiting
   * `fill`, so a row costs no promise and no microtask unless a batch must be read.
   */
  ready(): boolean {
    if (this.row !== undefined) return true;
    if (this.index >= this.batch.length) return false;
    this.row = this.batch[this.index++]!;
    this.keys = this.keyOf(this.row);
    return true;
  }

  /** Makes `row` the next row if there is one; false at the end of the input. */
  async fill(): Promise<boolean> {
    if (this.row !== undefined) return true;
    while (this.index >= this.batch.length) {
      if (this.ended) return false;
      const batch = await this.source.next();
      if (batch === null) {
        this.ended = true;
        this.batch = [];
        this.index = 0;
        return false;
      }
      this.batch = batch;
      this.index = 0;
    }
    this.row = this.batch[this.index++]!;
    this.keys = this.keyOf(this.row);
    return true;
  }

  /** Moves past `row` (the next `fill` reads on). */
  advance(): void {
    this.row = undefined;
    this.keys = null;
  }
}

export function mergeJoinSource(node: JoinNode, rt: Runtime, leftSource: RowSource, rightSource: RowSource): RowSource {
  const merge = node.merge!;
  const on = node.on?.eval;
  const leftOuter = node.joinType === 'left' || node.joinType === 'full';
  const rightOuter = node.joinType === 'right' || node.joinType === 'full';
  const leftPadding: Datum[] = new Array<Datum>(node.left.width).fill(null);
  const rightPadding: Datum[] = new Array<Datum>(node.right.width).fill(null);
  const count = merge.types.length;
  const comparators = merge.types.map((type, index) => {
    const sign = merge.descending[index] ? -1 : 1;
    return (a: Datum, b: Datum): number => sign * compareDatums(type, a, b);
  });
  const keysOf =
    (exprs: readonly CompiledExpr[]) =>
    (row: readonly Datum[]): Datum[] | null => {
      const keys = new Array<Datum>(count);
      for (let index = 0; index < count; index++) {
        const value = exprs[index]!.eval(row, rt.ctx);
        if (value === null) return null; // NULL equals nothing
        keys[index] = value;
      }
      return keys;
    };
  const left = new Cursor(leftSource, keysOf(merge.left));
  const right = new Cursor(rightSource, keysOf(merge.right));
  const compare = (a: readonly Datum[], b: readonly Datum[]): number => {
    for (let index = 0; index < count; index++) {
      const order = comparators[index]!(a[index]!, b[index]!);
      if (order !== 0) return order;
    }
    return 0;
  };
  const memory = MemoryAccount.forOperator('merge join', rt.ctx);

  /** The right rows of the current key, with whether a left row matched each. */
  let group: { keys: Datum[]; rows: Datum[][]; matched: boolean[]; bytes: number } | null = null;
  let done = false;

  /** Joins `leftRow` with the group's rows into `out`; pads it if none passed and the join is LEFT/FULL. */
  const joinGroup = (leftRow: Datum[], current: NonNullable<typeof group>, out: RowBatch): void => {
    let matched = false;
    const rows = current.rows;
    for (let index = 0; index < rows.length; index++) {
      const row = leftRow.concat(rows[index]!);
      if (on !== undefined && on(row, rt.ctx) !== true) continue;
      matched = true;
      current.matched[index] = true;
      out.push(row);
    }
    if (!matched && leftOuter) out.push(leftRow.concat(rightPadding));
  };

  /** Ends the group: its unmatched rows padded for RIGHT/FULL, its memory released. */
  const closeGroup = (current: NonNullable<typeof group>, out: RowBatch): void => {
    if (rightOuter) current.rows.forEach((row, index) => void (current.matched[index] ? undefined : out.push(leftPadding.concat(row))));
    memory.shrink(current.bytes);
    group = null;
  };

  /** Reads the right rows equal to `keys` (the current right row's) into a new group. */
  const readGroup = async (keys: Datum[], out: RowBatch): Promise<NonNullable<typeof group>> => {
    const current = { keys, rows: [] as Datum[][], matched: [] as boolean[], bytes: 0 };
    while (right.ready() || (await right.fill())) {
      if (right.keys === null) {
        // Between equal keys only when a later key column is NULL: unmatched wherever it is.
        if (rightOuter) out.push(leftPadding.concat(right.row!));
        right.advance();
        continue;
      }
      if (compare(right.keys, keys) !== 0) break;
      const bytes = estimateBytes(right.row!);
      memory.grow(bytes);
      current.bytes += bytes;
      current.rows.push(right.row!);
      current.matched.push(false);
      right.advance();
    }
    return current;
  };

  return {
    async next() {
      rt.cancel.throwIfCancelled();
      const out: RowBatch = [];
      while (!done && out.length < outputBatchRows) {
        if (group !== null) {
          // Every left row of the group's key joins the group; the first other key ends it.
          if ((left.ready() || (await left.fill())) && left.keys !== null && compare(left.keys, group.keys) === 0) {
            joinGroup(left.row!, group, out);
            left.advance();
          } else closeGroup(group, out);
          continue;
        }
        const hasLeft = left.ready() || (await left.fill());
        if (hasLeft && left.keys === null) {
          if (leftOuter) out.push(left.row!.concat(rightPadding));
          left.advance();
          continue;
        }
        // Past the left side's end only a RIGHT/FULL join still needs the right rows.
        const hasRight = (hasLeft || rightOuter) && (right.ready() || (await right.fill()));
        if (hasRight && right.keys === null) {
          if (rightOuter) out.push(leftPadding.concat(right.row!));
          right.advance();
          continue;
        }
        if (!hasLeft && !hasRight) {
          done = true;
        } else if (!hasRight) {
          // The right side ended: the rest of the left side is unmatched.
          if (!leftOuter) done = true;
          else {
            out.push(left.row!.concat(rightPadding));
            left.advance();
          }
        } else if (!hasLeft) {
          out.push(leftPadding.concat(right.row!));
          right.advance();
        } else {
          const order = compare(left.keys!, right.keys!);
          if (order < 0) {
            if (leftOuter) out.push(left.row!.concat(rightPadding));
            left.advance();
          } else if (order > 0) {
            if (rightOuter) out.push(leftPadding.concat(right.row!));
            right.advance();
          } else {
            group = await readGroup(right.keys!, out);
          }
        }
      }
      // Short of a full batch only when done.
      return out.length > 0 ? out : null;
    },
  };
}
