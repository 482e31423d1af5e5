/**
 * `CatalogVersionFence`: the committed catalog version token, confirmed for many statements by
 * one read — so that a prepared point lookup sends one KV request (its row) instead of two (its
 * row, in the table's range, and the version token, in the system range).
 *
 * A statement must run against the catalog as of its transaction's read timestamp T, and every
 * later catalog write must be ordered after its read. Reading the token in the statement's own
 * transaction does both (the read is in its read set, and the timestamp cache pushes any later
 * token write above T), but costs a request to the system range per statement. The fence does
 * both for a group of statements with one **non-transactional read of the token at a timestamp
 * Tf at or above every member's T** (a group commit of version checks, like a Raft leader's
 * read index batching many reads behind one heartbeat round):
 *
 * ```
 *   statement (T1) ─┐                      fence read at Tf = max(T1, T2, T3, last Tf)
 *   statement (T2) ─┼─ wait for the fence ─► ──────────────────────────────────────────► token X
 *   statement (T3) ─┘   (their row reads go at once, in parallel)
 * ```
 *
 * - **Ordering.** The fence read records Tf in the timestamp cache, so a token write not yet
 *   made lands above Tf; one made below Tf is an intent the read meets (and pushes above Tf, or
 *   waits out) or a committed value the read returns. Either way: if the fence returns the token
 *   a statement's plan was made at, no catalog write committed at or below Tf ≥ T other than the
 *   one that wrote it.
 * - **Since when.** A token is unique to its write (catalog.ts), so a token seen at two
 *   timestamps was the catalog at every timestamp between (no ABA). The fence keeps the earliest
 *   Tf of the run of fences that returned the current token (`confirmed.since`): a statement may
 *   only use the fence if T ≥ that, i.e. if its plan's token is known to be committed at or
 *   before T — not a token committed after T (a "future" catalog), nor a transaction's own
 *   uncommitted token, which no fence returns.
 * - **Own writes.** A transaction that wrote the catalog sees its own uncommitted token in its
 *   reads; the engine never fences for it (`Catalog.wroteCatalog`).
 * - **Failure.** Any error of the fence read answers undefined to the whole group: its
 *   statements read the token in their own transaction, as without a fence.
 *
 * - **Since when.** Each fence also learns when its token was written (the value's MVCC
 *   timestamp): the token was the catalog from then up to Tf, so `since` is that timestamp, not
 *   the fence's own — a statement that began before the first fence is covered too.
 *
 * **Lease.** With `leaseNanos` > 0 the fence reads at `now + leaseNanos`, a timestamp in the
 * future (CockroachDB's leased descriptors; here the lease is the timestamp cache's entry): no
 * token write can land at or below it, so every statement whose T lies between `since` and that
 * future Tf is vouched for with **no request at all** (`versionAt`). A renewal goes out, in the
 * background, once less than half the lease is left, so a steady stream of statements never
 * waits on one. The price is paid by DDL: its token write is pushed above the lease, and its
 * commit waits for the clock to pass it (txn/commit-wait.ts) — at most `leaseNanos`, and only
 * while statements keep the lease renewed (CockroachDB's schema changes wait out the leases of
 * the old version the same way, for minutes). The fence's own request carries the clock's real
 * `now`: the read is in the future, the node's clock must not jump there.
 *
 * Limits: the read carries no uncertainty interval. On one node that is exact (one hybrid
 * clock: a token write acknowledged before a statement began is below the statement's T). With
 * several SQL gateways the fence must read with its members' uncertainty limits, or this path be
 * turned off (`SqlEngineDeps.catalogFence`).
 */
import { batchHeader, batchRequest, descriptorKey, getRequest, type Sender } from '../../kv/api/index.js';
import { addNanos, lessEq, max, type Timestamp } from '../../clock/timestamp.js';
import { assert } from '../../src/base/assert.js';

const versionKey = descriptorKey(0);

