/**
 * Named arguments in function calls — `make_interval(days => 10)`, `f(a := 1)` — resolved as
 * PostgreSQL's func_get_detail does with a function's parameter names (pg_proc.proargnames):
 * positional arguments first, then each named one goes to the parameter of its name, and the
 * parameters left over take their defaults. Only overloads that declare `params` take names;
 * for any other call a name matches nothing (42883, the signature shown with its names).
 */
import { SqlError, undefinedFunction } from '../../catalog/errors.js';
import { formatType } from '../../types/sql-type.js';
import { canCoerce, isOpen } from './coerce.js';
import { constantExpr, type CompiledExpr } from './compiled.js';
import type { FunctionOverload } from './function-overload.js';

/** 42601 for what PostgreSQL's parser refuses in a call's argument names. */
export function checkArgumentNames(argNames: readonly (string | null)[]): void {
  let sawNamed = false;
  const seen = new Set<string>();
  for (const name of argNames) {
    if (name === null) {
      if (sawNamed) throw new SqlError('42601', 'positional argument cannot follow named argument');
      continue;
    }
    sawNamed = true;
    if (seen.has(name)) throw new SqlError('42601', `argument name "${name}" used more than once`);
    seen.add(name);
  }
}

/** 42883 naming the call as PostgreSQL's func_signature_string does: `make_interval(days => integer)`. */
export function noNamedFunction(name: string, args: readonly CompiledExpr[], argNames: readonly (string | null)[]): SqlError {
  const parts = args.map((arg, index) => {
    const type = isOpen(arg) ? 'unknown' : formatType(arg.type);
    const argName = argNames[index] ?? null;
    return argName === null ? type : `${argName} => ${type}`;
  });
  return undefinedFunction(`function ${name}(${parts.join(', ')}) does not exist`, 'No function matches the given name and argument types. You might need to add explicit type casts.');
}

/**
 * The overload a call with named arguments resolves to, with its arguments in parameter order
 * (defaults filled in as constants); undefined when none fits. An overload fits when every name
 * is one of its parameters not already given positionally, every parameter left has a default,
 * and every argument converts implicitly to its parameter's type — exact type matches first.
 */
export function bindNamedArguments(overloads: readonly FunctionOverload[], args: readonly CompiledExpr[], argNames: readonly (string | null)[]): { readonly overload: FunctionOverload; readonly args: readonly CompiledExpr[] } | undefined {
  const bound = overloads.flatMap((overload) => {
    const bindings = bind(overload, args, argNames);
    return bindings === undefined ? [] : [{ overload, args: bindings }];
  });
  const fits = (candidate: { overload: FunctionOverload; args: readonly CompiledExpr[] }, exact: boolean): boolean =>
    candidate.args.every((arg, index) => {
      const declared = candidate.overload.args[index]!;
      return declared === 'any' || isOpen(arg) || (exact ? arg.type.kind === declared.kind : canCoerce(arg.type, declared, 'implicit'));
    });
  return bound.find((candidate) => fits(candidate, true)) ?? bound.find((candidate) => fits(candidate, false));
}

function bind(overload: FunctionOverload, args: readonly CompiledExpr[], argNames: readonly (string | null)[]): CompiledExpr[] | undefined {
  const params = overload.params;
  if (params === undefined || overload.variadic === true) return undefined;
  const count = overload.args.length;
  if (args.length > count) return undefined;
  const slots: (CompiledExpr | undefined)[] = new Array<CompiledExpr | undefined>(count).fill(undefined);
  for (let index = 0; index < args.length; index++) {
    const name = argNames[index] ?? null;
    const position = name === null ? index : params.names.indexOf(name);
    if (position < 0 || slots[position] !== undefined) return undefined;
    slots[position] = args[index]!;
  }
  const firstDefault = count - params.defaults.length;
  const filled: CompiledExpr[] = [];
  for (let position = 0; position < count; position++) {
    const given = slots[position];
    if (given !== undefined) filled.push(given);
    else if (position >= firstDefault && overload.args[position] !== 'any') filled.push(constantExpr(overload.args[position] as Exclude<FunctionOverload['args'][number], 'any'>, params.defaults[position - firstDefault] ?? null));
    else return undefined;
  }
  return filled;
}
