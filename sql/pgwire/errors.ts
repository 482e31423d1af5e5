import { RangedbError } from '../../src/base/errors.js';

/**
 * The client broke the wire protocol: a bad length, an unknown message type, a body whose fields
 * do not fill its length exactly, a string without its NUL, an unsupported protocol version, a
 * malformed SCRAM message. PostgreSQL answers these with SQLSTATE 08P01 and closes the connection
 * (FATAL), because after a framing error nothing that follows can be trusted to be a message
 * boundary. The decoder that throws one is poisoned: it rethrows the same error on any later call.
 *
 * `message` is PostgreSQL's wording (`invalid frontend message type 120`, `invalid message
 * length`) so clients and tests see what they would see from PostgreSQL; `detail` says more for
 * the log and the ErrorResponse's D field.
 */
export class ProtocolViolationError extends RangedbError {
  readonly code = 'PROTOCOL_VIOLATION';
  readonly errorClass = 'input';
  override readonly sqlState = '08P01'; // protocol_violation

  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}
