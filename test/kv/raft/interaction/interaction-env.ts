/**
 * The Raft interaction harness (etcd-io/raft's `rafttest.InteractionEnv`): N in-process
 * `RawNode`s with `MemoryStorage`s, one network queue, and a command language to drive them step
 * by step. Every case of a testdata file is one command (the directive) plus, optionally, further
 * commands on the following lines; its output is the log of everything that happened: the
 * core's event lines (through `RaftConfig.logger`), every Ready handled and every message
 * delivered or dropped.
 *
 *   add-nodes N [voters=(1,2,3)] [learners=(4)] [index=I] [content=DATA] [prevote=true]
 *       [checkquorum=true] [inflight=N] [max-msg-bytes=N] [max-uncommitted-bytes=N]
 *       [election=10] [heartbeat=1]
 *                          N new nodes with the next ids; with voters/learners they are
 *                          bootstrapped from a snapshot at index I (term 1, data DATA), else
 *                          they start empty (to be added by a conf change, caught up by snapshot)
 *   campaign ID            RawNode.campaign()
 *   propose ID DATA        RawNode.propose(); a refusal prints the ProposalDroppedError
 *   propose-conf-change ID [transition=simple|auto|explicit] v4 l5 r2
 *                          v: add voter, l: add learner, r: remove; no change: leave joint.
 *                          Changes may also follow on input lines. Default transition: simple
 *                          for one change, auto for several.
 *   tick ID N | tick-election ID | tick-heartbeat ID
 *                          N ticks | electionTicks ticks | heartbeatTicks ticks. The election
 *                          timeout is drawn from [E, 2E): two tick-elections always time out.
 *   process-ready ID…      handle one Ready of each node (node.ts says how)
 *   deliver-msgs [ID…] [drop=(FROM,TO)]
 *                          drop what is in flight from FROM to TO, then deliver everything in
 *                          flight to each ID (to every node if neither is given)
 *   stabilize [ID…]        process-ready and deliver-msgs in rounds until nothing happens
 *   partition (1) (2,3)    cut the network between groups (a node in no group is isolated)
 *   heal                   remove the partition; messages in flight across it are lost
 *   crash ID | restart ID  lose the RawNode and state machine | rebuild them from storage
 *                          (messages sent to a crashed node are lost)
 *   crash-mid-ready ID     take a Ready, send its messagesBeforePersist, crash before persisting
 *   compact ID INDEX       snapshot the state machine at INDEX and compact the log up to it
 *                          (the first index becomes INDEX+1)
 *   transfer-leadership from=ID to=ID
 *   read-index ID CONTEXT  RawNode.readIndex(); the ReadState shows up in a Ready
 *   report-unreachable ID TARGET
 *   status ID | raft-log ID | raft-state | state-machine ID
 *   log-level none|info|debug
 *
 * Like a transport, the harness reports every MsgSnap to its sender: `finish` once delivered,
 * `failure` when lost (RawNode.reportSnapshot's contract). Election jitter comes from a
 * SeededRandom per node (seed = 1000·id + restarts), so every run prints the same log.
 */
import { RangedbError } from '../../../../src/base/errors.js';
import { decodeConfChange, MemoryStorage, type ConfChange, type ConfChangeSingle, type Message, type RaftNodeId } from '../../../../kv/raft/index.js';
import type { TestCase } from '../../../support/datadriven.js';
import { Args, parseIdList } from './args.js';
import { fmtConfState, fmtEntry, fmtMessage } from './format.js';
import { Network } from './network.js';
import { HarnessNode, type NodeOptions } from './node.js';
import { Output, parseLogLevel } from './output.js';

const encoder = new TextEncoder();

const roleNames = { follower: 'StateFollower', preCandidate: 'StatePreCandidate', candidate: 'StateCandidate', leader: 'StateLeader' } as const;
const progressNames = { probe: 'StateProbe', replicate: 'StateReplicate', snapshot: 'StateSnapshot' } as const;

