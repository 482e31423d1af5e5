/**
 * The two errors the parser raises, with PostgreSQL's SQLSTATEs and wording so a client sees what
 * PostgreSQL would have said:
 *
 * - `SqlSyntaxError` (42601 syntax_error): `syntax error at or near "frm"`, with the position.
 * - `FeatureNotSupportedError` (0A000 feature_not_supported): valid PostgreSQL that rangedb does
 *   not implement, `unimplemented: WINDOW functions are not supported`. The translator raises it
 *   for every construct it does not translate, so nothing is ever silently dropped.
 *
 * - `StatementTooComplexError` (54001 statement_too_complex): nesting so deep that translating it
 *   would overflow the stack — PostgreSQL's `stack depth limit exceeded`. (Deeper still, the
 *   grammar itself stops with PostgreSQL's 42601 `memory exhausted`.)
 *
 * `position` is PostgreSQL's ErrorResponse `P` field: a 1-based character (not byte) index into
 * the string the client sent, or null when the error has no place.
 */
import { RangedbError } from '../../src/base/errors.js';

export class SqlSyntaxError extends RangedbError {
  readonly code = 'SYNTAX_ERROR';
  readonly errorClass = 'input';
  override readonly sqlState = '42601';

  constructor(
    message: string,
    readonly position: number | null,
  ) {
    super(message);
  }
}

/**
 * One of the grammar's few errors PostgreSQL raises with a code other than 42601 (libpg-query
 * passes no SQLSTATE on; pg.ts knows them by their message), with the position.
 */
export class GrammarCheckError extends RangedbError {
  readonly code = 'GRAMMAR_CHECK';
  readonly errorClass = 'input';

  constructor(
    message: string,
    readonly position: number | null,
    override readonly sqlState: string,
  ) {
    super(message);
  }
}

export class FeatureNotSupportedError extends RangedbError {
  readonly code = 'FEATURE_NOT_SUPPORTED';
  readonly errorClass = 'input';
  override readonly sqlState = '0A000';

  constructor(
    message: string,
    readonly position: number | null,
  ) {
    super(message);
  }
}

export class StatementTooComplexError extends RangedbError {
  readonly code = 'STATEMENT_TOO_COMPLEX';
  readonly errorClass = 'input';
  override readonly sqlState = '54001';

  constructor() {
    super('stack depth limit exceeded');
  }
}
