/**
 * Window frames: which rows of a sorted partition an aggregate (or first_value, last_value,
 * nth_value) sees for each row, as PostgreSQL's nodeWindowAgg.c computes them
 * (update_frameheadpos / update_frametailpos). Positions are 0-based within the partition; a frame
 * is the half-open `[start, end)` (empty when `end <= start`) minus its EXCLUDE rows.
 *
 * ```
 *   ORDER BY v:   1   2   2   3   5        peer groups: {0} {1,2} {3} {4}
 *   row 1, ROWS   BETWEEN 1 PRECEDING AND CURRENT ROW   → [0, 2)
 *   row 1, GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW   → [0, 3)  (whole groups)
 *   row 1, RANGE  BETWEEN 1 PRECEDING AND 1 FOLLOWING   → [0, 4)  (values 1 ..= 3)
 * ```
 *
 * Rows are visited in order and the RANGE offset bounds move forward only (a head and a tail
 * pointer, as PostgreSQL keeps them), so a partition's frames cost O(rows) comparisons in all.
 */
import { assert } from '../../src/base/assert.js';
import { SqlError } from '../catalog/errors.js';
import type { EvalContext } from '../plan/expr/compiled.js';
import type { WindowFramePlan } from '../plan/window-plan.js';
import type { Datum } from '../types/datum.js';

/** The peer groups of a sorted partition: rows equal on every ORDER BY key (all rows without one). */
export interface Peers {
  readonly rows: number;
  /** Per row: its group's number (0-based, in order). */
  readonly group: readonly number[];
  /** Per group: its first row and one past its last. */
  readonly groupStart: readonly number[];
  readonly groupEnd: readonly number[];
}

/** The peer groups of `rows` rows, where `samePeers(i, i - 1)` says whether row i ties with the one before it. */
export function peerGroups(rows: number, samePeers: (row: number, previous: number) => boolean): Peers {
  const group: number[] = [];
  const groupStart: number[] = [];
  const groupEnd: number[] = [];
  for (let row = 0; row < rows; row++) {
    if (row === 0 || !samePeers(row, row - 1)) {
      if (row > 0) groupEnd.push(row);
      groupStart.push(row);
    }
    group.push(groupStart.length - 1);
  }
  if (rows > 0) groupEnd.push(rows);
  assert(groupStart.length === groupEnd.length, 'every peer group has a start and an end');
  return { rows, group, groupStart, groupEnd };
}

/** A frame's offsets for one statement (evaluated once: they cannot read the row). */
export interface FrameOffsets {
  readonly start: Datum;
  readonly end: Datum;
}

/**
 * The offsets of `frame`, checked as ExecWindowAgg's calculate_frame_offsets does: never NULL
 * (22004), and not negative for ROWS and GROUPS (22013; a RANGE offset's sign is its in_range
 * function's to check, when it is first used).
 */
export function evaluateFrameOffsets(frame: WindowFramePlan, ctx: EvalContext): FrameOffsets {
  const value = (bound: WindowFramePlan['start'], which: 'starting' | 'ending'): Datum => {
    if (bound.kind !== 'preceding' && bound.kind !== 'following') return null;
    const offset = bound.offset.eval([], ctx);
    if (offset === null) throw new SqlError('22004', `frame ${which} offset must not be null`);
    if (frame.mode !== 'range' && (offset as bigint) < 0n) throw new SqlError('22013', `frame ${which} offset must not be negative`);
    return offset;
  };
  return { start: value(frame.start, 'starting'), end: value(frame.end, 'ending') };
}

