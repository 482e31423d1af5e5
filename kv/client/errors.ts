/**
 * Errors of kv/client. Routing errors from the ranges (`RangeKeyMismatchError`,
 * `NotLeaseholderError`, `RangeNotFoundError`) are handled inside DistSender; when they keep
 * coming past its retry budget, the caller gets `RoutingRetriesExhaustedError` carrying the last one.
 */
import { RangedbError } from '../../src/base/errors.js';

/** DistSender re-routed a batch `limits.distSenderRetriesMax` times and still hit routing errors. */
export class RoutingRetriesExhaustedError extends RangedbError {
  readonly code = 'ROUTING_RETRIES_EXHAUSTED';
  readonly errorClass = 'unavailable';
  override readonly sqlState = '58000'; // system_error

  constructor(
    readonly retries: number,
    readonly lastError: RangedbError,
  ) {
    super(`gave up routing a batch after ${retries} retries: ${lastError.message}`, { cause: lastError });
  }
}
