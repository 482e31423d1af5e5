/**
 * The clock layer's one operating error. Everything else that can go wrong in `clock/` is a
 * programmer error (a negative max offset, a physical clock reading below zero) and is an
 * assertion instead (src/base/assert).
 */
import { RangedbError } from '../src/base/errors.js';

/**
 * A remote timestamp was more than `maxOffsetNanos` ahead of the local physical clock, so the
 * local `HybridClock` refused to fold it in (`HybridClock.update`).
 *
 * Either the sender's clock or ours violates the cluster's max-offset assumption, on which
 * uncertainty intervals and commit wait rest; accepting the timestamp would drag our clock, and
 * every clock that hears from us, out of bounds. The request carrying the timestamp must fail;
 * the caller backs off and reports (class `unavailable`). A node that keeps hitting this
 * against most of its peers should stop serving (DESIGN.md §5).
 */
export class ClockOffsetError extends RangedbError {
  readonly code = 'CLOCK_OFFSET';
  readonly errorClass = 'unavailable';
  // system_error: the fault lies outside the database, in a system clock.
  override readonly sqlState = '58000';

  constructor(
    /** The wall time of the rejected remote timestamp, in nanoseconds. */
    readonly remoteWallNanos: bigint,
    /** The local physical clock when the remote timestamp arrived, in nanoseconds. */
    readonly physicalNanos: bigint,
    /** The configured bound the offset exceeded, in nanoseconds. */
    readonly maxOffsetNanos: bigint,
  ) {
    super(
      `remote wall time ${remoteWallNanos} is ${remoteWallNanos - physicalNanos}ns ahead of the local ` +
        `physical clock ${physicalNanos}, more than the maximum clock offset of ${maxOffsetNanos}ns`,
    );
  }

  /** How far the remote wall time was ahead of the local physical clock, in nanoseconds. */
  get offsetNanos(): bigint {
    return this.remoteWallNanos - this.physicalNanos;
  }
}
