/**
 * Window frames and functions where the logic is subtle (sql/exec/window-frame.ts,
 * window-functions.ts): frame bounds with peers for ROWS, GROUPS and RANGE (offsets, NULLs first
 * or last, descending order) checked against a definition by counting, ntile's bucket sizes, and
 * the Window operator's memory accounting (53200 past distsql_workmem). The rows of real queries
 * are checked against PostgreSQL 15 in test/logic/testdata/window.slt.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalContext } from '../../../sql/plan/expr/compiled.js';
import { constantExpr } from '../../../sql/plan/expr/compiled.js';
import type { FrameBoundPlan, WindowFramePlan, WindowFunctionPlan } from '../../../sql/plan/window-plan.js';
import { rangeOffset } from '../../../sql/plan/window-range.js';
import { evaluateFrameOffsets, excluded, frameCursor, peerGroups, type Peers } from '../../../sql/exec/window-frame.js';
import { computeWindowFunction } from '../../../sql/exec/window-functions.js';
import { sortComparator } from '../../../sql/types/compare.js';
import { int4Type, int8Type, numericType } from '../../../sql/types/sql-type.js';
import { newAccumulator, type AggregateCall } from '../../../sql/plan/expr/aggregates.js';
import { openSqlWorld, runSql, withVariables, type SqlWorld } from './harness.js';

const ctx = {} as EvalContext;

type Mode = WindowFramePlan['mode'];
type BoundKind = FrameBoundPlan['kind'];

/** A frame over int4 values with literal offsets (the planner's types: bigint for ROWS/GROUPS, int4 for RANGE). */
function frameOf(mode: Mode, start: [BoundKind, number], end: [BoundKind, number], exclude: WindowFramePlan['exclude'] = 'no others'): WindowFramePlan {
  const bound = ([kind, offset]: [BoundKind, number]): FrameBoundPlan => {
    if (kind !== 'preceding' && kind !== 'following') return { kind };
    if (mode !== 'range') return { kind, offset: constantExpr(int8Type, BigInt(offset)), inRange: null };
    const chosen = rangeOffset(int4Type, constantExpr(int4Type, offset), []);
    return { kind, offset: chosen.offset, inRange: chosen.inRange };
  };
  return { mode, start: bound(start), end: bound(end), exclude };
}

/** `values` sorted as ORDER BY v [DESC] NULLS FIRST|LAST would, and their peer groups. */
function sorted(values: readonly (number | null)[], descending: boolean, nullsFirst: boolean): { values: (number | null)[]; peers: Peers } {
  const compare = sortComparator(int4Type, descending, nullsFirst);
  const ordered = [...values].sort(compare);
  return { values: ordered, peers: peerGroups(ordered.length, (row, previous) => compare(ordered[row]!, ordered[previous]!) === 0) };
}

function framesOf(frame: WindowFramePlan, values: readonly (number | null)[], peers: Peers, descending: boolean, nullsFirst: boolean): [number, number][] {
  const cursor = frameCursor(frame, peers, evaluateFrameOffsets(frame, ctx), { values, descending, nullsFirst }, ctx);
  return values.map((_value, row) => {
    const { start, end } = cursor.bounds(row);
    return [start, end];
  });
}

describe('peer groups', () => {
  it('groups rows tied on the ORDER BY keys, in order', () => {
    const { peers } = sorted([2, 1, 5, 2, 3], false, false);
    expect(peers.group).toEqual([0, 1, 1, 2, 3]);
    expect(peers.groupStart).toEqual([0, 1, 3, 4]);
    expect(peers.groupEnd).toEqual([1, 3, 4, 5]);
    expect(peerGroups(0, () => true)).toEqual({ rows: 0, group: [], groupStart: [], groupEnd: [] });
  });
});