export class InteractionEnv {
  private readonly nodes = new Map<RaftNodeId, HarnessNode>();
  private readonly network = new Network();
  private readonly out = new Output();

  private readonly handlers: Readonly<Record<string, (args: Args) => void>> = {
    'add-nodes': (a) => this.addNodes(a),
    campaign: (a) => this.node(a.int(0)).node.campaign(),
    propose: (a) => this.guard(() => this.node(a.int(0)).node.propose(encoder.encode(a.string(1)))),
    'propose-conf-change': (a) => this.proposeConfChange(a, []),
    tick: (a) => this.tick(a.int(0), a.int(1)),
    'tick-election': (a) => this.tick(a.int(0), this.node(a.int(0)).options.electionTicks),
    'tick-heartbeat': (a) => this.tick(a.int(0), this.node(a.int(0)).options.heartbeatTicks),
    'process-ready': (a) => this.processReadyCommand(a.ints()),
    'deliver-msgs': (a) => this.deliverMsgsCommand(a),
    stabilize: (a) => this.stabilize(a.ints()),
    partition: (a) => this.network.partition(a.positional.map(parseIdList)),
    heal: () => this.heal(),
    crash: (a) => this.node(a.int(0)).crash(),
    'crash-mid-ready': (a) => this.node(a.int(0)).crashMidReady((messages) => this.network.send(messages)),
    restart: (a) => this.restart(a.int(0)),
    compact: (a) => this.compact(a.int(0), a.int(1)),
    'transfer-leadership': (a) => this.transferLeadership(a),
    'read-index': (a) => this.guard(() => this.node(a.int(0)).node.readIndex(encoder.encode(a.string(1)))),
    'report-unreachable': (a) => this.node(a.int(0)).node.reportUnreachable(a.int(1)),
    status: (a) => this.status(a.int(0)),
    'raft-log': (a) => this.raftLog(a.int(0)),
    'raft-state': () => this.raftState(),
    'state-machine': (a) => this.out.always(`${a.int(0)}: ${this.node(a.int(0)).describeStateMachine()}`),
    'log-level': (a) => {
      this.out.level = parseLogLevel(a.string(0));
    },
  };

  /** Runs one case and returns its output (`ok` if it printed nothing). */
  handle(testCase: TestCase): string {
    const first = new Args(testCase.directive);
    if (first.name === 'propose-conf-change') {
      this.proposeConfChange(first, testCase.input);
    } else {
      for (const line of [testCase.directive, ...testCase.input]) this.run(new Args(line));
    }
    return this.out.take();
  }

  private run(args: Args): void {
    const handler = this.handlers[args.name];
    if (handler === undefined) throw new Error(`unknown command '${args.name}' in '${args.text}'`);
    handler(args);
    args.checkAllUsed();
  }

  /** Runs a core call that may refuse with an operating error, printing the refusal. */
  private guard(call: () => void): void {
    try {
      call();
    } catch (error) {
      if (!(error instanceof RangedbError)) throw error;
      this.out.always(`${error.name}: ${error.message}`);
    }
  }

  private node(id: RaftNodeId): HarnessNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  private sortedNodes(ids: readonly RaftNodeId[]): HarnessNode[] {
    const all = [...this.nodes.values()].sort((a, b) => a.id - b.id);
    return ids.length === 0 ? all : ids.map((id) => this.node(id));
  }

  // ── building the cluster ─────────────────────────────────────────────────────────────────

  private addNodes(a: Args): void {
    const count = a.int(0);
    const voters = a.list('voters');
    const learners = a.list('learners');
    const index = a.intOr('index', voters.length + learners.length > 0 ? 1 : 0);
    const content = a.get('content') ?? '';
    const options: NodeOptions = {
      electionTicks: a.intOr('election', 10),
      heartbeatTicks: a.intOr('heartbeat', 1),
      preVote: a.bool('prevote'),
      checkQuorum: a.bool('checkquorum'),
      maxInflightMessages: a.intOr('inflight', undefined),
      maxMessageBytes: a.intOr('max-msg-bytes', undefined),
      maxUncommittedEntriesBytes: a.intOr('max-uncommitted-bytes', undefined),
    };
    for (let i = 0; i < count; i++) {
      const id = this.nodes.size + 1;
      const storage = new MemoryStorage();
      if (index > 0) {
        const confState = { voters, learners, votersOutgoing: [], learnersNext: [], autoLeave: false };
        storage.applySnapshot({ metadata: { index, term: 1, confState }, data: encoder.encode(content) });
      }
      this.nodes.set(id, new HarnessNode(id, storage, options, this.out));
    }
  }

