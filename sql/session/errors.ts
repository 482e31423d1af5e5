/**
 * The errors the session raises itself (transaction state, session variables, prepared
 * statements, portals, COPY), each with PostgreSQL's SQLSTATE and wording. One class with the
 * SQLSTATE as a field, since the session's errors differ only in code and text; the factories
 * below name each case.
 */
import { RangedbError, type ErrorClass } from '../../src/base/errors.js';

export class SessionError extends RangedbError {
  readonly code = 'SESSION';
  override readonly sqlState: string;

  constructor(
    sqlState: string,
    message: string,
    readonly errorClass: ErrorClass = 'input',
    readonly detail?: string,
    readonly hint?: string,
  ) {
    super(message);
    this.sqlState = sqlState;
  }
}

/** 25P02: a statement in a failed explicit transaction. */
export const inFailedTransaction = (): SessionError =>
  new SessionError('25P02', 'current transaction is aborted, commands ignored until end of transaction block');

/** 25000 after `RELEASE SAVEPOINT cockroach_restart` committed: only COMMIT or ROLLBACK may follow. */
export const inCommittedTransaction = (): SessionError =>
  new SessionError('25000', 'current transaction is committed, commands ignored until end of transaction block');

export const unrecognizedParameter = (name: string): SessionError => new SessionError('42704', `unrecognized configuration parameter "${name}"`);

export const invalidParameterValue = (name: string, value: string, hint?: string): SessionError =>
  new SessionError('22023', `invalid value for parameter "${name}": "${value}"`, 'input', undefined, hint);

export const parameterCannotBeChanged = (name: string): SessionError => new SessionError('55P02', `parameter "${name}" cannot be changed`);

export const notSupported = (what: string): SessionError => new SessionError('0A000', `unimplemented: ${what}`);

export const preparedStatementMissing = (name: string): SessionError => new SessionError('26000', `prepared statement "${name}" does not exist`);

export const preparedStatementExists = (name: string): SessionError => new SessionError('42P05', `prepared statement "${name}" already exists`);

export const portalMissing = (name: string): SessionError => new SessionError('34000', `portal "${name}" does not exist`);
export const cursorMissing = (name: string): SessionError => new SessionError('34000', `cursor "${name}" does not exist`);

export const savepointMissing = (name: string): SessionError => new SessionError('3B001', `savepoint "${name}" does not exist`);

/** 57014 query_canceled, by a CancelRequest or by statement_timeout. */
export const queryCanceled = (byTimeout: boolean): SessionError =>
  new SessionError('57014', byTimeout ? 'canceling statement due to statement timeout' : 'canceling statement due to user request');

export const protocolViolation = (message: string): SessionError => new SessionError('08P01', message);
