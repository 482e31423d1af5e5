/**
 * Shared pieces of the replica tests that stop a node at a chosen moment: a deterministic
 * environment whose timers never fire (nothing in those runs waits for time), and a gate on a
 * replica's Raft proposals.
 */
import { vi } from 'vitest';
import { ManualClock } from '../../../clock/manual.js';
import type { BatchRequest } from '../../../kv/api/index.js';
import type { Replica } from '../../../kv/replica/index.js';
import { silentLogger } from '../../../src/base/logger.js';
import type { Env } from '../../../src/env/env.js';
import { SeededRandom } from '../../../src/env/random.js';
import { StillTimers } from '../../support/still-timers.js';

export const startNanos = 1_700_000_000_000_000_000n;

/** A deterministic environment: a manual clock that stays at `startNanos`, still timers, seeded randomness. */
export function stillEnv(): Env {
  const manual = new ManualClock(startNanos);
  return {
    clock: { nowNanos: () => manual.nowNanos(), monotonicNanos: () => manual.nowNanos() },
    timers: new StillTimers(),
    random: new SeededRandom(41),
    disk: undefined as never, // openKv does not touch the file system
    logger: silentLogger(),
  };
}

/** A gate on a replica's proposals: `open()` lets the held ones (and later ones) through. */
export interface ProposalGate {
  open(): void;
  readonly held: number;
}

/**
 * Holds the proposals of `replica` from the first batch `hold` picks on (that batch's and every
 * later one) until `open()` — never, for a process that dies before proposing them. `gates`
 * collects the openers so that a failed test's afterEach can release its store.
 */
export function holdProposals(replica: Replica, hold: (batch: BatchRequest) => boolean, gates?: (() => void)[]): ProposalGate {
  const target = replica as unknown as { propose: (...args: unknown[]) => Promise<void> };
  const propose = target.propose.bind(replica);
  const send = replica.send.bind(replica);
  let armed = false;
  let held = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  gates?.push(() => release());
  vi.spyOn(replica, 'send').mockImplementation((batch) => {
    armed ||= hold(batch);
    return send(batch);
  });
  vi.spyOn(target, 'propose').mockImplementation(async (...args: unknown[]) => {
    if (armed) {
      held++;
      await gate;
    }
    return propose(...args);
  });
  return {
    open: () => release(),
    get held() {
      return held;
    },
  };
}
