/**
 * EXPLAIN: the plan tree as indented lines, CockroachDB-style — each node's kind and details,
 * a scan's table, index and spans (pretty keys for constant spans, `$n`/expressions otherwise).
 */
import { prettyKey } from '../../kv/api/index.js';
import { formatType } from '../types/sql-type.js';
import type { PlanNode, ScanNode, WindowNode } from './plan.js';
import type { FrameBoundPlan } from './window-plan.js';
import { computeSpans } from './key-spans.js';
import type { CompiledExpr, EvalContext } from './expr/compiled.js';

function scanDetails(node: ScanNode, ctx: EvalContext | undefined): string[] {
  const lines = [`table: ${node.table.name}@${node.index.name}`];
  if (node.locking?.waitPolicy === 'skipLocked') {
    lines.push('locking wait policy: skip locked (rows locked by lock rows)');
  } else if (node.locking?.strength === 'none') {
    lines.push('locking wait policy: nowait (rows locked by lock rows)');
  } else if (node.locking !== null) {
    lines.push(`locking strength: ${node.locking.strength === 'exclusive' ? 'for update' : 'for share'}`);
    if (node.locking.waitPolicy === 'error') lines.push('locking wait policy: nowait');
  }
  if (node.spans.kind === 'full') {
    lines.push('spans: FULL SCAN');
    return lines;
  }
  const constant = ctx !== undefined;
  if (!constant) {
    lines.push(`spans: ${node.spans.kind === 'prefixes' ? (node.spans.exact ? 'point lookup' : 'prefix') : 'range'} (values of the parameters)`);
    return lines;
  }
  try {
    const computed = computeSpans(node, node.spans, ctx);
    if (computed.pointKeys !== null) lines.push(`spans: ${computed.pointKeys.map((key) => `[${prettyKey(key)}]`).join(' ') || 'none'}`);
    else lines.push(`spans: ${computed.spans.map((span) => `[${prettyKey(span.start)} - ${prettyKey(span.end)})`).join(' ') || 'none'}`);
  } catch {
    lines.push('spans: (computed at run time)');
  }
  return lines;
}

/** A Window node's keys (`@n` for a column of its input) and functions with their frames. */
function windowDetails(node: WindowNode): string[] {
  const key = (expr: CompiledExpr): string => (expr.columnIndex === undefined ? 'expr' : `@${expr.columnIndex + 1}`);
  const lines: string[] = [];
  if (node.partitionBy.length > 0) lines.push(`partition by: ${node.partitionBy.map(key).join(',')}`);
  if (node.orderBy.length > 0) lines.push(`order: ${node.orderBy.map((order) => `${order.descending ? '-' : '+'}${key(order.expr)}`).join(',')}`);
  const bound = (b: FrameBoundPlan): string => (b.kind === 'preceding' || b.kind === 'following' ? `n ${b.kind}` : b.kind);
  for (const fn of node.functions) {
    const args = fn.aggregate?.star === true ? '*' : fn.args.map((arg) => formatType(arg.type)).join(', ');
    const frame = fn.aggregate !== null || fn.name.endsWith('_value') ? ` ${fn.frame.mode} between ${bound(fn.frame.start)} and ${bound(fn.frame.end)}${fn.frame.exclude === 'no others' ? '' : ` exclude ${fn.frame.exclude}`}` : '';
    lines.push(`function: ${fn.name}(${args})${frame}`);
  }
  return lines;
}

/**
 * The plan as lines (two spaces per level); `ctx` evaluates spans when the values are known.
 * `annotate` gives lines to show first under each node's heading (EXPLAIN ANALYZE's statistics).
 */
