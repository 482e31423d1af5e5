/**
 * Read-index state of a leader (Raft thesis §6.4): a linearizable read without a log write.
 *
 *   1. A read request arrives (locally, or forwarded by a follower as MsgReadIndex); the leader
 *      records its commit index as the read index and a request context naming it.
 *   2. The leader sends a heartbeat round carrying the context; a follower echoes it back.
 *   3. Once a quorum (counting the leader) acknowledged the context, no other leader can have
 *      committed anything the read must see: every request queued up to it is released, at its
 *      read index, to be served once the application has applied that index.
 *
 * Requests are released in arrival order; an acknowledgement of a later context confirms every
 * earlier one, since the later heartbeat round was sent after the earlier requests arrived.
 */
import { assert } from '../../src/base/assert.js';
import type { RaftNodeId } from './types.js';

/** A pending read: who asked (this node's own id for a local request), its context, its index. */
export interface ReadIndexStatus {
  readonly from: RaftNodeId;
  readonly context: Uint8Array;
  readonly index: number;
  readonly acks: Set<RaftNodeId>;
}

/** A context as a map key (contexts are compared by content). */
export function contextKey(context: Uint8Array): string {
  return Buffer.from(context.buffer, context.byteOffset, context.byteLength).toString('latin1');
}

export class ReadOnly {
  private readonly pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  /**
   * Records a read at `index`. A context already pending is ignored (callers must use unique
   * contexts: the second request would never be answered).
   */
  addRequest(index: number, from: RaftNodeId, context: Uint8Array): void {
    const key = contextKey(context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { from, context, index, acks: new Set() });
    this.queue.push(key);
  }

  /** Records `id`'s acknowledgement of `context`; returns the acks so far (undefined if unknown). */
  recvAck(id: RaftNodeId, context: Uint8Array): ReadonlySet<RaftNodeId> | undefined {
    const status = this.pending.get(contextKey(context));
    if (status === undefined) return undefined;
    status.acks.add(id);
    return status.acks;
  }

  /** Releases every request queued up to and including `context`, in order. */
  advance(context: Uint8Array): ReadIndexStatus[] {
    const key = contextKey(context);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const released = this.queue.slice(0, at + 1).map((k) => {
      const status = this.pending.get(k);
      assert(status !== undefined, 'a queued read has a pending status');
      this.pending.delete(k);
      return status;
    });
    this.queue = this.queue.slice(at + 1);
    return released;
  }

  /** The context of the newest pending request, to piggyback on heartbeats (empty if none). */
  lastPendingContext(): Uint8Array {
    const key = this.queue[this.queue.length - 1];
    return key === undefined ? new Uint8Array(0) : this.pending.get(key)!.context;
  }

  pendingCount(): number {
    return this.queue.length;
  }
}
