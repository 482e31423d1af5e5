/**
 * The physical clock a `HybridClock` reads. It is injected (from `Env.clock`), never read from
 * `Date.now`, so the simulator can run nodes on virtual time with offsets, drift and jumps.
 */
export interface PhysicalClock {
  /** Wall-clock time since the Unix epoch, in nanoseconds. May jump backwards (NTP). */
  nowNanos(): bigint;
}
