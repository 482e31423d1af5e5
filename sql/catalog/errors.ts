/**
 * The SQL errors of the catalog, planner and executor: one class carrying PostgreSQL's SQLSTATE,
 * its primary message and, where PostgreSQL sends them, DETAIL and HINT. Constructors below name
 * the common ones with PostgreSQL's exact wording (`relation "t" does not exist`), so call sites
 * cannot drift from it.
 */
import { RangedbError } from '../../src/base/errors.js';

export class SqlError extends RangedbError {
  readonly code: string;
  readonly errorClass = 'input';
  override readonly sqlState: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;

  constructor(sqlState: string, message: string, extra: { readonly detail?: string; readonly hint?: string } = {}) {
    super(message);
    this.sqlState = sqlState;
    this.code = `SQLSTATE_${sqlState}`;
    this.detail = extra.detail;
    this.hint = extra.hint;
  }
}

export const undefinedTable = (name: string): SqlError => new SqlError('42P01', `relation "${name}" does not exist`);
export const duplicateTable = (name: string): SqlError => new SqlError('42P07', `relation "${name}" already exists`);
export const undefinedDatabase = (name: string): SqlError => new SqlError('3D000', `database "${name}" does not exist`);
export const duplicateDatabase = (name: string): SqlError => new SqlError('42P04', `database "${name}" already exists`);
export const undefinedSchema = (name: string): SqlError => new SqlError('3F000', `schema "${name}" does not exist`);
export const duplicateSchema = (name: string): SqlError => new SqlError('42P06', `schema "${name}" already exists`);
export const undefinedColumn = (name: string, table?: string): SqlError =>
  new SqlError('42703', table === undefined ? `column "${name}" does not exist` : `column "${name}" of relation "${table}" does not exist`);
export const duplicateColumn = (name: string, table?: string): SqlError =>
  new SqlError('42701', table === undefined ? `column "${name}" specified more than once` : `column "${name}" of relation "${table}" already exists`);
export const ambiguousColumn = (name: string): SqlError => new SqlError('42702', `column reference "${name}" is ambiguous`);
export const undefinedObject = (message: string): SqlError => new SqlError('42704', message);
export const notSupported = (what: string): SqlError => new SqlError('0A000', `${what} is not supported`);
export const syntaxError = (message: string): SqlError => new SqlError('42601', message);
export const datatypeMismatch = (message: string): SqlError => new SqlError('42804', message);
export const wrongObjectType = (message: string): SqlError => new SqlError('42809', message);
export const invalidTableDefinition = (message: string): SqlError => new SqlError('42P16', message);
export const groupingError = (message: string): SqlError => new SqlError('42803', message);
export const undefinedFunction = (message: string, hint?: string): SqlError => new SqlError('42883', message, hint === undefined ? {} : { hint });
export const dependentObjects = (message: string): SqlError => new SqlError('2BP01', message);
export const objectInUse = (message: string): SqlError => new SqlError('55006', message);
