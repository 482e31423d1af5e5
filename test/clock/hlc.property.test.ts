/**
 * Property tests for `HybridClock`: random interleavings of readings, received timestamps and
 * physical-clock moves (stalls, forward jumps, backward steps), checked against the contract:
 * `now()` strictly increases, exceeds every accepted remote, follows the physical clock when it
 * leads, and stays within the max offset (plus a logical carry) of a clock that never steps back.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ClockOffsetError } from '../../clock/errors.js';
import { HybridClock } from '../../clock/hlc.js';
import { ManualClock } from '../../clock/manual.js';
import { less, max, timestamp, zeroTimestamp, type Timestamp } from '../../clock/timestamp.js';

type Operation =
  | { readonly kind: 'now' }
  | { readonly kind: 'update'; readonly aheadNanos: bigint; readonly logical: number }
  | { readonly kind: 'advance'; readonly nanos: bigint }
  | { readonly kind: 'rewind'; readonly nanos: bigint };

const logicalMax = 0xffff_ffff;
const spanNanos = 3_000n;

// Logical counters at both ends, so some remotes force a carry into the wall time.
const arbitraryLogical = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: logicalMax - 3, max: logicalMax }));

function arbitraryOperation(allowRewind: boolean): fc.Arbitrary<Operation> {
  const operations: fc.Arbitrary<Operation>[] = [
    fc.constant<Operation>({ kind: 'now' }),
    fc.record({ kind: fc.constant('update' as const), aheadNanos: fc.bigInt({ min: -spanNanos, max: spanNanos }), logical: arbitraryLogical }),
    fc.record({ kind: fc.constant('advance' as const), nanos: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: spanNanos })) }),
  ];
  if (allowRewind) operations.push(fc.record({ kind: fc.constant('rewind' as const), nanos: fc.bigInt({ min: 0n, max: spanNanos }) }));
  return fc.oneof(...operations);
}

const arbitraryMaxOffsetNanos = fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 2_000n }));
const arbitraryStartNanos = fc.bigInt({ min: spanNanos, max: 1n << 62n });

/** Runs `operations`, checking every step against the contract. */
function runChecked(startNanos: bigint, maxOffsetNanos: bigint, operations: readonly Operation[]): void {
  const physical = new ManualClock(startNanos);
  const clock = new HybridClock(physical, { maxOffsetNanos });
  let lastReading: Timestamp | undefined;
  let highestAccepted: Timestamp | undefined;
  let highestSeen = zeroTimestamp; // every reading and accepted remote
  for (const operation of operations) {
    switch (operation.kind) {
      case 'now': {
        const reading = clock.now();
        if (lastReading !== undefined) expect(less(lastReading, reading)).toBe(true);
        if (highestAccepted !== undefined) expect(less(highestAccepted, reading)).toBe(true);
        // When the physical clock is ahead of everything the clock has seen, the reading is it.
        if (physical.nowNanos() > highestSeen.wallNanos) expect(reading).toEqual(timestamp(physical.nowNanos(), 0));
        lastReading = reading;
        highestSeen = max(highestSeen, reading);
        break;
      }
      case 'update': {
        const wallNanos = physical.nowNanos() + operation.aheadNanos;
        const remote = timestamp(wallNanos < 0n ? 0n : wallNanos, operation.logical);
        const tooFarAhead = remote.wallNanos - physical.nowNanos() > maxOffsetNanos;
        if (tooFarAhead) {
          expect(() => clock.update(remote)).toThrow(ClockOffsetError);
        } else {
          clock.update(remote);
          highestAccepted = highestAccepted === undefined ? remote : max(highestAccepted, remote);
          highestSeen = max(highestSeen, remote);
        }
        break;
      }
      case 'advance':
        physical.advance(operation.nanos);
        break;
      case 'rewind': // down to zero at most
        physical.rewind(operation.nanos < physical.nowNanos() ? operation.nanos : physical.nowNanos());
        break;
    }
  }
}

describe('HybridClock (property)', () => {
  it('now() strictly increases and exceeds every accepted remote, whatever the physical clock does', () => {
    fc.assert(
      fc.property(arbitraryStartNanos, arbitraryMaxOffsetNanos, fc.array(arbitraryOperation(true), { maxLength: 200 }), (startNanos, maxOffsetNanos, operations) => {
        runChecked(startNanos, maxOffsetNanos, operations);
      }),
      { seed: 1, numRuns: 500 },
    );
  });

  it('the wall time leads a never-rewound physical clock by at most maxOffsetNanos plus one carry', () => {
    fc.assert(
      fc.property(arbitraryStartNanos, arbitraryMaxOffsetNanos, fc.array(arbitraryOperation(false), { maxLength: 200 }), (startNanos, maxOffsetNanos, operations) => {
        const physical = new ManualClock(startNanos);
        const clock = new HybridClock(physical, { maxOffsetNanos });
        for (const operation of operations) {
          if (operation.kind === 'advance') physical.advance(operation.nanos);
          if (operation.kind === 'update') {
            const remote = timestamp(physical.nowNanos() + operation.aheadNanos, operation.logical);
            try {
              clock.update(remote);
            } catch (error) {
              expect(error).toBeInstanceOf(ClockOffsetError);
            }
          }
          const reading = clock.now();
          expect(reading.wallNanos - physical.nowNanos()).toBeLessThanOrEqual(maxOffsetNanos + 1n);
          expect(reading.wallNanos).toBeGreaterThanOrEqual(physical.nowNanos());
        }
      }),
      { seed: 2, numRuns: 500 },
    );
  });

  it('a receiver that folds in each message timestamp stamps every later event after it', () => {
    // Two nodes whose physical clocks differ by up to the max offset send each other messages;
    // each send is stamped by the sender's now(), each receipt is update() then now().
    const maxOffsetNanos = 500n;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: maxOffsetNanos }),
        fc.array(fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 200n })), { minLength: 1, maxLength: 100 }),
        (skewNanos, messages) => {
          const physicals = [new ManualClock(1_000_000n), new ManualClock(1_000_000n + skewNanos)] as const;
          const clocks = physicals.map((physical) => new HybridClock(physical, { maxOffsetNanos }));
          let previousReceipt = zeroTimestamp;
          for (const [fromFirst, elapsedNanos] of messages) {
            for (const physical of physicals) physical.advance(elapsedNanos);
            const sender = clocks[fromFirst ? 0 : 1]!;
            const receiver = clocks[fromFirst ? 1 : 0]!;
            const sent = sender.now();
            receiver.update(sent);
            const received = receiver.now();
            expect(less(sent, received)).toBe(true);
            expect(less(previousReceipt, received)).toBe(true); // causal chain across both nodes
            previousReceipt = received;
          }
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });
});