/** A RANGE frame's ORDER BY column within the partition (for offset bounds). */
export interface RangeKeys {
  readonly values: readonly Datum[];
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** Gives each row's frame; call `bounds` for rows 0, 1, 2, … of one partition, in order. */
export interface FrameCursor {
  bounds(row: number): { start: number; end: number };
}

/** A cursor over one partition's frames. `keys` is needed (only) for RANGE with an offset. */
export function frameCursor(frame: WindowFramePlan, peers: Peers, offsets: FrameOffsets, keys: RangeKeys | null, ctx: EvalContext): FrameCursor {
  const rows = peers.rows;
  const clamp = (position: bigint): number => (position < 0n ? 0 : position > BigInt(rows) ? rows : Number(position));
  const head = { position: 0 };
  const tail = { position: 0 };
  let lastRow = -1;
  const range = frame.mode === 'range' && keys !== null ? rangeBounds(frame, keys, offsets, ctx) : null;
  return {
    bounds(row) {
      assert(row === lastRow + 1 && row < rows, () => `frame rows visited out of order: ${row} after ${lastRow}`);
      lastRow = row;
      const group = peers.group[row]!;
      const groups = peers.groupStart.length;
      let start: number;
      switch (frame.start.kind) {
        case 'unbounded preceding':
          start = 0;
          break;
        case 'unbounded following':
          start = rows;
          break;
        case 'current row':
          start = frame.mode === 'rows' ? row : peers.groupStart[group]!;
          break;
        case 'preceding':
        case 'following': {
          const sign = frame.start.kind === 'preceding' ? -1n : 1n;
          if (frame.mode === 'rows') start = clamp(BigInt(row) + sign * (offsets.start as bigint));
          else if (frame.mode === 'groups') {
            const target = BigInt(group) + sign * (offsets.start as bigint);
            start = target < 0n ? 0 : target >= BigInt(groups) ? rows : peers.groupStart[Number(target)]!;
          } else start = range!.head(row, head);
          break;
        }
      }
      let end: number;
      switch (frame.end.kind) {
        case 'unbounded preceding':
          end = 0;
          break;
        case 'unbounded following':
          end = rows;
          break;
        case 'current row':
          end = frame.mode === 'rows' ? row + 1 : peers.groupEnd[group]!;
          break;
        case 'preceding':
        case 'following': {
          const sign = frame.end.kind === 'preceding' ? -1n : 1n;
          if (frame.mode === 'rows') end = clamp(BigInt(row) + sign * (offsets.end as bigint) + 1n);
          else if (frame.mode === 'groups') {
            const target = BigInt(group) + sign * (offsets.end as bigint);
            end = target < 0n ? 0 : target >= BigInt(groups) ? rows : peers.groupEnd[Number(target)]!;
          } else end = range!.tail(row, tail);
          break;
        }
      }
      return { start, end };
    },
  };
}

/**
 * RANGE offset bounds (update_frameheadpos / update_frametailpos, RANGE branch): the head is the
 * first row whose value is at least the current one's minus (PRECEDING) or plus (FOLLOWING) the
 * offset — at most, for a descending ORDER BY — and the tail one past the last row at most
 * (least) that. NULLs are peers of each other only: a NULL row's frame is its NULL peers, a
 * non-NULL row's frame holds no NULLs.
 */
function rangeBounds(frame: WindowFramePlan, keys: RangeKeys, offsets: FrameOffsets, ctx: EvalContext): { head(row: number, state: { position: number }): number; tail(row: number, state: { position: number }): number } {
  const { values, descending, nullsFirst } = keys;
  const rows = values.length;
  const checked = new Set<'start' | 'end'>();
  const inRange = (which: 'start' | 'end', value: Datum, base: Datum, sub: boolean, less: boolean): boolean => {
    const bound = which === 'start' ? frame.start : frame.end;
    assert(bound.kind === 'preceding' || bound.kind === 'following', 'an in_range test needs an offset bound');
    assert(bound.inRange !== null, 'a RANGE offset bound has an in_range function');
    const offset = which === 'start' ? offsets.start : offsets.end;
    if (!checked.has(which)) {
      bound.inRange.checkOffset(offset);
      checked.add(which);
    }
    return bound.inRange.test(value, base, offset, sub, less, ctx);
  };
  return {
    head(row, state) {
      // PostgreSQL: sub for PRECEDING, "head >= sum"; both flipped for a descending sort.
      const sub = (frame.start.kind === 'preceding') !== descending;
      const less = descending;
      const current = values[row] ?? null;
      while (state.position < rows) {
        const candidate = values[state.position] ?? null;
        if (current === null || candidate === null) {
          if (nullsFirst ? candidate !== null || current === null : candidate === null || current !== null) break;
        } else if (inRange('start', candidate, current, sub, less)) break;
        state.position++;
      }
      return state.position;
    },
    tail(row, state) {
      const sub = (frame.end.kind === 'preceding') !== descending;
      const less = !descending;
      const current = values[row] ?? null;
      while (state.position < rows) {
        const candidate = values[state.position] ?? null;
        if (current === null || candidate === null) {
          if (nullsFirst ? candidate !== null : current !== null) break;
        } else if (!inRange('end', candidate, current, sub, less)) break;
        state.position++;
      }
      return state.position;
    },
  };
}

/** Whether EXCLUDE takes frame row `candidate` out of row `row`'s frame. */
export function excluded(exclude: WindowFramePlan['exclude'], peers: Peers, row: number, candidate: number): boolean {
  switch (exclude) {
    case 'no others':
      return false;
    case 'current row':
      return candidate === row;
    case 'group':
      return peers.group[candidate] === peers.group[row];
    case 'ties':
      return candidate !== row && peers.group[candidate] === peers.group[row];
  }
}