  // ── driving it ───────────────────────────────────────────────────────────────────────────

  private proposeConfChange(a: Args, inputLines: readonly string[]): void {
    const tokens = [...a.positional.slice(1), ...inputLines.flatMap((l) => l.split(/\s+/))].filter((t) => t !== '');
    const changes = tokens.map(parseChange);
    const transition = a.get('transition') ?? (changes.length > 1 ? 'auto' : 'simple');
    if (transition !== 'simple' && transition !== 'auto' && transition !== 'explicit') throw new Error(`unknown transition ${transition}`);
    const cc: ConfChange = { changes, transition };
    this.guard(() => this.node(a.int(0)).node.proposeConfChange(cc));
    a.checkAllUsed();
  }

  private tick(id: RaftNodeId, count: number): void {
    const node = this.node(id).node;
    for (let i = 0; i < count; i++) node.tick();
  }

  private transferLeadership(a: Args): void {
    const from = a.intOr('from', undefined);
    const to = a.intOr('to', undefined);
    if (from === undefined || to === undefined) throw new Error('transfer-leadership needs from= and to=');
    this.node(from).node.transferLeadership(to);
  }

  private compact(id: RaftNodeId, index: number): void {
    this.node(id).compact(index);
    this.raftLog(id);
  }

  /** Restarts a crashed node; what was sent to it while it was down is lost. */
  private restart(id: RaftNodeId): void {
    for (const m of this.network.take(id)) this.lose(m);
    this.node(id).start();
  }

  private heal(): void {
    for (const m of this.network.heal()) this.lose(m);
  }

  /**
   * A message the network lost. The transport reports the fate of every snapshot it was handed
   * to the sender (the `reportSnapshot` contract): a lost one as a failure.
   */
  private lose(m: Message): void {
    this.out.debug(`dropped: ${fmtMessage(m, decodeConfChange)}`);
    if (m.type === 'MsgSnap') this.reportSnapshot(m.from, m.to, 'failure');
  }

  private reportSnapshot(from: RaftNodeId, to: RaftNodeId, status: 'finish' | 'failure'): void {
    const sender = this.node(from);
    if (!sender.down) sender.node.reportSnapshot(to, status);
  }

  private processReadyCommand(ids: readonly RaftNodeId[]): void {
    if (ids.length === 1) {
      this.processReady(this.node(ids[0]!));
      return;
    }
    for (const node of this.sortedNodes(ids)) this.out.section(`> ${node.id} handling Ready`, () => this.processReady(node));
  }

  private processReady(node: HarnessNode): void {
    if (node.down || !node.node.hasReady()) {
      this.out.debug(node.down ? `${node.id} is down` : 'no Ready');
      return;
    }
    node.processReady((messages) => this.network.send(messages));
  }

  private deliverMsgsCommand(a: Args): void {
    const ids = a.ints();
    const drop = a.get('drop');
    let handled = 0;
    if (drop !== undefined) {
      const [from, to] = parseIdList(drop);
      if (from === undefined || to === undefined) throw new Error(`drop=(FROM,TO) expected, got ${drop}`);
      for (const m of this.network.takeBetween(from, to)) {
        this.lose(m);
        handled++;
      }
    }
    const targets = ids.length === 0 && drop === undefined ? this.sortedNodes([]).map((n) => n.id) : ids;
    for (const id of targets) handled += this.deliver(id);
    if (handled === 0) this.out.debug('no messages');
  }

