/** The shared shape of a strict binary operator: NULL if either operand is NULL, else `fn` of both. */
import type { Datum } from '../../types/datum.js';
import type { SqlType } from '../../types/sql-type.js';
import type { CompiledExpr, EvalContext } from './compiled.js';

export function strictBinary(type: SqlType, left: CompiledExpr, right: CompiledExpr, fn: (l: Datum, r: Datum, ctx: EvalContext) => Datum): CompiledExpr {
  const l = left.eval;
  const r = right.eval;
  return {
    type,
    eval: (row, ctx) => {
      const a = l(row, ctx);
      if (a === null) return null;
      const b = r(row, ctx);
      if (b === null) return null;
      return fn(a, b, ctx);
    },
    rowIndependent: left.rowIndependent && right.rowIndependent,
  };
}
