/**
 * A subscripted SET target, `SET a[i][j] = v` / `SET a[lo:hi] = arr`: compiled as PostgreSQL's
 * transformAssignmentSubscripts does — the value coerced (as an assignment) to the element type,
 * or to the array type when any subscript of the run is a slice (then a bare `[n]` is `[1:n]`) —
 * into an expression over the row giving the column's new array (plan/expr/array-assign.ts).
 * A NULL subscript is 22004 when the row is written, as in PostgreSQL.
 */
import { assert } from '../../src/base/assert.js';
import type * as ast from '../parser/ast.js';
import { SqlError } from '../catalog/errors.js';
import type { ColumnDesc } from '../catalog/descriptors.js';
import { arrayDimensionsMax } from '../types/array-shape.js';
import type { Datum } from '../types/datum.js';
import { arrayLowerBound, formatType, int4Type, type SqlType } from '../types/sql-type.js';
import { arraySetElement, arraySetSlice } from '../plan/expr/array-assign.js';
import type { SliceBounds } from '../plan/expr/array-subscript.js';
import { canCoerce, coerce } from '../plan/expr/coerce.js';
import { constantExpr, type CompiledExpr, type EvalContext } from '../plan/expr/compiled.js';
import type { ExprCompiler } from '../plan/expr/compile.js';

function notComposite(step: ast.AssignmentSubscript, column: ColumnDesc, type: SqlType): SqlError {
  assert(step.kind === 'field', 'a field step');
  return new SqlError('42804', `cannot assign to field "${step.name}" of column "${column.name}" because its type ${formatType(type)} is not a composite type`);
}

function nullSubscript(): SqlError {
  return new SqlError('22004', 'array subscript in assignment must not be null');
}

/**
 * The type a value assigned to `column[subscripts]` takes: the element type, or the array type
 * when a subscript is a slice. A field step (`c.f`, `a[1].f`) is PostgreSQL's 42804 for every
 * column rangedb can have: none is of a composite type.
 */
export function subscriptedValueType(column: ColumnDesc, subscripts: readonly ast.AssignmentSubscript[]): SqlType {
  const type = column.type;
  const field = subscripts.findIndex((subscript) => subscript.kind === 'field');
  if (field === 0) throw notComposite(subscripts[0]!, column, type);
  if (type.kind !== 'array') throw new SqlError('42804', `cannot subscript type ${formatType(type)} because it does not support subscripting`);
  // After subscripts, the element (a slice among them keeps the array type, as PostgreSQL names it).
  if (field > 0) throw notComposite(subscripts[field]!, column, subscripts.slice(0, field).some((subscript) => subscript.kind === 'slice') ? type : type.element);
  return subscripts.some((subscript) => subscript.kind === 'slice') ? type : type.element;
}

/**
 * INSERT's subscripted columns (`INSERT INTO t (a[1], a[2]) …`): for each column given with
 * subscripts, the array built from NULL by the source row's values at those places, in order
 * (each already of `subscriptedValueType`).
 */
export async function compileInsertArrays(compiler: ExprCompiler, columns: readonly ColumnDesc[], positions: readonly number[], subscripts: readonly (readonly ast.AssignmentSubscript[] | null)[]): Promise<Map<number, CompiledExpr>> {
  const built = new Map<number, CompiledExpr>();
  for (let index = 0; index < positions.length; index++) {
    const given = subscripts[index];
    if (given === null || given === undefined) continue;
    const position = positions[index]!;
    const column = columns[position]!;
    const base = built.get(position) ?? constantExpr(column.type, null);
    const value: CompiledExpr = { type: subscriptedValueType(column, given), eval: (row) => row[index] ?? null, rowIndependent: false };
    built.set(position, await compileArrayAssignment(compiler, column, base, given, value));
  }
  return built;
}

/** `column[subscripts] = value` applied to `base` (the row's value of the column, or an earlier assignment's). */
export async function compileArrayAssignment(compiler: ExprCompiler, column: ColumnDesc, base: CompiledExpr, subscripts: readonly ast.AssignmentSubscript[], value: CompiledExpr): Promise<CompiledExpr> {
  assert(subscripts.length > 0, 'a subscripted target has a subscript');
  const type = column.type;
  const valueType = subscriptedValueType(column, subscripts);
  assert(type.kind === 'array', 'a subscripted column is an array');
  if (subscripts.length > arrayDimensionsMax) throw new SqlError('54000', `number of array dimensions (${subscripts.length}) exceeds the maximum allowed (${arrayDimensionsMax})`);
  const isSlice = subscripts.some((subscript) => subscript.kind === 'slice');
  if (value.unknownLiteral === undefined && value.openParam === undefined && !canCoerce(value.type, valueType, 'assignment')) {
    throw new SqlError('42804', `subscripted assignment to "${column.name}" requires type ${formatType(valueType)} but expression is of type ${formatType(value.type)}`, { hint: 'You will need to rewrite or cast the expression.' });
  }
  const coerced = coerce(value, valueType, 'assignment', compiler.paramTypes, `column "${column.name}"`).eval;
  const lowerBound = arrayLowerBound(type);
  const bound = async (expr: ast.Expr | null): Promise<CompiledExpr | null> => (expr === null ? null : compiler.compileAs(expr, int4Type));
  const bounds: { lower: CompiledExpr | null; upper: CompiledExpr | null }[] = [];
  for (const subscript of subscripts) {
    assert(subscript.kind !== 'field', 'a field step was refused by subscriptedValueType');
    if (subscript.kind === 'slice') bounds.push({ lower: await bound(subscript.lower), upper: await bound(subscript.upper) });
    else bounds.push({ lower: isSlice ? constantExpr(int4Type, 1) : null, upper: await bound(subscript.index) });
  }
  const readBound = (part: CompiledExpr | null, row: readonly Datum[], ctx: EvalContext): number | undefined => {
    if (part === null) return undefined;
    const datum = part.eval(row, ctx) as number | null;
    if (datum === null) throw nullSubscript();
    return datum;
  };
  return {
    type,
    eval: (row, ctx) => {
      const array = base.eval(row, ctx) as readonly Datum[] | null;
      const given: SliceBounds[] = bounds.map((part) => ({ lower: readBound(part.lower, row, ctx), upper: readBound(part.upper, row, ctx) }));
      const assigned = coerced(row, ctx);
      if (isSlice) return arraySetSlice(array, lowerBound, given, assigned as readonly Datum[] | null);
      return arraySetElement(array, lowerBound, given.map((part) => part.upper!), assigned);
    },
    rowIndependent: false,
  };
}
