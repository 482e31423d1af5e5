/**
 * Which `SqlEngine` a node runs: the real one (sql/exec: catalog, planner, executor) unless a
 * test injects another (test/support/fake-sql-engine.ts).
 */
import { createSqlEngine } from '../../sql/exec/index.js';
import type { SqlEngine, SqlEngineDeps } from '../../sql/exec/contract.js';

export type SqlEngineFactory = (deps: SqlEngineDeps) => SqlEngine;

export const defaultSqlEngine: SqlEngineFactory = createSqlEngine;