describe('frame bounds with peers', () => {
  // ORDER BY v over 1 2 2 3 5: the example of window-frame.ts's essay.
  const { values, peers } = sorted([1, 2, 2, 3, 5], false, false);
  const frames = (frame: WindowFramePlan): [number, number][] => framesOf(frame, values, peers, false, false);

  it('the default frame (RANGE UNBOUNDED PRECEDING to CURRENT ROW) ends at the last peer', () => {
    expect(frames(frameOf('range', ['unbounded preceding', 0], ['current row', 0]))).toEqual([[0, 1], [0, 3], [0, 3], [0, 4], [0, 5]]);
  });

  it('ROWS counts rows, GROUPS counts peer groups, RANGE compares values', () => {
    expect(frames(frameOf('rows', ['preceding', 1], ['current row', 0]))[1]).toEqual([0, 2]);
    expect(frames(frameOf('groups', ['preceding', 1], ['current row', 0]))[1]).toEqual([0, 3]);
    expect(frames(frameOf('range', ['preceding', 1], ['following', 1]))[1]).toEqual([0, 4]);
    expect(frames(frameOf('range', ['preceding', 1], ['following', 1]))[4]).toEqual([4, 5]);
    expect(frames(frameOf('groups', ['following', 1], ['following', 2]))).toEqual([[1, 4], [3, 5], [3, 5], [4, 5], [5, 5]]);
    expect(frames(frameOf('rows', ['following', 2], ['following', 3]))).toEqual([[2, 4], [3, 5], [4, 5], [5, 5], [5, 5]]);
  });

  it('CURRENT ROW is the row in ROWS mode and its peers in RANGE and GROUPS', () => {
    expect(frames(frameOf('rows', ['current row', 0], ['current row', 0]))[2]).toEqual([2, 3]);
    expect(frames(frameOf('range', ['current row', 0], ['current row', 0]))[2]).toEqual([1, 3]);
    expect(frames(frameOf('groups', ['current row', 0], ['current row', 0]))[2]).toEqual([1, 3]);
  });

  it('EXCLUDE takes the current row, its group or its ties out', () => {
    expect(excluded('current row', peers, 1, 1)).toBe(true);
    expect(excluded('current row', peers, 1, 2)).toBe(false);
    expect(excluded('group', peers, 1, 2)).toBe(true);
    expect(excluded('group', peers, 1, 1)).toBe(true);
    expect(excluded('ties', peers, 1, 2)).toBe(true);
    expect(excluded('ties', peers, 1, 1)).toBe(false);
    expect(excluded('no others', peers, 1, 1)).toBe(false);
  });

  it('a NULL is a peer of NULLs only: its RANGE offset frame is its NULL peers, a value frame holds none', () => {
    for (const nullsFirst of [true, false]) {
      const data = sorted([null, 4, null, 5, 9], false, nullsFirst);
      const got = framesOf(frameOf('range', ['preceding', 1], ['following', 1]), data.values, data.peers, false, nullsFirst);
      const expected = nullsFirst ? [[0, 2], [0, 2], [2, 4], [2, 4], [4, 5]] : [[0, 2], [0, 2], [2, 3], [3, 5], [3, 5]];
      expect(got, `nulls ${nullsFirst ? 'first' : 'last'}`).toEqual(expected);
    }
  });

  it('a descending ORDER BY turns PRECEDING towards larger values', () => {
    const data = sorted([1, 3, 5, 7], true, true);
    expect(data.values).toEqual([7, 5, 3, 1]);
    const got = framesOf(frameOf('range', ['preceding', 2], ['current row', 0]), data.values, data.peers, true, true);
    expect(got).toEqual([[0, 1], [0, 2], [1, 3], [2, 4]]);
  });

  it('refuses a negative RANGE offset when it is first compared (22013), and NULL offsets at once (22004)', () => {
    expect(() => framesOf(frameOf('range', ['preceding', -1], ['current row', 0]), values, peers, false, false)).toThrow(/invalid preceding or following size in window function/);
    const nullOffset: WindowFramePlan = { ...frameOf('rows', ['preceding', 0], ['current row', 0]), start: { kind: 'preceding', offset: constantExpr(int8Type, null), inRange: null } };
    expect(() => evaluateFrameOffsets(nullOffset, ctx)).toThrow(/frame starting offset must not be null/);
    expect(() => evaluateFrameOffsets(frameOf('groups', ['current row', 0], ['following', -3]), ctx)).toThrow(/frame ending offset must not be negative/);
  });
});

/**
 * A frame by counting, independent of the cursor's head and tail pointers: a bound is a position
 * in the sort order (a value moved by the offset towards the partition's start or end, NULL
 * placed where the sort puts NULLs); the frame starts after the rows that sort before its start
 * and ends after the rows that sort at or before its end.
 */