  /** Delivers (or loses, across a partition or to a crashed node) everything in flight to `id`. */
  private deliver(id: RaftNodeId): number {
    const node = this.node(id);
    const messages = this.network.take(id);
    for (const m of messages) {
      if (node.down || this.network.cut(m.from, m.to)) {
        this.lose(m);
        continue;
      }
      this.out.debug(fmtMessage(m, decodeConfChange));
      this.guard(() => node.node.step(m));
      if (m.type === 'MsgSnap') this.reportSnapshot(m.from, m.to, 'finish');
    }
    return messages.length;
  }

  /** Rounds of Ready handling and delivery until a fixed point (etcd's `Stabilize`). */
  private stabilize(ids: readonly RaftNodeId[]): void {
    const nodes = this.sortedNodes(ids);
    for (let round = 0; ; round++) {
      if (round >= 1000) throw new Error('stabilize did not reach a fixed point in 1000 rounds');
      let done = true;
      for (const node of nodes) {
        if (node.down || !node.node.hasReady()) continue;
        this.out.section(`> ${node.id} handling Ready`, () => this.processReady(node));
        done = false;
      }
      for (const node of nodes) {
        if (!this.network.hasMessagesTo(node.id)) continue;
        this.out.section(`> ${node.id} receiving messages`, () => this.deliver(node.id));
        done = false;
      }
      if (done) return;
    }
  }

  // ── queries ──────────────────────────────────────────────────────────────────────────────

  private status(id: RaftNodeId): void {
    const node = this.node(id);
    if (node.down) {
      this.out.always(`${id} is down`);
      return;
    }
    const s = node.node.status();
    let line = `${id}: ${roleNames[s.role]} Term:${s.term} Vote:${s.vote} Lead:${s.leader} Commit:${s.commit} Applied:${s.applied} LastIndex:${s.lastIndex}`;
    if (s.leadTransferee !== 0) line += ` LeadTransferee:${s.leadTransferee}`;
    this.out.always(line);
    this.out.always(`Config: ${fmtConfState(s.config)}`);
    if (s.progress === undefined) return;
    this.out.always(`Quiescable: ${node.node.isQuiescable()}`);
    for (const [peer, pr] of s.progress) {
      let row = `${peer}: ${progressNames[pr.state]} match=${pr.match} next=${pr.next}`;
      if (pr.isLearner) row += ' learner';
      if (pr.inflight > 0) row += ` inflight=${pr.inflight}`;
      if (pr.paused) row += ' paused';
      if (pr.pendingSnapshot > 0) row += ` pendingSnap=${pr.pendingSnapshot}`;
      if (!pr.recentActive) row += ' inactive';
      this.out.always(row);
    }
  }

  private raftLog(id: RaftNodeId): void {
    const storage = this.node(id).storage;
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    if (first > last) {
      this.out.always(`log is empty: first index=${first}, last index=${last}`);
      return;
    }
    for (const entry of storage.entries(first, last + 1, Number.MAX_SAFE_INTEGER)) this.out.always(fmtEntry(entry, decodeConfChange));
  }

  private raftState(): void {
    for (const node of this.sortedNodes([])) {
      if (node.down) {
        this.out.always(`${node.id}: down`);
        continue;
      }
      const s = node.node.status();
      const member = s.config.voters.includes(node.id) || s.config.votersOutgoing.includes(node.id) ? 'Voter' : s.config.learners.includes(node.id) ? 'Learner' : 'NonMember';
      this.out.always(`${node.id}: ${roleNames[s.role]} (${member}) Term:${s.term} Lead:${s.leader}`);
    }
  }
}

function parseChange(token: string): ConfChangeSingle {
  const kinds = { v: 'addNode', l: 'addLearner', r: 'removeNode' } as const;
  const kind = kinds[token[0] as keyof typeof kinds];
  const nodeId = Number(token.slice(1));
  if (kind === undefined || !Number.isSafeInteger(nodeId)) throw new Error(`conf change ${token}: expected v<id>, l<id> or r<id>`);
  return { type: kind, nodeId };
}
