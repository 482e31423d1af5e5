/**
 * The simulated network between the nodes of one Raft group. Each message gets its own random
 * delay, so messages overtake one another (reordering); some are dropped, some delivered twice
 * (duplication); partitions block links — both ways or one way — from the moment they form
 * until they heal, and a message meets the partition both when it is sent and when it arrives
 * (a link cut while a message is in flight loses it).
 *
 * The network owns no node: it hands each message that survives to `deliver`, and tells
 * `lost` about each one it loses, so the cluster can play the transport's part (report an
 * unreachable peer or a failed snapshot to the sender).
 */
import { assert } from '../../base/assert.js';
import type { Message, RaftNodeId } from '../../../kv/raft/index.js';
import type { SeededRandom } from '../../env/random.js';
import type { Scheduler } from './scheduler.js';

/** The fault knobs, changed by the workload and turned off for the final quiet phase. */
export interface NetworkFaults {
  /** Probability that a message is lost. */
  dropRate: number;
  /** Probability that a message is delivered a second time (with its own delay). */
  duplicateRate: number;
  /** Probability that a message is held back up to `delayMax * 10` (strong reordering). */
  stallRate: number;
  delayMin: number;
  delayMax: number;
}

export type LossReason = 'drop' | 'partition';

export interface NetworkHandlers {
  /** A message arrives at `message.to`. */
  deliver(message: Message, duplicate: boolean): void;
  /** A message was lost on the way. */
  lost(message: Message, reason: LossReason): void;
}

/** A set of links blocked together; healing it unblocks them (unless another partition holds them). */
export interface Partition {
  readonly id: number;
  readonly links: readonly (readonly [RaftNodeId, RaftNodeId])[];
  readonly description: string;
}

export class SimNetwork {
  private readonly blocked = new Map<number, number>(); // link code → how many partitions block it
  private readonly partitions = new Map<number, Partition>();
  private nextPartitionId = 1;
  inFlight = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly random: SeededRandom,
    readonly faults: NetworkFaults,
    private readonly handlers: NetworkHandlers,
  ) {}

  /** Sends a message: it arrives after a random delay, unless lost. */
  send(message: Message): void {
    assert(message.from !== message.to, 'a node does not send messages to itself');
    if (this.isBlocked(message.from, message.to)) {
      this.handlers.lost(message, 'partition');
      return;
    }
    if (this.random.float() < this.faults.dropRate) {
      this.handlers.lost(message, 'drop');
      return;
    }
    this.schedule(message, false);
    if (this.random.float() < this.faults.duplicateRate) this.schedule(message, true);
  }

  private schedule(message: Message, duplicate: boolean): void {
    const { delayMin, delayMax } = this.faults;
    let delay = delayMin + this.random.int(delayMax - delayMin + 1);
    if (this.random.float() < this.faults.stallRate) delay += this.random.int(delayMax * 10 + 1);
    this.inFlight++;
    this.scheduler.schedule(delay, () => {
      this.inFlight--;
      if (this.isBlocked(message.from, message.to)) this.handlers.lost(message, 'partition');
      else this.handlers.deliver(message, duplicate);
    });
  }

  isBlocked(from: RaftNodeId, to: RaftNodeId): boolean {
    return this.blocked.has(linkCode(from, to));
  }

  /** Blocks the given one-way links until `heal(id)`. */
  partition(links: readonly (readonly [RaftNodeId, RaftNodeId])[], description: string): Partition {
    const partition: Partition = { id: this.nextPartitionId++, links, description };
    for (const [from, to] of links) {
      const code = linkCode(from, to);
      this.blocked.set(code, (this.blocked.get(code) ?? 0) + 1);
    }
    this.partitions.set(partition.id, partition);
    return partition;
  }

  heal(id: number): void {
    const partition = this.partitions.get(id);
    if (partition === undefined) return;
    this.partitions.delete(id);
    for (const [from, to] of partition.links) {
      const code = linkCode(from, to);
      const count = this.blocked.get(code) ?? 0;
      assert(count > 0, 'healing a link that is not blocked');
      if (count === 1) this.blocked.delete(code);
      else this.blocked.set(code, count - 1);
    }
  }

  healAll(): void {
    for (const id of [...this.partitions.keys()]) this.heal(id);
    assert(this.blocked.size === 0, 'links still blocked after healing every partition');
  }

  get partitionCount(): number {
    return this.partitions.size;
  }
}

function linkCode(from: RaftNodeId, to: RaftNodeId): number {
  assert(from > 0 && from < 0x10000 && to > 0 && to < 0x10000, 'node ids fit in 16 bits');
  return from * 0x10000 + to;
}

/** Links that cut `side` off from `others`, both ways (`oneWay`: only from `side` to `others`). */
export function cutLinks(side: readonly RaftNodeId[], others: readonly RaftNodeId[], oneWay: boolean): [RaftNodeId, RaftNodeId][] {
  const links: [RaftNodeId, RaftNodeId][] = [];
  for (const a of side) {
    for (const b of others) {
      if (a === b) continue;
      links.push([a, b]);
      if (!oneWay) links.push([b, a]);
    }
  }
  return links;
}