function frameByCounting(frame: WindowFramePlan, offsets: { start: number; end: number }, values: readonly (number | null)[], peers: Peers, row: number, descending: boolean, nullsFirst: boolean): [number, number] {
  const compare = sortComparator(int4Type, descending, nullsFirst);
  const rows = values.length;
  const group = peers.group[row]!;
  const count = (test: (candidate: number) => boolean): number => values.filter((_value, candidate) => test(candidate)).length;
  const position = (kind: BoundKind, offset: number, isStart: boolean): number => {
    if (kind === 'unbounded preceding') return isStart ? 0 : 0;
    if (kind === 'unbounded following') return rows;
    const sign = kind === 'preceding' ? -1 : kind === 'following' ? 1 : 0;
    switch (frame.mode) {
      case 'rows': {
        const target = row + sign * offset;
        return Math.min(rows, Math.max(0, isStart ? target : target + 1));
      }
      case 'groups': {
        const target = group + sign * offset;
        return isStart ? count((candidate) => peers.group[candidate]! < target) : count((candidate) => peers.group[candidate]! <= target);
      }
      case 'range': {
        const current = values[row]!;
        // Towards the end of the sort order is +offset ascending, -offset descending.
        const bound = current === null ? null : current + sign * offset * (descending ? -1 : 1);
        return isStart ? count((candidate) => compare(values[candidate]!, bound) < 0) : count((candidate) => compare(values[candidate]!, bound) <= 0);
      }
    }
  };
  return [position(frame.start.kind, offsets.start, true), position(frame.end.kind, offsets.end, false)];
}

describe('frame bounds by property', () => {
  const boundKinds: BoundKind[] = ['unbounded preceding', 'preceding', 'current row', 'following', 'unbounded following'];
  // The grammar's rule: the start may not come after the end in this list, nor be UNBOUNDED FOLLOWING, nor the end UNBOUNDED PRECEDING.
  const validBounds = fc
    .tuple(fc.constantFrom(...boundKinds), fc.constantFrom(...boundKinds))
    .filter(([start, end]) => start !== 'unbounded following' && end !== 'unbounded preceding' && boundKinds.indexOf(start) <= boundKinds.indexOf(end));

  it('the cursor agrees with counting for every mode, order, NULL placement and offset', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 12 }), { nil: null, freq: 5 }), { maxLength: 14 }),
        fc.constantFrom<Mode>('rows', 'range', 'groups'),
        validBounds,
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        fc.boolean(),
        (raw, mode, [startKind, endKind], startOffset, endOffset, descending, nullsFirst) => {
          const { values, peers } = sorted(raw, descending, nullsFirst);
          const frame = frameOf(mode, [startKind, startOffset], [endKind, endOffset]);
          const got = framesOf(frame, values, peers, descending, nullsFirst);
          const want = values.map((_value, row) => frameByCounting(frame, { start: startOffset, end: endOffset }, values, peers, row, descending, nullsFirst));
          const normalize = (frames: [number, number][]): [number, number][] => frames.map(([start, end]) => (end <= start ? [0, 0] : [start, end]));
          expect(normalize(got)).toEqual(normalize(want));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('window aggregates by property', () => {
  const boundKinds: BoundKind[] = ['unbounded preceding', 'preceding', 'current row', 'following', 'unbounded following'];
  const validBounds = fc
    .tuple(fc.constantFrom(...boundKinds), fc.constantFrom(...boundKinds))
    .filter(([start, end]) => start !== 'unbounded following' && end !== 'unbounded preceding' && boundKinds.indexOf(start) <= boundKinds.indexOf(end));
  const value = constantExpr(int4Type, null); // the argument's type; its values come in `args`
  const calls: AggregateCall[] = [
    { name: 'count', star: true, distinct: false, args: [], filter: null, type: int8Type },
    { name: 'count', star: false, distinct: false, args: [value], filter: null, type: int8Type },
    { name: 'sum', star: false, distinct: false, args: [value], filter: null, type: int8Type },
    { name: 'avg', star: false, distinct: false, args: [value], filter: null, type: numericType() },
    { name: 'min', star: false, distinct: false, args: [value], filter: null, type: int4Type },
    { name: 'max', star: false, distinct: false, args: [value], filter: null, type: int4Type },
  ];

  it('every way of aggregating a frame (growing, moving, backwards, afresh) gives what aggregating each frame afresh gives', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: -5, max: 12 }), { nil: null, freq: 5 }), { maxLength: 14 }),
        fc.constantFrom<Mode>('rows', 'range', 'groups'),
        validBounds,
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom<WindowFramePlan['exclude']>('no others', 'no others', 'current row', 'group', 'ties'),
        fc.constantFrom(...calls),
        fc.boolean(),
        (raw, mode, [startKind, endKind], startOffset, endOffset, exclude, call, filtered) => {
          const { values, peers } = sorted(raw, false, false);
          const frame = frameOf(mode, [startKind, startOffset], [endKind, endOffset], exclude);
          const filter = filtered ? values.map((v) => v !== null && v % 2 === 0) : null;
          const fn: WindowFunctionPlan = { name: call.name, args: call.args, type: call.type, aggregate: call, frame };
          const input = { peers, args: call.args.map(() => values), filter, offsets: evaluateFrameOffsets(frame, ctx), rangeKeys: { values, descending: false, nullsFirst: false }, ctx };
          const got = computeWindowFunction(fn, input);
          const cursor = frameCursor(frame, peers, input.offsets, input.rangeKeys, ctx);
          const want = values.map((_v, row) => {
            const { start, end } = cursor.bounds(row);
            const accumulator = newAccumulator(call, ctx);
            for (let candidate = start; candidate < end; candidate++) {
              if ((filter === null || filter[candidate]!) && !excluded(exclude, peers, row, candidate)) accumulator.add(call.args.map(() => values[candidate]!));
            }
            return accumulator.result();
          });
          expect(got.map(String)).toEqual(want.map(String));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('ntile', () => {
  const ntile: WindowFunctionPlan = { name: 'ntile', args: [], type: int4Type, aggregate: null, frame: frameOf('range', ['unbounded preceding', 0], ['current row', 0]) };

  it('makes n buckets of sizes differing by at most one, the larger first (or one row each when n exceeds the rows)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 20 }), (rows, buckets) => {
        const peers = peerGroups(rows, () => true);
        const results = computeWindowFunction(ntile, { peers, args: [new Array<number>(rows).fill(buckets)], filter: null, offsets: { start: null, end: null }, rangeKeys: null, ctx });
        const sizes = new Map<number, number>();
        for (const bucket of results as number[]) sizes.set(bucket, (sizes.get(bucket) ?? 0) + 1);
        const used = Math.min(rows, buckets);
        expect([...sizes.keys()]).toEqual(Array.from({ length: used }, (_v, index) => index + 1));
        const base = Math.floor(rows / used);
        [...sizes.values()].forEach((size, index) => expect(size).toBe(index < rows % used ? base + 1 : base));
      }),
    );
  });
});