/**
 * The lease an engine's fence takes by default (`SqlEngineDeps.catalogLeaseNanos`): 20 ms. Long
 * enough that a renewal every ~10 ms serves every statement of a busy node (pgbench TPC-B: ~30
 * transactions per renewal at 3,000 tps), short enough that a DDL's commit wait goes unnoticed.
 */
export const catalogLeaseNanosDefault = 20_000_000n;
const decoder = new TextDecoder();

/** The last token decoded: it changes only with DDL, and it is decoded once per statement or fence. */
let lastToken: { readonly raw: Uint8Array; readonly text: string } | undefined;

/** The version token as `Catalog.open` reads it ('initial' before the first DDL). */
export function versionOfToken(raw: Uint8Array | undefined): string {
  if (raw === undefined) return 'initial';
  const last = lastToken;
  if (last !== undefined && last.raw.length === raw.length && Buffer.compare(last.raw, raw) === 0) return last.text;
  const text = decoder.decode(raw);
  lastToken = { raw: Uint8Array.from(raw), text };
  return text;
}

interface Group {
  readonly timestamp: { value: Timestamp | undefined };
  readonly waiters: ((version: string | undefined) => void)[];
}

export class CatalogVersionFence {
  /** The token the last fences returned, and the earliest timestamp they returned it at. */
  private confirmed: { readonly version: string; readonly since: Timestamp; readonly until: Timestamp } | undefined;
  /** Under a lease: half of it left once a statement reads past this wall time (`confirmed.until` less half the lease). */
  private renewAfterWallNanos = 0n;
  private inFlight = false;
  /** The fence in flight: its timestamp (known once sent) and who waits for it. */
  private sent: { timestamp: Timestamp | undefined; readonly waiters: ((version: string | undefined) => void)[] } | undefined;
  private next: Group | undefined;
  /** Fences sent (tests and metrics). */
  fencesSent = 0;

  constructor(
    private readonly db: Sender,
    /** How far in the future a fence reads (see Lease); 0: at its members' timestamps. */
    private readonly leaseNanos = 0n,
    /** The node's hybrid clock: where a lease starts, and the `now` a fence's request carries. */
    private readonly clockNow?: () => Timestamp,
  ) {
    assert(leaseNanos >= 0n, 'a catalog lease is not negative');
    assert(leaseNanos === 0n || clockNow !== undefined, 'a catalog lease needs the clock');
  }

  /** Whether the fence leases (reads ahead of the clock: see Lease). */
  get leasing(): boolean {
    return this.leaseNanos > 0n;
  }

  /**
   * The committed token at exactly `readTimestamp` if a fence already confirmed it there (its
   * token was written at or before T and a fence at or above T returned it) — no request; else
   * undefined. Under a lease it renews the lease in the background once less than half is left.
   */
  versionAt(readTimestamp: Timestamp): string | undefined {
    const confirmed = this.confirmed;
    const covered = confirmed !== undefined && lessEq(confirmed.since, readTimestamp) && lessEq(readTimestamp, confirmed.until);
    // Under a lease, one that ends within half of it (or is over, or none) is taken anew, in the
    // background. "Now" is the asking statement's read timestamp, not a clock reading: it was
    // taken from the clock when its transaction began, and the clock read (and the bigint sum)
    // on every point read's way was 3% of a select-only query's CPU. A renewal is only an
    // optimisation — what a fence vouches for is `covered` alone — so a statement with an old
    // timestamp that renews nothing costs no correctness: a later one renews.
    if (this.leaseNanos > 0n && !this.inFlight && this.next === undefined && (confirmed === undefined || this.renewAfterWallNanos < readTimestamp.wallNanos)) {
      this.next = { timestamp: { value: readTimestamp }, waiters: [] };
      void this.sendNext();
    }
    return covered ? confirmed.version : undefined;
  }

