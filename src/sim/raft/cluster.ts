/**
 * The simulated cluster: its nodes (bootstrap, creation, ticks, crashes, restarts, the replica
 * GC), the inputs they step, and the network between them playing the transport's part
 * (snapshot and unreachable reports). Each node's Ready pipeline is ready-pipeline.ts; the
 * workload (workload.ts) drives the cluster; the simulation (simulation.ts) runs the phases and
 * the final checks.
 */
import { assert } from '../../base/assert.js';
import { ProposalDroppedError, type Message, type RaftNodeId, type Snapshot } from '../../../kv/raft/index.js';
import { SeededRandom } from '../../env/random.js';
import { SafetyChecker, SimViolation } from './checker.js';
import { describeMessage, messageFields } from './describe.js';
import { SimNetwork, type LossReason } from './network.js';
import { SimNode, type NodeInput } from './node.js';
import type { SimOptions } from './options.js';
import { ReadyPipeline, type ClusterStats, type CrashPoint, type PendingRead, type PipelineHost } from './ready-pipeline.js';
import { Scheduler } from './scheduler.js';
import { StateMachine } from './state-machine.js';
import { Trace } from './trace.js';

export class Cluster implements PipelineHost {
  readonly scheduler = new Scheduler();
  readonly trace: Trace;
  readonly checker = new SafetyChecker();
  readonly nodes = new Map<RaftNodeId, SimNode>();
  readonly network: SimNetwork;
  /** Decisions of the pipeline (sync delays, tick jitter); the workload has its own stream. */
  readonly random: SeededRandom;
  readonly pipeline = new ReadyPipeline(this);
  /** Every value applied anywhere (hence committed), and those a client saw acknowledged. */
  readonly appliedValues = new Set<number>();
  readonly acknowledged = new Set<number>();
  readonly reads = new Map<number, PendingRead>();
  readonly armedCrashes = new Map<RaftNodeId, CrashPoint>();
  /** Crashed nodes come back by themselves while faults are on. */
  autoRestart = true;
  readonly stats: ClusterStats = {
    readies: 0,
    delivered: 0,
    lost: 0,
    crashes: 0,
    crashesInReady: 0,
    proposals: 0,
    proposalsDropped: 0,
    confChangesProposed: 0,
    confChangesApplied: 0,
    snapshotsInstalled: 0,
    compactions: 0,
    readsServed: 0,
  };

  constructor(
    readonly options: SimOptions,
    traceSink?: (line: string) => void,
  ) {
    this.trace = new Trace(traceSink);
    this.random = new SeededRandom(options.seed * 31 + 1);
    const netRandom = new SeededRandom(options.seed * 31 + 2);
    this.network = new SimNetwork(this.scheduler, netRandom, { ...options.network }, {
      deliver: (m, duplicate) => this.deliver(m, duplicate),
      lost: (m, reason) => this.lost(m, reason),
    });
  }

  get now(): number {
    return this.scheduler.now;
  }

  /**
   * The checks cheap enough to run after every event, over every node: a node never applied
   * what its disk cannot show committed (applied ≤ durable commit ≤ durable last index) — after
   * a crash it must be able to prove everything it applied.
   */
  checkAfterStep(): void {
    for (const node of this.nodes.values()) {
      if (!node.isUp) continue;
      const durable = node.disk.durable;
      const commit = durable.initialState().hardState.commit;
      if (node.machine.appliedIndex > commit) {
        throw new SimViolation('durability', `node ${node.id} applied index ${node.machine.appliedIndex} beyond its durable commit index ${commit}`);
      }
      if (commit > durable.lastIndex()) {
        throw new SimViolation('durability', `node ${node.id} has durable commit index ${commit} beyond its durable log (last ${durable.lastIndex()})`);
      }
    }
  }

  // ── membership of the simulation ─────────────────────────────────────────────────────────

