/**
 * A tiny in-memory cluster for the RawNode unit tests: MemoryStorage per node, a message queue,
 * the Ready loop done by the book (persist, send, apply, advance). Deterministic: a seeded
 * random source per node, messages delivered in FIFO order, partitions as a drop filter.
 */
import {
  MemoryStorage,
  RawNode,
  decodeConfChange,
  emptyConfState,
  type ConfState,
  type Entry,
  type Message,
  type RaftConfig,
  type RaftNodeId,
  type Ready,
  type Snapshot,
} from '../../../../kv/raft/index.js';

/** mulberry32: a small seeded PRNG. */
export function seededRandom(seed: number): { int(bound: number): number } {
  let a = seed >>> 0;
  return {
    int(bound: number): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      return Math.floor(r * bound);
    },
  };
}

/** The index of the bootstrap snapshot every initial member starts from. */
export const bootstrapIndex = 1;

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/**
 * Storage whose snapshot is made on demand from the application's state at its applied index
 * with its current configuration (as CockroachDB and etcd's interaction tests do), rather than
 * the last one recorded — so a member added after the last compaction is in it.
 */
export class OnDemandSnapshotStorage extends MemoryStorage {
  current: (() => Snapshot) | undefined;
  override snapshot(): Snapshot {
    return this.current === undefined ? super.snapshot() : this.current();
  }
}

export interface NodeHarness {
  readonly id: RaftNodeId;
  readonly storage: OnDemandSnapshotStorage;
  node: RawNode;
  /** Data of applied normal entries (non-empty ones), in order. */
  readonly applied: string[];
  /** Every committed entry applied, by index, to check that none is applied twice. */
  readonly appliedIndexes: number[];
  confState: ConfState;
  readonly log: string[];
}

export interface ClusterOptions {
  readonly voters?: number[];
  readonly learners?: number[];
  /** Extra node ids that start with empty storage (not yet members). */
  readonly spare?: number[];
  readonly config?: Partial<Omit<RaftConfig, 'id' | 'storage' | 'random'>>;
  readonly seed?: number;
}

export class Cluster {
  readonly nodes = new Map<RaftNodeId, NodeHarness>();
  queue: Message[] = [];
  /** Pairs `from-to` whose messages are dropped. */
  readonly cut = new Set<string>();
  readonly sent: Message[] = [];
  /** Messages for which this returns true are dropped (in addition to `cut`). */
  drop: (m: Message) => boolean = () => false;

  constructor(readonly options: ClusterOptions = {}) {
    const voters = options.voters ?? [1, 2, 3];
    const learners = options.learners ?? [];
    const confState: ConfState = { ...emptyConfState, voters, learners };
    for (const id of [...voters, ...learners]) this.addNode(id, confState);
    for (const id of options.spare ?? []) this.addNode(id, emptyConfState);
  }

  private addNode(id: RaftNodeId, confState: ConfState): void {
    const storage = new OnDemandSnapshotStorage();
    // Bootstrap above index 0 (CockroachDB's raftInitialLogIndex): a member added later starts
    // empty and must be caught up by a snapshot, which carries the configuration.
    if (confState.voters.length > 0) storage.applySnapshot({ metadata: { index: bootstrapIndex, term: 1, confState }, data: new Uint8Array(0) });
    const log: string[] = [];
    const h: NodeHarness = { id, storage, node: this.makeNode(id, storage, log), applied: [], appliedIndexes: [], confState, log };
    storage.current = () => {
      const index = h.node.status().applied;
      const base = MemoryStorage.prototype.snapshot.call(storage);
      if (index <= base.metadata.index) return base;
      return { metadata: { index, term: storage.term(index), confState: h.confState }, data: enc(JSON.stringify(h.applied)) };
    };
    this.nodes.set(id, h);
  }

  private makeNode(id: RaftNodeId, storage: MemoryStorage, log: string[], applied?: number): RawNode {
    return new RawNode({
      electionTicks: 10,
      heartbeatTicks: 1,
      ...this.options.config,
      id,
      storage,
      random: seededRandom((this.options.seed ?? 1) * 1000 + id),
      logger: (line) => log.push(line),
      ...(applied === undefined ? {} : { applied }),
    });
  }

  get(id: RaftNodeId): NodeHarness {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  node(id: RaftNodeId): RawNode {
    return this.get(id).node;
  }

  /** Processes one Ready of node `id` by the book; returns it (or undefined if none). */
  processReady(id: RaftNodeId): Ready | undefined {
    const h = this.get(id);
    if (!h.node.hasReady()) return undefined;
    const rd = h.node.ready();
    this.send(rd.messagesBeforePersist);
    if (rd.snapshot !== undefined) {
      h.storage.applySnapshot(rd.snapshot);
      h.confState = rd.snapshot.metadata.confState;
      h.applied.length = 0;
      if (rd.snapshot.data.length > 0) h.applied.push(...(JSON.parse(dec(rd.snapshot.data)) as string[]));
      h.appliedIndexes.push(rd.snapshot.metadata.index);
    }
    h.storage.append(rd.entries);
    if (rd.hardState !== undefined) h.storage.setHardState(rd.hardState);
    this.send(rd.messages);
    for (const entry of rd.committedEntries) this.apply(h, entry);
    h.node.advance(rd);
    return rd;
  }

  private apply(h: NodeHarness, entry: Entry): void {
    h.appliedIndexes.push(entry.index);
    if (entry.type === 'confChange') {
      h.confState = h.node.applyConfChange(decodeConfChange(entry.data));
      h.storage.setConfState(h.confState);
    } else if (entry.data.length > 0) {
      h.applied.push(dec(entry.data));
    }
  }

  private send(messages: readonly Message[]): void {
    for (const m of messages) {
      this.sent.push(m);
      if (!this.cut.has(`${m.from}-${m.to}`) && !this.drop(m) && this.nodes.has(m.to)) this.queue.push(m);
    }
  }

  /** Delivers every queued message (and only those queued now); returns how many. */
  deliver(): number {
    const batch = this.queue;
    this.queue = [];
    for (const m of batch) {
      if (this.cut.has(`${m.from}-${m.to}`)) continue;
      this.node(m.to).step(m);
    }
    return batch.length;
  }

  /** Processes Readies and delivers messages until nothing moves. */
  stabilize(rounds = 1000): void {
    for (let i = 0; i < rounds; i++) {
      let busy = false;
      for (const id of this.nodes.keys()) if (this.processReady(id) !== undefined) busy = true;
      if (this.deliver() > 0) busy = true;
      if (!busy) return;
    }
    throw new Error('cluster did not stabilize');
  }

  tickAll(ticks = 1): void {
    for (let i = 0; i < ticks; i++) {
      for (const h of this.nodes.values()) h.node.tick();
      this.stabilize();
    }
  }

  isolate(id: RaftNodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}-${other}`);
      this.cut.add(`${other}-${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  leaders(): RaftNodeId[] {
    return [...this.nodes.values()].filter((h) => h.node.status().role === 'leader').map((h) => h.id);
  }

  /** Elects `id` by campaigning and stabilizing. */
  elect(id: RaftNodeId): void {
    this.node(id).campaign();
    this.stabilize();
  }

  /** Restarts node `id` from its storage (everything in storage counts as persisted). */
  restart(id: RaftNodeId): void {
    const h = this.get(id);
    h.node = this.makeNode(id, h.storage, h.log, h.appliedIndexes.length > 0 ? h.appliedIndexes[h.appliedIndexes.length - 1] : undefined);
  }
}