  /**
   * Whether a statement at `readTimestamp` whose plan was made at `version` may be checked by the
   * fence: its token is confirmed committed at or before `readTimestamp`.
   */
  covers(version: string, readTimestamp: Timestamp): boolean {
    const confirmed = this.confirmed;
    return confirmed !== undefined && confirmed.version === version && lessEq(confirmed.since, readTimestamp);
  }

  /**
   * The committed token at a timestamp at or above `readTimestamp` (and, when `covers` held, at
   * `readTimestamp` itself if it equals the plan's): read by the next fence, shared with every
   * statement that asks before it is sent; undefined if the read failed.
   */
  versionAtOrAbove(readTimestamp: Timestamp): Promise<string | undefined> {
    // Already known: a fence at or above T returned the token, written at or below T.
    const known = this.versionAt(readTimestamp);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => {
      // The fence in flight reads at or above T (a lease's fence reads in the future): its answer serves T too.
      const sent = this.sent;
      if (this.inFlight && sent !== undefined && sent.timestamp !== undefined && lessEq(readTimestamp, sent.timestamp)) {
        sent.waiters.push(resolve);
        return;
      }
      this.next ??= { timestamp: { value: undefined }, waiters: [] };
      const group = this.next;
      if (group.timestamp.value === undefined || lessEq(group.timestamp.value, readTimestamp)) group.timestamp.value = readTimestamp;
      group.waiters.push(resolve);
      if (!this.inFlight) void this.sendNext();
    });
  }

  /** Sends fences while groups are waiting, one at a time (a group forms while one is in flight). */
  private async sendNext(): Promise<void> {
    while (this.next !== undefined) {
      const group = this.next;
      this.next = undefined;
      this.inFlight = true;
      let version: string | undefined;
      try {
        let timestamp = group.timestamp.value;
        assert(timestamp !== undefined, 'a fence group has a timestamp');
        // Fences go up: their timestamps stay ordered, so `confirmed` is one interval.
        if (this.confirmed !== undefined && lessEq(timestamp, this.confirmed.until)) timestamp = this.confirmed.until;
        const now = this.clockNow?.();
        if (this.leaseNanos > 0n) timestamp = max(timestamp, addNanos(now!, this.leaseNanos));
        this.fencesSent += 1;
        this.sent = { timestamp, waiters: group.waiters };
        const response = await this.db.send(batchRequest(batchHeader(now === undefined ? { timestamp } : { timestamp, now }), [getRequest(versionKey)]));
        const answer = response.responses[0];
        version = versionOfToken(answer.value);
        this.confirm(version, answer.value === undefined ? undefined : answer.timestamp, timestamp);
      } catch {
        version = undefined; // the members read the token themselves
      } finally {
        this.inFlight = false;
        this.sent = undefined;
      }
      for (const resolve of group.waiters) resolve(version);
    }
  }

  /**
   * Records that a fence at `timestamp` returned `version`, whose value was written at
   * `writtenAt` (undefined for the initial, never-written token: known from this fence on).
   */
  private confirm(version: string, writtenAt: Timestamp | undefined, timestamp: Timestamp): void {
    const confirmed = this.confirmed;
    if (confirmed !== undefined && confirmed.version === version) {
      if (lessEq(confirmed.until, timestamp)) this.setConfirmed({ version, since: confirmed.since, until: timestamp });
      return;
    }
    // A new token (or the first): the catalog from its write on (the newest committed value at
    // or below the fence; every intent below the fence was waited out or pushed above it). A
    // fence below `until` cannot return another token than the one seen above it unless a later
    // write was undone; start afresh.
    const since = writtenAt !== undefined && lessEq(writtenAt, timestamp) ? writtenAt : timestamp;
    this.setConfirmed({ version, since, until: timestamp });
  }

  private setConfirmed(confirmed: { readonly version: string; readonly since: Timestamp; readonly until: Timestamp }): void {
    this.confirmed = confirmed;
    this.renewAfterWallNanos = confirmed.until.wallNanos - this.leaseNanos / 2n;
  }
}
