/**
 * The workload and the faults, composed (FoundationDB's workloads): clients proposing unique
 * values and requesting linearizable reads, membership changes (learners, promotions, removals,
 * joint changes), leadership transfers and log compactions, mixed with crashes (at random times,
 * or armed to strike inside a node's Ready pipeline) and partitions that form and heal. Each is
 * a loop of events on the scheduler with its own mean interval from `SimOptions`; all of them
 * stop when the simulation enters its quiet phase.
 */
import type { ConfChange, ConfChangeSingle, ConfState, RaftNodeId } from '../../../kv/raft/index.js';
import { SeededRandom } from '../../env/random.js';
import type { Cluster } from './cluster.js';
import type { CrashPoint } from './ready-pipeline.js';
import { cutLinks } from './network.js';
import type { SimNode } from './node.js';
import { encodeValue } from './state-machine.js';

/** The most members (voters and learners) the workload grows a group to. */
const membersMax = 7;

export class Workload {
  private readonly random: SeededRandom;
  private active = true;
  private nextValue = 1;
  private nextReadId = 1;
  private nextNodeId: RaftNodeId;

  constructor(private readonly cluster: Cluster) {
    this.random = new SeededRandom(cluster.options.seed * 31 + 3);
    this.nextNodeId = cluster.options.nodeCount + 1;
  }

  start(): void {
    const o = this.cluster.options;
    this.loop(o.proposeInterval, () => this.propose());
    this.loop(o.proposeInterval * 4, () => this.read());
    this.loop(o.crashInterval, () => this.crash());
    this.loop(o.partitionInterval, () => this.partition());
    this.loop(o.confChangeInterval, () => this.changeMembership());
    this.loop(o.transferInterval, () => this.transfer());
    this.loop(o.campaignInterval, () => this.campaign());
    this.loop(o.compactInterval, () => this.compact());
  }

  /** Stops every loop (the quiet phase). */
  stop(): void {
    this.active = false;
  }

