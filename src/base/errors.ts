/**
 * The error base class. Every operating error in rangedb is a `RangedbError` subclass with a
 * stable `code` (never renamed once shipped; clients, logs and tests match on it) and a `class`
 * that says how callers must react (DESIGN.md §2.5):
 *
 * | class       | meaning                                                    | caller does          |
 * |-------------|------------------------------------------------------------|----------------------|
 * | `routing`   | sent to the wrong place (stale range cache, not leaseholder)| re-route and resend  |
 * | `retryable` | a transaction conflict; the work may succeed if redone     | retry the txn        |
 * | `ambiguous` | the outcome is unknown (a commit may or may not have landed)| surface, never retry |
 * | `conflict`  | blocked by another transaction (an intent, a lock)        | wait, push, resolve  |
 * | `input`     | the request is invalid (too large, malformed)              | report to the user   |
 * | `unavailable` | a resource is exhausted or shut down                     | back off or report   |
 * | `internal`  | an operating failure that is not the caller's fault (I/O)   | report               |
 *
 * Programmer errors are not here: they are assertions (`src/base/assert`) and crash.
 *
 * Each error may carry a PostgreSQL SQLSTATE so the SQL layer can answer a client with the right
 * code without a lookup table that drifts from the error definitions.
 */

export type ErrorClass = 'routing' | 'retryable' | 'ambiguous' | 'conflict' | 'input' | 'unavailable' | 'internal';

export abstract class RangedbError extends Error {
  /** Stable, machine-readable identifier, e.g. `WRITE_TOO_OLD`. */
  abstract readonly code: string;
  /** How a caller must react; see the table above. */
  abstract readonly errorClass: ErrorClass;
  /** The SQLSTATE a SQL client sees for this error. */
  readonly sqlState: string = 'XX000';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A request or value exceeds a limit from `src/base/limits`. */
export class LimitExceededError extends RangedbError {
  readonly code = 'LIMIT_EXCEEDED';
  readonly errorClass = 'input';
  override readonly sqlState = '54000'; // program_limit_exceeded

  constructor(
    readonly limitName: string,
    readonly limit: number,
    readonly actual: number,
  ) {
    super(`${limitName} exceeded: ${actual} > ${limit}`);
  }
}

/** An argument from outside (a client, a file, a flag) is malformed. */
export class InvalidInputError extends RangedbError {
  readonly code = 'INVALID_INPUT';
  readonly errorClass = 'input';
  override readonly sqlState = '22023'; // invalid_parameter_value
}

/** A component was used after it was closed. */
export class ClosedError extends RangedbError {
  readonly code = 'CLOSED';
  readonly errorClass = 'unavailable';
  override readonly sqlState = '57P01'; // admin_shutdown
}

/** An I/O failure from the storage engine or the OS. */
export class StorageError extends RangedbError {
  readonly code = 'STORAGE';
  readonly errorClass = 'internal';
  override readonly sqlState = '58030'; // io_error
}