describe('the Window operator under distsql_workmem', () => {
  let world: SqlWorld;
  let small: SqlWorld;
  beforeAll(async () => {
    world = await openSqlWorld();
    small = withVariables(world, { distsql_workmem: '64KiB' });
    await runSql(world, 'CREATE TABLE t (k INT PRIMARY KEY, s TEXT)');
    await runSql(world, "INSERT INTO t SELECT i, repeat('x', 20) || i FROM generate_series(1, 3000) AS i");
  });
  afterAll(() => world.close());

  it('takes parameters as frame offsets and lag offsets (typed bigint and integer)', async () => {
    const sql = 'SELECT k, sum(k) OVER (ORDER BY k ROWS BETWEEN $1 PRECEDING AND CURRENT ROW), lag(k, $2) OVER (ORDER BY k) FROM t WHERE k <= 4 ORDER BY k';
    expect(await runSql(world, sql, { params: [2n, 3] })).toBe('k | sum | lag\n1 | 1 | NULL\n2 | 3 | NULL\n3 | 6 | NULL\n4 | 9 | 1\nSELECT 4');
    expect((await runSql(world, sql, { params: [-1n, 1] })).split('\n')[0]).toBe('ERROR 22013: frame starting offset must not be negative');
  });

  it('fails with 53200 past the budget, and runs under the default one', async () => {
    const sql = 'SELECT max(n) FROM (SELECT row_number() OVER (ORDER BY s) AS n FROM t) AS x';
    const failed = await runSql(small, sql);
    expect(failed.split('\n')[0]).toBe('ERROR 53200: out of memory');
    expect(failed).toContain('The window of this statement needs more than distsql_workmem (65536 bytes)');
    expect(await runSql(world, sql)).toBe('max\n3000\nSELECT 1');
  });
});
