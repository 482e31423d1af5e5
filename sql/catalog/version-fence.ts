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
 * Limits: the read carries no uncertainty interval. On one node that is exact (one hybrid
 * clock: a token write acknowledged before a statement began is below the statement's T). With
 * several SQL gateways the fence must read with its members' uncertainty limits, or this path be
 * turned off (`SqlEngineDeps.catalogFence`).
 */
import { batchHeader, batchRequest, descriptorKey, getRequest, type Sender } from '../../kv/api/index.js';
import { lessEq, type Timestamp } from '../../clock/timestamp.js';
import { assert } from '../../src/base/assert.js';

const versionKey = descriptorKey(0);
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
  private inFlight = false;
  private next: Group | undefined;
  /** Fences sent (tests and metrics). */
  fencesSent = 0;

  constructor(private readonly db: Sender) {}

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
    const confirmed = this.confirmed;
    // Already known: a fence at or above T returned the token, and one at or below T did too.
    if (confirmed !== undefined && lessEq(confirmed.since, readTimestamp) && lessEq(readTimestamp, confirmed.until)) return Promise.resolve(confirmed.version);
    return new Promise((resolve) => {
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
        this.fencesSent += 1;
        const response = await this.db.send(batchRequest(batchHeader({ timestamp }), [getRequest(versionKey)]));
        version = versionOfToken(response.responses[0].value);
        this.confirm(version, timestamp);
      } catch {
        version = undefined; // the members read the token themselves
      } finally {
        this.inFlight = false;
      }
      for (const resolve of group.waiters) resolve(version);
    }
  }

  private confirm(version: string, timestamp: Timestamp): void {
    const confirmed = this.confirmed;
    if (confirmed !== undefined && confirmed.version === version) {
      if (lessEq(confirmed.until, timestamp)) this.confirmed = { version, since: confirmed.since, until: timestamp };
      return;
    }
    // A new token (or the first): known from this fence on. A fence below `until` cannot return
    // another token than the one seen above it unless a later write was undone; start afresh.
    this.confirmed = { version, since: timestamp, until: timestamp };
  }
}