  /** Creates the initial voters 1..n from one bootstrap snapshot (index 1, term 1) and starts them. */
  bootstrap(): void {
    const voters = Array.from({ length: this.options.nodeCount }, (_, i) => i + 1);
    const machine = new StateMachine();
    machine.apply({ index: 1, term: 1, type: 'normal', data: new Uint8Array(0) });
    const snapshot: Snapshot = {
      metadata: { index: 1, term: 1, confState: { voters, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
      data: machine.encode(1),
    };
    for (const id of voters) {
      const node = new SimNode(id, this.options);
      node.bootstrap(snapshot, 1);
      this.nodes.set(id, node);
      this.startNode(node);
    }
  }

  /** Creates and starts a node with empty storage, to be added by a conf change. */
  createNode(id: RaftNodeId): SimNode {
    assert(!this.nodes.has(id), () => `node ${id} exists`);
    const node = new SimNode(id, this.options);
    this.nodes.set(id, node);
    this.trace.record(this.now, [300, id], () => `n${id} created (empty)`);
    this.startNode(node);
    return node;
  }

  private startNode(node: SimNode): void {
    node.start((line) => this.trace.note(this.now, line));
    const snapshot = node.disk.durable.snapshot();
    this.pipeline.restoreMachine(node, snapshot, 'restored at start');
    this.startTicking(node);
  }

  private startTicking(node: SimNode): void {
    const incarnation = node.incarnation;
    const interval = this.options.tickInterval;
    const loop = (): void => {
      if (node.incarnation !== incarnation || !node.isUp) return;
      this.trace.recordQuietly(this.now, [200, node.id]);
      this.maybeRetire(node);
      if (!node.isUp) return;
      this.input(node, { kind: 'tick' });
      this.scheduler.schedule(interval - 1 + this.random.int(3), loop);
    };
    this.scheduler.schedule(1 + this.random.int(interval), loop);
  }

  /** The up node that believes it leads the highest term, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const node of this.nodes.values()) {
      if (node.isUp && node.role === 'leader' && (best === undefined || node.term > best.term)) best = node;
    }
    return best;
  }

  upNodes(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.isUp);
  }

  // ── crashes ──────────────────────────────────────────────────────────────────────────────

  crash(node: SimNode, where: string): void {
    if (!node.isUp) return;
    if (node.role === 'leader') this.checker.leaderGone(node.id);
    this.armedCrashes.delete(node.id);
    const lostWrites = node.crash();
    this.stats.crashes++;
    this.trace.record(this.now, [301, node.id, lostWrites], () => `n${node.id} CRASH ${where} (${lostWrites} unsynced writes lost)`);
    if (this.autoRestart) {
      this.scheduler.schedule(20 + this.random.int(400), () => {
        if (node.status === 'down' && this.autoRestart) this.restart(node);
      });
    }
  }

  restart(node: SimNode): void {
    assert(node.status === 'down', 'restarting a node that is not down');
    const hs = node.disk.durable.initialState().hardState;
    this.trace.record(this.now, [302, node.id, hs.term, hs.commit], () => `n${node.id} RESTART t${hs.term} vote ${hs.vote} commit ${hs.commit}`);
    this.startNode(node);
  }

  /** Arms a crash that strikes `node` at a given step of its next Ready. */
  armCrash(node: SimNode, point: CrashPoint): void {
    this.armedCrashes.set(node.id, point);
    this.trace.record(this.now, [303, node.id], () => `n${node.id} crash armed ${point}`);
  }

  /** Crashes `node` if a crash is armed for `point` of its Ready pipeline. */
  crashIfArmed(node: SimNode, point: CrashPoint): boolean {
    if (this.armedCrashes.get(node.id) !== point) return false;
    this.stats.crashesInReady++;
    this.crash(node, `in Ready ${point}`);
    return true;
  }

  // ── inputs ───────────────────────────────────────────────────────────────────────────────

  /** Hands an input to a node: stepped now, or queued while its Ready is in flight. */
  input(node: SimNode, input: NodeInput): void {
    if (!node.isUp) return;
    if (node.inFlight !== undefined && !this.options.stepWhileBusy) {
      node.inbox.push(input);
      return;
    }
    this.stepInput(node, input);
    this.pump(node);
  }

  private stepInput(node: SimNode, input: NodeInput): void {
    const raw = node.raw!;
    try {
      switch (input.kind) {
        case 'message':
          raw.step(input.message);
          return;
        case 'tick':
          raw.tick();
          return;
        case 'propose':
          this.stats.proposals++;
          raw.propose(input.data);
          node.awaiting.add(input.value);
          return;
        case 'confChange':
          this.stats.confChangesProposed++;
          raw.proposeConfChange(input.change);
          return;
        case 'transfer':
          raw.transferLeadership(input.transferee);
          return;
        case 'campaign':
          raw.campaign();
          return;
        case 'readIndex':
          raw.readIndex(readContext(input.readId));
          return;
        case 'reportSnapshot':
          raw.reportSnapshot(input.peer, input.ok ? 'finish' : 'failure');
          return;
        case 'reportUnreachable':
          raw.reportUnreachable(input.peer);
          return;
      }
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
      this.stats.proposalsDropped++;
      if (input.kind === 'readIndex') this.reads.delete(input.readId);
      this.trace.record(this.now, [304, node.id], () => `n${node.id} ${input.kind} dropped: ${error.reason}`);
    }
  }

  /** Steps queued inputs, then starts the next Ready if there is work. */
  pump(node: SimNode): void {
    while (node.isUp && node.inFlight === undefined) {
      const next = node.inbox.shift();
      if (next !== undefined) {
        this.stepInput(node, next);
        continue;
      }
      if (node.raw!.hasReady()) this.pipeline.start(node);
      return;
    }
  }

  /**
   * The replica GC: a node that applied its own removal is destroyed once every voter of the
   * configuration that removed it has applied that change too — not before, because with
   * configurations taking effect when applied, a voter that has not applied it still counts
   * the removed node's vote, and would wait forever for a node already gone (CockroachDB's
   * replica GC likewise confirms the removal with the new configuration before destroying).
   */
  private maybeRetire(node: SimNode): void {
    if (node.removedAt === 0 || node.inFlight !== undefined) return;
    const cs = node.confState;
    for (const id of [...cs.voters, ...cs.votersOutgoing]) {
      const voter = this.nodes.get(id);
      if (voter === undefined || !voter.isUp || voter.machine.appliedIndex < node.removedAt) return;
    }
    this.retire(node);
  }

  private retire(node: SimNode): void {
    if (node.role === 'leader') this.checker.leaderGone(node.id);
    this.armedCrashes.delete(node.id);
    node.retire();
    this.trace.record(this.now, [305, node.id], () => `n${node.id} RETIRED (removed from the group)`);
  }

  /** Registers a linearizable read about to be requested at `node`. */
  registerRead(node: SimNode, readId: number): void {
    this.reads.set(readId, { node: node.id, minIndex: this.checker.highestDecided });
  }

  // ── the network ──────────────────────────────────────────────────────────────────────────

  /** Sends a message from a node's Ready (election safety notes who acts as leader). */
  send(m: Message): void {
    if (m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap') this.checker.leaderSpoke(m.from, m.term);
    this.network.send(m);
  }

  private deliver(m: Message, duplicate: boolean): void {
    const node = this.nodes.get(m.to);
    if (node === undefined || !node.isUp) {
      this.lost(m, 'down');
      return;
    }
    this.stats.delivered++;
    this.trace.record(this.now, messageFields(m), () => `${duplicate ? 'dup ' : ''}${describeMessage(m)}`);
    this.input(node, { kind: 'message', message: m });
    if (m.type === 'MsgSnap' && !duplicate) this.report(m.from, { kind: 'reportSnapshot', peer: m.to, ok: true });
  }

  private lost(m: Message, reason: LossReason | 'down'): void {
    this.stats.lost++;
    this.trace.record(this.now, [-1, ...messageFields(m)], () => `LOST (${reason}) ${describeMessage(m)}`);
    if (m.type === 'MsgSnap') this.report(m.from, { kind: 'reportSnapshot', peer: m.to, ok: false });
    else if (reason !== 'drop' && this.random.float() < this.options.reportUnreachableRate) {
      this.report(m.from, { kind: 'reportUnreachable', peer: m.to });
    }
  }

  /** The transport tells the sender how a send went. */
  private report(from: RaftNodeId, input: NodeInput): void {
    const sender = this.nodes.get(from);
    if (sender !== undefined && sender.isUp) this.input(sender, input);
  }
}

export function readContext(readId: number): Uint8Array {
  const context = new Uint8Array(4);
  new DataView(context.buffer).setUint32(0, readId);
  return context;
}