  /** Runs `action` at intervals drawn uniformly around `mean`, while active (mean 0: never). */
  private loop(mean: number, action: () => void): void {
    if (mean <= 0) return;
    const next = (): void => {
      if (!this.active) return;
      action();
      this.cluster.scheduler.schedule(1 + this.random.int(2 * mean), next);
    };
    this.cluster.scheduler.schedule(1 + this.random.int(2 * mean), next);
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.random.int(items.length)];
  }

  /** A leader usually; any node sometimes (followers forward, or drop without a leader). */
  private target(): SimNode | undefined {
    const leader = this.cluster.leader();
    if (leader !== undefined && this.random.float() < 0.7) return leader;
    return this.pick(this.cluster.upNodes());
  }

  private propose(): void {
    const node = this.target();
    if (node === undefined) return;
    const count = this.random.float() < 0.2 ? 1 + this.random.int(8) : 1;
    for (let i = 0; i < count; i++) {
      const value = this.nextValue++;
      const padding = this.random.float() < 0.1 ? this.random.int(600) : this.random.int(40);
      this.cluster.trace.record(this.cluster.now, [400, node.id, value], () => `client proposes v${value} at n${node.id}`);
      this.cluster.input(node, { kind: 'propose', value, data: encodeValue(value, padding) });
    }
  }

  private read(): void {
    const node = this.target();
    if (node === undefined) return;
    const readId = this.nextReadId++;
    this.cluster.registerRead(node, readId);
    this.cluster.trace.record(this.cluster.now, [401, node.id, readId], () => `client reads r${readId} at n${node.id}`);
    this.cluster.input(node, { kind: 'readIndex', readId });
  }

  private crash(): void {
    const node = this.pick(this.cluster.upNodes());
    if (node === undefined) return;
    if (this.random.float() < this.cluster.options.crashInReadyRate) {
      const points: CrashPoint[] = ['afterWrite', 'afterSync', 'midSend'];
      this.cluster.armCrash(node, points[this.random.int(points.length)]!);
    } else {
      this.cluster.crash(node, 'at a random time');
    }
  }

  private partition(): void {
    const ids = [...this.cluster.nodes.keys()];
    const network = this.cluster.network;
    let side: RaftNodeId[];
    const shape = this.random.int(3);
    if (shape === 0) side = [this.pick(ids)!];
    else side = ids.filter(() => this.random.float() < 0.5);
    const others = ids.filter((id) => !side.includes(id));
    if (side.length === 0 || others.length === 0) return;
    const oneWay = shape === 2;
    const description = `${oneWay ? 'one-way ' : ''}[${side.join(' ')}] | [${others.join(' ')}]`;
    const partition = network.partition(cutLinks(side, others, oneWay), description);
    this.cluster.trace.record(this.cluster.now, [402, partition.id, side.length, oneWay ? 1 : 0], () => `PARTITION #${partition.id} ${description}`);
    const heal = 50 + this.random.int(2 * Math.max(this.cluster.options.partitionInterval, 100));
    this.cluster.scheduler.schedule(heal, () => {
      network.heal(partition.id);
      this.cluster.trace.record(this.cluster.now, [403, partition.id], () => `HEAL #${partition.id}`);
    });
  }

  private transfer(): void {
    const leader = this.cluster.leader();
    if (leader === undefined) return;
    const transferee = this.pick(leader.confState.voters.filter((id) => id !== leader.id));
    if (transferee === undefined) return;
    const via = this.random.float() < 0.7 ? leader : this.pick(this.cluster.upNodes())!;
    this.cluster.trace.record(this.cluster.now, [404, via.id, transferee], () => `transfer leadership to n${transferee} via n${via.id}`);
    this.cluster.input(via, { kind: 'transfer', transferee });
  }

  /** A node campaigns out of turn (as a test or a bootstrap would make it). */
  private campaign(): void {
    const node = this.pick(this.cluster.upNodes());
    if (node === undefined) return;
    this.cluster.trace.record(this.cluster.now, [408, node.id], () => `n${node.id} told to campaign`);
    this.cluster.input(node, { kind: 'campaign' });
  }

  private compact(): void {
    const node = this.pick(this.cluster.upNodes().filter((n) => n.inFlight === undefined));
    if (node === undefined) return;
    const keep = this.random.int(8);
    const done = node.compact(keep);
    if (done === undefined) return;
    this.cluster.stats.compactions++;
    this.cluster.trace.record(this.cluster.now, [405, node.id, done.snapshotIndex, done.compactIndex], () => `n${node.id} snapshot at ${done.snapshotIndex}, log compacted to ${done.compactIndex}`);
  }

  private changeMembership(): void {
    const leader = this.cluster.leader();
    if (leader === undefined) return;
    const change = this.chooseChange(leader.confState);
    if (change === undefined) return;
    const successor = removesLeader(change, leader.id, leader.confState);
    if (successor !== undefined && !this.cluster.options.leaderRemovesItself) {
      // A leader does not remove itself (CockroachDB's rule for the leaseholder): it hands
      // leadership over first, and the next leader makes the change.
      if (successor === 0) return;
      this.cluster.trace.record(this.cluster.now, [407, leader.id, successor], () => `n${leader.id} would remove itself: transfer leadership to n${successor} first`);
      this.cluster.input(leader, { kind: 'transfer', transferee: successor });
      return;
    }
    const label = describeChange(change);
    this.cluster.trace.record(this.cluster.now, [406, leader.id, change.changes.length], () => `propose conf change at n${leader.id}: ${label}`);
    this.cluster.input(leader, { kind: 'confChange', change, label });
  }

  /** A change that fits `cs` (now and then one the leader must refuse). */
  private chooseChange(cs: ConfState): ConfChange | undefined {
    const r = this.random;
    if (cs.votersOutgoing.length > 0) return { changes: [], transition: 'simple' }; // leave the joint config
    const members = cs.voters.length + cs.learners.length;
    const learner = this.pick(cs.learners);
    const voter = this.pick(cs.voters);
    const joint = (): 'auto' | 'explicit' => (r.float() < 0.5 ? 'auto' : 'explicit');
    switch (r.int(8)) {
      case 0: {
        const fresh = members < membersMax ? this.freshNode() : undefined;
        return fresh !== undefined ? this.simple({ type: 'addLearner', nodeId: fresh }) : undefined;
      }
      case 1:
        return learner !== undefined ? this.simple({ type: 'addNode', nodeId: learner }) : undefined;
      case 2: {
        const fresh = members < membersMax ? this.freshNode() : undefined;
        return fresh !== undefined ? this.simple({ type: 'addNode', nodeId: fresh }) : undefined;
      }
      case 3:
        return cs.voters.length > 2 && voter !== undefined ? this.simple({ type: 'removeNode', nodeId: voter }) : undefined;
      case 4:
        return learner !== undefined ? this.simple({ type: 'removeNode', nodeId: learner }) : undefined;
      case 5: {
        // Replace a voter through a joint configuration (the rebalancing move of DESIGN.md §4).
        if (voter === undefined) return undefined;
        const incoming = learner ?? (members < membersMax ? this.freshNode() : undefined);
        if (incoming === undefined) return undefined;
        return { changes: [{ type: 'addNode', nodeId: incoming }, { type: 'removeNode', nodeId: voter }], transition: joint() };
      }
      case 6:
        // Demote a voter to learner through a joint configuration (it becomes a "learner next").
        return cs.voters.length > 2 && voter !== undefined ? { changes: [{ type: 'addLearner', nodeId: voter }], transition: joint() } : undefined;
      default:
        // Two voter changes in one 'simple' change (which enters a joint configuration that
        // leaves itself), or a change the leader must refuse (removing a node that is not a member).
        return r.float() < 0.5 && learner !== undefined && voter !== undefined
          ? { changes: [{ type: 'addNode', nodeId: learner }, { type: 'removeNode', nodeId: voter }], transition: 'simple' }
          : this.simple({ type: 'removeNode', nodeId: 9999 });
    }
  }

  private simple(change: ConfChangeSingle): ConfChange {
    return { changes: [change], transition: 'simple' };
  }

  /**
   * A new node with empty storage, started now so it can take the leader's snapshot; undefined
   * once `nodesMax` nodes exist (ids are never reused: a removed node's id stays retired).
   */
  private freshNode(): RaftNodeId | undefined {
    if (this.nextNodeId > this.cluster.options.nodesMax) return undefined;
    const id = this.nextNodeId++;
    this.cluster.createNode(id);
    return id;
  }
}

export function describeChange(change: ConfChange): string {
  if (change.changes.length === 0) return 'leave joint';
  return `${change.changes.map((c) => `${c.type} ${c.nodeId}`).join(', ')} (${change.transition})`;
}

/**
 * If `change` would take the leader out of the voters (removal, demotion, or leaving a joint
 * configuration it is only outgoing in), a voter to hand leadership to first (0 if none);
 * undefined if the leader stays a voter.
 */
function removesLeader(change: ConfChange, leader: RaftNodeId, cs: ConfState): RaftNodeId | undefined {
  let voters: RaftNodeId[];
  if (change.changes.length === 0) {
    voters = [...cs.voters];
  } else {
    voters = [...cs.voters];
    for (const c of change.changes) {
      if (c.type === 'addNode') voters.push(c.nodeId);
      else voters = voters.filter((id) => id !== c.nodeId);
    }
  }
  if (voters.includes(leader)) return undefined;
  return voters.find((id) => cs.voters.includes(id) || cs.votersOutgoing.includes(id)) ?? 0;
}
