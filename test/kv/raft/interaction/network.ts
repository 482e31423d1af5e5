/**
 * The interaction harness's network: one FIFO queue of messages in flight, in the order they
 * were sent, from which `deliver-msgs` takes the messages addressed to one node (etcd-io/raft's
 * `env.Messages`). Messages are never reordered; they are lost when the network says so:
 *
 * - a partition (`partition (1) (2,3)`) cuts every pair of nodes in different groups; a node
 *   named in no group is cut off from everyone. `heal` removes the partition.
 * - a crashed node receives nothing.
 *
 * Loss is decided at delivery time, as a real network loses a message in flight; whatever is
 * still in flight across a partition when it heals is lost too.
 */
import type { Message, RaftNodeId } from '../../../../kv/raft/index.js';

export class Network {
  private queue: Message[] = [];
  /** Node id → group number while partitioned; undefined when the network is whole. */
  private groups: Map<RaftNodeId, number> | undefined;

  send(messages: readonly Message[]): void {
    for (const m of messages) this.queue.push(m);
  }

  /** Removes and returns, in order, the messages in flight to `to`. */
  take(to: RaftNodeId): Message[] {
    const taken = this.queue.filter((m) => m.to === to);
    this.queue = this.queue.filter((m) => m.to !== to);
    return taken;
  }

  /** Removes and returns the messages in flight from `from` to `to`. */
  takeBetween(from: RaftNodeId, to: RaftNodeId): Message[] {
    const taken = this.queue.filter((m) => m.to === to && m.from === from);
    this.queue = this.queue.filter((m) => !(m.to === to && m.from === from));
    return taken;
  }

  /** Whether any message is in flight to `to`. */
  hasMessagesTo(to: RaftNodeId): boolean {
    return this.queue.some((m) => m.to === to);
  }

  partition(groups: readonly (readonly RaftNodeId[])[]): void {
    this.groups = new Map();
    groups.forEach((group, i) => {
      for (const id of group) this.groups!.set(id, i);
    });
  }

  /**
   * Removes the partition. Messages still in flight across it were lost in it: they are removed
   * and returned, so that nothing sent into the void arrives after the heal.
   */
  heal(): Message[] {
    const lost = this.queue.filter((m) => this.cut(m.from, m.to));
    this.queue = this.queue.filter((m) => !this.cut(m.from, m.to));
    this.groups = undefined;
    return lost;
  }

  /** Whether the partition cuts `from` off from `to`. */
  cut(from: RaftNodeId, to: RaftNodeId): boolean {
    if (this.groups === undefined) return false;
    const a = this.groups.get(from);
    const b = this.groups.get(to);
    return a === undefined || b === undefined || a !== b;
  }
}
