/** ALTER TABLE … ALTER COLUMN … TYPE (placeholder until the conversions land). */
import type * as ast from '../parser/ast.js';
import type { TableDesc } from '../catalog/descriptors.js';
import { SqlError } from '../catalog/errors.js';
import type { Runtime } from './runtime.js';
import type { ExecContext } from './statement.js';

export function alterColumnType(_rt: Runtime, _exec: ExecContext, _table: TableDesc, command: Extract<ast.AlterTableCommand, { kind: 'AlterColumnType' }>): Promise<TableDesc> {
  return Promise.reject(new SqlError('0A000', `ALTER COLUMN ${command.column} TYPE is not supported yet`));
}
