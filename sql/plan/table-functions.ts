/**
 * Set-returning functions in FROM: `generate_series(start, stop [, step])` over integers
 * (int4 or int8 by its arguments) and numeric, as PostgreSQL; `unnest(array)` (one row per
 * element, none for NULL or an empty array).
 */
import type * as ast from '../parser/ast.js';
import { SqlError } from '../catalog/errors.js';
import { commonType, coerce } from './expr/coerce.js';
import { inOrder, type ExprCompiler } from './expr/compile.js';
import type { FromResult } from './context.js';
import { Scope } from './scope.js';
import { formatType, int4Type, int8Type, regclassType } from '../types/sql-type.js';
import type { Datum } from '../types/datum.js';

export async function planGenerateSeries(compiler: ExprCompiler, item: ast.FunctionRef): Promise<FromResult> {
  const name = item.call.name[item.call.name.length - 1];
  if (name === 'unnest') return planUnnest(compiler, item);
  if (name === 'pg_partition_ancestors') return planPartitionAncestors(compiler, item);
  if (name !== 'generate_series') throw new SqlError('0A000', `set-returning function ${item.call.name.join('.')} is not supported in FROM`);
  if (item.withOrdinality) throw new SqlError('0A000', 'WITH ORDINALITY is not supported yet');
  const args = await inOrder(item.call.args, (arg) => compiler.compile(arg));
  if (args.length < 2 || args.length > 3) throw new SqlError('42883', `function generate_series(${args.map(() => 'unknown').join(', ')}) does not exist`);
  let type = commonType(args, 'generate_series');
  if (type.kind === 'text') type = int4Type;
  if (type.kind !== 'int4' && type.kind !== 'int8' && type.kind !== 'numeric' && type.kind !== 'int2') throw new SqlError('0A000', `generate_series over ${type.kind} is not supported yet`);
  if (type.kind === 'int2') type = int4Type;
  const [start, stop, step] = args.map((arg) => coerce(arg, type, 'implicit', compiler.paramTypes));
  for (const arg of [start, stop, step]) if (arg !== undefined && !arg.rowIndependent) throw new SqlError('0A000', 'generate_series arguments must not reference columns');
  const alias = item.alias?.name ?? 'generate_series';
  const column = item.alias?.columns[0] ?? alias;
  const scope = new Scope([{ name: column, table: alias, type, hidden: false, tableOid: 0, columnNumber: 0 }]);
  return { node: { kind: 'series', type, start: start!, stop: stop!, step: step ?? null, width: 1 }, scope };
}

/** `unnest(array)` in FROM: its argument is constant for the scan (outer references allowed), so the rows are computed when it runs. */
async function planUnnest(compiler: ExprCompiler, item: ast.FunctionRef): Promise<FromResult> {
  if (item.withOrdinality) throw new SqlError('0A000', 'WITH ORDINALITY is not supported yet');
  if (item.call.args.length !== 1) throw new SqlError('0A000', 'unnest with several arrays is not supported yet');
  const array = await compiler.compile(item.call.args[0]!);
  if (array.type.kind !== 'array') throw new SqlError('42883', `function unnest(${formatType(array.type)}) does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  if (!array.rowIndependent) throw new SqlError('0A000', 'unnest arguments must not reference columns of the same FROM list');
  const type = array.type.element;
  const alias = item.alias?.name ?? 'unnest';
  const column = item.alias?.columns[0] ?? alias;
  const scope = new Scope([{ name: column, table: alias, type, hidden: false, tableOid: 0, columnNumber: 0 }]);
  const values = array.eval;
  return { node: { kind: 'virtual', name: 'unnest', width: 1, rows: async (_txn, ctx) => ((values([], ctx) ?? []) as readonly Datum[]).map((value) => [value]) }, scope };
}

/**
 * `pg_partition_ancestors(regclass)` in FROM: the partitioned tables above a partition, the
 * partition first. rangedb has no partitions, so it returns no rows, as PostgreSQL does for a
 * plain table; psql's \d names it (with ORDINALITY, correlated) once a table has triggers — the
 * foreign keys' `relhastriggers`.
 */
async function planPartitionAncestors(compiler: ExprCompiler, item: ast.FunctionRef): Promise<FromResult> {
  if (item.call.args.length !== 1) throw new SqlError('42883', 'function pg_partition_ancestors does not exist', { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
  await compiler.compile(item.call.args[0]!); // the argument's names are checked; no relation has ancestors
  const alias = item.alias?.name ?? 'pg_partition_ancestors';
  const names = [item.alias?.columns[0] ?? 'relid', ...(item.withOrdinality ? [item.alias?.columns[1] ?? 'ordinality'] : [])];
  const types = [regclassType, int8Type];
  const scope = new Scope(names.map((name, index) => ({ name, table: alias, type: types[index]!, hidden: false, tableOid: 0, columnNumber: 0 })));
  return { node: { kind: 'virtual', name: 'pg_partition_ancestors', width: names.length, rows: () => Promise.resolve([]) }, scope };
}
