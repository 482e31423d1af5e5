/**
 * Seeds of the KV simulation that once failed (or that found a known bug when it was checked
 * against the code before the fix), replayed on every test run. A failing seed is a bug — in the
 * store or in the simulator — never a flake: fix it, then add it here with what it found.
 *
 * A seed names a run only for the simulator as it was: a change to the simulator (a new delay,
 * a new knob) gives old seeds new runs. They stay here anyway — a run that once mattered is a
 * good place to look.
 */
import type { KvProfileOverrides } from '../../../src/sim/kv/simulation.js';

export interface KvRegressionSeed {
  readonly seed: number;
  readonly durationMs: number;
  /** The profile forced over the seed's (`npm run sim:kv -- --profile`), if any. */
  readonly overrides?: KvProfileOverrides;
  /** What the seed found, and where it was fixed. */
  readonly found: string;
}

/**
 * The faults added in session 11 (abandoned transactions, GC under load, historical reads) off:
 * the seeds found before them replay the runs they had (those knobs draw from a stream of their
 * own, and nothing else changes when they are off).
 */
export const withoutSession11Faults: KvProfileOverrides = Object.freeze({ abandonChance: 0, gcTtlMs: 0, historicalReads: false });

/**
 * A profile that makes scans meet transfers' freshly committed intents: 8 accounts each nearly
 * on a range of its own (their intents are resolved asynchronously, a Raft round after the
 * commit), 8 clients without pauses, scans pausing up to 1 ms between steps while commits take
 * 100–300 µs — a writer can evaluate, replicate and apply while a scan is between two keys.
 */
export const scanRaceProfile: KvProfileOverrides = Object.freeze({
  accounts: 8,
  ranges: 4,
  clients: 8,
  thinkMsMax: 0,
  transfersMax: 1500,
  rangeChangeEveryMs: 0,
  // The bank alone, as when the seeds below were found (crashes and the registers came later).
  crashes: 0,
  registers: 0,
  ...withoutSession11Faults,
  delays: { iteratorStepMaxUs: 1000, commitMaxUs: 200, zeroDelayChance: 0.5, syncMinUs: 100, appendMinUs: 5 },
});

export const kvRegressionSeeds: readonly KvRegressionSeed[] = [
  {
    seed: 329,
    durationMs: 1000,
    overrides: scanRaceProfile,
    found:
      'validation against the code before 0a1b26d (the bank isolation bug CI found by chance): at 57d1de4 this ' +
      'seed fails with "BankViolation: scan 13: total 668, expected 800" — a scan missed a transfer committed ' +
      'below it, whose intent the next writer of the account resolved with its own write mid-scan under only an ' +
      'MVCC write latch; it passes from 0a1b26d on. The first seed to find it: about 95 seeds were run at 57d1de4 ' +
      'before it (11 of the default profile, 15 without range changes, 40 with long scan pauses, then seeds ' +
      '300–329 of this profile), and it was the only failure among this profile\'s seeds 300–364.',
  },
  {
    seed: 8,
    durationMs: 400,
    overrides: withoutSession11Faults,
    found:
      'a merge left meta2 naming the removed right-hand range while a resolution chunk queued before it retried ' +
      'its routing ahead of the merge\'s own meta2 resolution: requests to the merged keys failed with ' +
      'RoutingRetriesExhaustedError ("r3 was not found on s1") for a second. Fixed in kv/replica/split-merge.ts ' +
      '(a split or merge resolves its meta2 intents before it answers) and kv/client/dist-sender.ts (routing ' +
      'retries back off); seeds 7, 9 and 10 failed the same way then.',
  },
  {
    seed: 339,
    durationMs: 1000,
    overrides: scanRaceProfile,
    found:
      'a stall: eight transfers and a scan never finished. Three transfers formed a waits-for cycle through the ' +
      'lock table (one request held a reservation on an account while it waited on another); the highest ' +
      'priority one aborted the victim, but the victim\'s own push had been out between two waits when its abort ' +
      'applied, so the wait queue never failed it: it waited again, for ever, its request still queued holding ' +
      'the reservation, and the aborting pusher re-pushed the aborted victim every 100 ms. Fixed in ' +
      'kv/replica/store.ts pushTxn: a pusher known aborted on the store fails with TransactionAbortedError instead ' +
      'of waiting again.',
  },
  {
    seed: 125,
    durationMs: 400,
    overrides: withoutSession11Faults,
    found:
      'the first bug the crashes found (seeds 100–249, its only failure): the process crashed while a merge was ' +
      'publishing its routing — its EndTxn committed, its meta2 intents not yet resolved. After the restart no ' +
      'finalized-transaction cache remembered the merge, and range lookups read meta2 inconsistently, reading ' +
      'around the intent that deleted the right-hand range\'s entry: every lookup of its keys named r7, which no ' +
      'longer existed, and requests failed with RoutingRetriesExhaustedError ("r7 was not found on s1") until the ' +
      'end of the run. Fixed in kv/eval (get, scan) and kv/replica/store.ts: the intents an inconsistent read ' +
      'reads around are cleaned up asynchronously — pushed without waiting, resolved once finalized ' +
      '(test/kv/replica/read-around-cleanup.test.ts).',
  },
  {
    seed: 1052,
    durationMs: 400,
    overrides: withoutSession11Faults,
    found:
      'found by seeds 1000–1079 right after the fix of seed 125, which caused it: the cleanup of intents read ' +
      'around resolved a merge\'s meta2 intents one key at a time, and a lookup between the two found a ' +
      'descriptor not holding its key (an assertion in RangeCache). Fixed in kv/replica/store.ts: the keys met ' +
      'and the finalized record\'s lock spans are resolved in one batch — one Raft command on the meta range.',
  },
  {
    seed: 122,
    durationMs: 400,
    // Drawn so when it was found (the GC every ~1 ms; the choices are [2, 10, 30] since).
    overrides: { gcEveryMs: 1 },
    found:
      'the first bug the session-11 faults found (abandoned transactions and GC under load, seeds 1–300): a ' +
      'stall. The process crashed between a split\'s commit and the resolution of its meta2 intents; after the ' +
      'restart a consistent meta2 scan (Kv.ranges) met one and put it in the lock table, and every range lookup — ' +
      'an inconsistent read — queued behind it, the lookup the waiter\'s own PushTxn needed to reach the split\'s ' +
      'record among them: a deadlock, four operations stuck for two virtual minutes. Fixed in ' +
      'kv/replica/concurrency.ts planOf: an inconsistent read takes no lock span (test/kv/replica/' +
      'inconsistent-read-locks.test.ts).',
  },
];
