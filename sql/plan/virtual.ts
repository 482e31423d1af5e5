/**
 * Virtual tables named in FROM (pg_catalog and friends): resolved before the catalog, rows
 * computed at run time. The tables themselves live in sql/vtables.
 */
import type * as ast from '../parser/ast.js';
import type { FromResult, PlanContext } from './context.js';

export type VirtualTableResolver = (ctx: PlanContext, ref: ast.TableRef) => Promise<FromResult | undefined>;

let resolver: VirtualTableResolver | undefined;

/** Installs the resolver of virtual tables (sql/vtables does, once). */
export function setVirtualTableResolver(next: VirtualTableResolver): void {
  resolver = next;
}

export async function virtualTable(ctx: PlanContext, ref: ast.TableRef): Promise<FromResult | undefined> {
  return resolver === undefined ? undefined : resolver(ctx, ref);
}
