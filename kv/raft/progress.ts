/**
 * `Progress`: the leader's view of one follower's log — how far it matches (`match`), what to
 * send next (`next`) — and the state machine that paces sending:
 *
 *            reject / unreachable                   snapshot needed
 *     ┌──────────────────────────────┐      ┌───────────────────────────────┐
 *     ▼                              │      │                               ▼
 *   probe ── append acknowledged ──► replicate                          snapshot
 *     ▲  (one message per heartbeat)   (pipelined, up to the inflights window)  │
 *     └────────── snapshot reported applied / failed, or caught up ─────────────┘
 *
 * In `probe` the leader sends one append and waits (the follower's log position is unknown); in
 * `replicate` it streams appends optimistically, bounded by `Inflights`; in `snapshot` it sends
 * nothing until the snapshot is reported.
 */
import { assert } from '../../src/base/assert.js';
import { Inflights } from './inflights.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  /** The highest index known to match the leader's log. */
  match: number;
  /** The index of the next entry to send. Invariant: `match < next`. */
  next: number;
  state: ProgressState = 'probe';
  /** In `snapshot` state: the index of the snapshot sent. */
  pendingSnapshot = 0;
  /** Heard from within the current check-quorum window (reset each election timeout). */
  recentActive = false;
  /**
   * Sending appends is paused: in `probe`, one is in flight (until a response or heartbeat
   * response); in `replicate`, the inflights window is full.
   */
  msgAppFlowPaused = false;
  /** The highest commit index sent to this follower (in an append or heartbeat). */
  sentCommit = 0;
  isLearner: boolean;
  readonly inflights: Inflights;

  constructor(match: number, next: number, inflightCapacity: number, isLearner: boolean) {
    assert(match < next, () => `progress match ${match} must be below next ${next}`);
    this.match = match;
    this.next = next;
    this.isLearner = isLearner;
    this.inflights = new Inflights(inflightCapacity);
  }

  private resetState(state: ProgressState): void {
    this.msgAppFlowPaused = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  /** Back to probing, from just after what is known to match (or after the snapshot sent). */
  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pendingSnapshot = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pendingSnapshot + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  /** A snapshot at `snapshotIndex` is being sent; appends resume after it. */
  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
    this.next = Math.max(this.next, snapshotIndex + 1);
  }

  /**
   * An append message with `entries` entries (the last at `lastIndex`) was sent. In replicate
   * it joins the inflights window and `next` moves past it; in probe sending pauses until a reply.
   */
  sentEntries(entries: number, lastIndex: number): void {
    switch (this.state) {
      case 'replicate':
        if (entries > 0) {
          assert(lastIndex === this.next + entries - 1, 'replicate sends entries from next');
          this.next = lastIndex + 1;
          this.inflights.add(lastIndex);
        }
        this.msgAppFlowPaused = this.inflights.full();
        break;
      case 'probe':
        this.msgAppFlowPaused = true;
        break;
      case 'snapshot':
        assert(false, 'no appends are sent in snapshot state');
    }
  }

  sentCommittedIndex(commit: number): void {
    this.sentCommit = Math.max(this.sentCommit, commit);
  }

  /** Whether sending `commit` would tell the follower something new about its own entries. */
  canBumpCommit(commit: number): boolean {
    return this.sentCommit < Math.min(commit, this.next - 1);
  }

  /**
   * The follower acknowledged a log matching up to `index`. Returns whether `match` moved.
   */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      this.msgAppFlowPaused = false;
      updated = true;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * The follower rejected an append at `rejected`; `matchHint` is where the logs may match.
   * Returns false if the rejection is stale (an out-of-order reply to an older message).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      // In replicate `match` is exact, so a rejection at or below it is stale.
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      this.sentCommit = Math.min(this.sentCommit, this.next - 1);
      return true;
    }
    // In probe, only a rejection of the one append in flight (at next-1) counts.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /** Whether sending appends to this follower is paused (see `msgAppFlowPaused`). */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
      case 'replicate':
        return this.msgAppFlowPaused;
      case 'snapshot':
        return true;
    }
  }

  describe(): string {
    let out = `${this.state} match=${this.match} next=${this.next}`;
    if (this.isLearner) out += ' learner';
    if (this.isPaused()) out += ' paused';
    if (this.pendingSnapshot > 0) out += ` pendingSnap=${this.pendingSnapshot}`;
    if (!this.recentActive) out += ' inactive';
    if (this.inflights.count() > 0) out += ` inflight=${this.inflights.count()}${this.inflights.full() ? '[full]' : ''}`;
    return out;
  }
}