export function explainPlan(node: PlanNode, ctx?: EvalContext, annotate?: (node: PlanNode) => readonly string[]): string[] {
  const out: string[] = [];
  const visit = (current: PlanNode, depth: number): void => {
    const heading = out.length;
    visitNode(current, depth);
    if (annotate !== undefined) out.splice(heading + 1, 0, ...annotate(current).map((line) => `${'  '.repeat(depth)}│ ${line}`));
  };
  const visitNode = (current: PlanNode, depth: number): void => {
    const pad = '  '.repeat(depth);
    const detail = (line: string): void => void out.push(`${pad}│ ${line}`);
    switch (current.kind) {
      case 'scan':
        out.push(`${pad}• scan`);
        for (const line of scanDetails(current, ctx)) detail(line);
        return;
      case 'values':
        out.push(`${pad}• values`);
        detail(`size: ${current.width} column${current.width === 1 ? '' : 's'}, ${current.rows.length} row${current.rows.length === 1 ? '' : 's'}`);
        return;
      case 'filter':
        out.push(`${pad}• filter`);
        visit(current.input, depth + 1);
        return;
      case 'project':
        out.push(`${pad}• render`);
        visit(current.input, depth + 1);
        return;
      case 'sort':
        out.push(`${pad}• sort`);
        detail(`order: ${current.keys.map((key) => `${key.descending ? '-' : '+'}@${key.column + 1}`).join(',')}`);
        visit(current.input, depth + 1);
        return;
      case 'limit':
        out.push(`${pad}• limit`);
        visit(current.input, depth + 1);
        return;
      case 'lockRows':
        out.push(`${pad}• lock rows`);
        for (const target of current.targets) {
          detail(`table: ${target.table.name}`);
          detail(`locking strength: ${target.strength === 'exclusive' ? 'for update' : 'for share'}`);
          if (target.waitPolicy !== 'block') detail(`locking wait policy: ${target.waitPolicy === 'error' ? 'nowait' : 'skip locked'}`);
        }
        visit(current.input, depth + 1);
        return;
      case 'distinct':
        out.push(`${pad}• distinct`);
        visit(current.input, depth + 1);
        return;
      case 'aggregate':
        out.push(`${pad}• group`);
        detail(`aggregates: ${current.aggregates.map((call) => `${call.name}(${call.star ? '*' : call.args.map((arg) => formatType(arg.type)).join(', ')})`).join(', ') || 'none'}`);
        if (current.groupBy.length > 0) detail(`group by: ${current.groupBy.length} column${current.groupBy.length === 1 ? '' : 's'}`);
        // Each set as the 1-based positions of the group columns it keeps: (1, 2), (1), ().
        if (current.groupingSets !== undefined) detail(`grouping sets: ${current.groupingSets.map((set) => `(${set.map((column) => column + 1).join(', ')})`).join(', ')}`);
        visit(current.input, depth + 1);
        return;
      case 'window':
        out.push(`${pad}• window`);
        for (const line of windowDetails(current)) detail(line);
        visit(current.input, depth + 1);
        return;
      case 'join':
        if (current.lookup !== undefined) {
          out.push(`${pad}• ${current.joinType} join (lookup)`);
          detail(`table: ${current.lookup.scan.table.name}@${current.lookup.index.name}`);
          detail(`lookup: ${current.lookup.keys.length} of ${current.lookup.index.columns.length} key column${current.lookup.index.columns.length === 1 ? '' : 's'}${current.lookup.exact ? ' (point gets)' : ''}`);
          if (current.lookup.filter !== undefined) detail('filter: on the rows looked up');
          visit(current.left, depth + 1);
          return;
        }
        if (current.merge !== undefined) {
          const merge = current.merge;
          out.push(`${pad}• ${current.joinType} join (merge)`);
          // The keys as the inputs' columns, left = right, in the order both sides are sorted by.
          const column = (position: number, index: number): string => `${merge.descending[index] ? '-' : '+'}@${position + 1}`;
          detail(`merge keys: ${merge.leftColumns.map((position, index) => `${column(position, index)} = ${column(merge.rightColumns[index]!, index)}`).join(', ')}`);
          visit(current.left, depth + 1);
          visit(current.right, depth + 1);
          return;
        }
        out.push(`${pad}• ${current.joinType} join (${current.hashKeys === undefined ? 'nested loop' : 'hash'})`);
        visit(current.left, depth + 1);
        visit(current.right, depth + 1);
        return;
      case 'apply':
        out.push(`${pad}• ${current.joinType} join (apply, lateral)`);
        visit(current.left, depth + 1);
        visit(current.right, depth + 1);
        return;
      case 'series':
        out.push(`${pad}• generate_series`);
        return;
      case 'ordinality':
        out.push(`${pad}• ordinality`);
        visit(current.input, depth + 1);
        return;
      case 'setop':
        out.push(`${pad}• ${current.op}${current.all ? ' all' : ''}`);
        visit(current.left, depth + 1);
        visit(current.right, depth + 1);
        return;
      case 'recursiveCte':
        out.push(`${pad}• recursive cte${current.all ? '' : ' (union)'}`);
        detail(`working table: ${current.table.name}`);
        visit(current.initial, depth + 1);
        visit(current.recursive, depth + 1);
        return;
      case 'workTable':
        out.push(`${pad}• working table`);
        detail(`cte: ${current.table.name}`);
        return;
      case 'virtual':
        out.push(`${pad}• virtual table`);
        detail(`table: ${current.name}`);
        return;
      default:
        return current satisfies never;
    }
  };
  visit(node, 0);
  return out;
}
