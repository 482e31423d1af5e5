/**
 * Functions over the catalog (`pg_get_indexdef`, `pg_table_is_visible`, `pg_get_userbyid`, the
 * `reg*` input and output functions, …): sql/vtables implements them over the snapshot it puts in
 * `EvalContext.catalog` and installs them here, below it in the layering. A statement that calls
 * one gets a `catalog` slot, so the executor loads the snapshot before the first row: the
 * functions themselves stay synchronous, like every other compiled expression.
 */
import type { FunctionOverload } from './functions.js';

let catalogFunctions: ReadonlyMap<string, readonly FunctionOverload[]> = new Map();

/** Installs the catalog functions (sql/vtables does, once). */
export function setCatalogFunctions(next: ReadonlyMap<string, readonly FunctionOverload[]>): void {
  catalogFunctions = next;
}

/** The overloads of catalog function `name`, if there is one. */
export function catalogFunction(name: string): readonly FunctionOverload[] | undefined {
  return catalogFunctions.get(name);
}
