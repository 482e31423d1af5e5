/**
 * The parameters of SQL-level `EXECUTE name (…)`: constants only (a literal, a typed literal, a
 * negated number, a cast of a constant), turned into text and read with the parameter's input
 * function — the engine's expression evaluator is not needed for what clients send here.
 */
import type { Expr } from '../parser/ast.js';
import { notSupported } from './errors.js';

/** The constant's text, or null for NULL. */
export function constantText(expr: Expr): string | null {
  switch (expr.kind) {
    case 'Literal': {
      const value = expr.value;
      switch (value.type) {
        case 'integer':
          return value.digits;
        case 'numeric':
          return value.text;
        case 'string':
        case 'bitString':
          return value.value;
        case 'boolean':
          return value.value ? 'true' : 'false';
        case 'null':
          return null;
      }
      break;
    }
    case 'TypedLiteral':
      return expr.value;
    case 'Cast':
      return constantText(expr.arg);
    case 'UnaryOp': {
      if (expr.operator === '-' && expr.operand.kind === 'Literal') {
        const inner = constantText(expr.operand);
        if (inner !== null) return inner.startsWith('-') ? inner.slice(1) : `-${inner}`;
      }
      break;
    }
    default:
      break;
  }
  throw notSupported('EXECUTE parameters other than constants');
}

/** A SET value: literals as text (`SET x = on` arrives as the string "on"). */
export function settingText(expr: Expr): string {
  if (expr.kind === 'ColumnRef') return expr.path.join('.');
  const text = constantText(expr);
  return text ?? '';
}
