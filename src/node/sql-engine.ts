/**
 * Which `SqlEngine` a node runs. The engine (sql/catalog, sql/plan, sql/exec) is being built;
 * until it lands, a node's SQL listener still accepts connections and serves everything the
 * session answers itself (SET/SHOW, transaction control, PREPARE/DEALLOCATE), and refuses
 * every other statement with 0A000 — one place to switch when the engine exists.
 */
import { RangedbError } from '../base/errors.js';
import type { SqlEngine, SqlEngineDeps } from '../../sql/exec/contract.js';

class EngineNotBuiltError extends RangedbError {
  readonly code = 'ENGINE_NOT_BUILT';
  readonly errorClass = 'input';
  override readonly sqlState = '0A000';
}

export type SqlEngineFactory = (deps: SqlEngineDeps) => SqlEngine;

export const defaultSqlEngine: SqlEngineFactory = () => ({
  async prepare(statement) {
    throw new EngineNotBuiltError(`unimplemented: ${statement.kind} statements (the SQL engine is not built yet)`);
  },
  async bootstrap() {},
});
