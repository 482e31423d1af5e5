/**
 * A 3-node Raft group (kv/raft's RawNode) whose every node keeps its log, hard state and state
 * machine in its own MemoryEngine through `RaftLogStorage` — the Ready loop a replica runs: stage
 * the snapshot, entries, hard state and the applied state machine into one batch, commit it
 * (synced when `mustSync`), `batchCommitted`, send, `advance`. Nodes crash (the engine forgets
 * unsynced writes), restart from their engine alone, and catch up — by log or by snapshot once
 * the others have truncated their logs.
 */
import { describe, expect, it } from 'vitest';
import { rangeAppliedStateKey } from '../../../kv/api/keyspace.js';
import { RaftLogStorage } from '../../../kv/replica/raft-log.js';
import { RawNode, emptyConfState, type ConfState, type Message, type RaftNodeId, type Ready, type Snapshot } from '../../../kv/raft/index.js';
import { Batch } from '../../../kv/storage/batch.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { rangeId } from '../../../src/base/ids.js';

const range = rangeId(3);
const voters = [1, 2, 3];
const confState: ConfState = { ...emptyConfState, voters };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A deterministic jitter source (mulberry32). */
function seeded(seed: number): { int(bound: number): number } {
  let a = seed >>> 0;
  return {
    int(bound: number): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * bound);
    },
  };
}

/** The state machine: the commands applied, and the index applied up to. Persisted as JSON. */
interface StateMachine {
  appliedIndex: number;
  commands: string[];
}

class Member {
  readonly engine = new MemoryEngine();
  storage!: RaftLogStorage;
  node!: RawNode;
  state: StateMachine = { appliedIndex: 0, commands: [] };
  up = false;

  constructor(readonly id: RaftNodeId) {}

  /** Opens everything from the engine alone, as a restarted process does. */
  async start(): Promise<void> {
    const persisted = this.engine.get(rangeAppliedStateKey(range));
    this.state = persisted === undefined ? { appliedIndex: 0, commands: [] } : (JSON.parse(dec(persisted)) as StateMachine);
    this.storage = await RaftLogStorage.open({ rangeId: range, engine: this.engine, confState: () => confState, snapshot: () => this.snapshot() });
    this.node = new RawNode({
      id: this.id,
      storage: this.storage,
      electionTicks: 10,
      heartbeatTicks: 1,
      random: seeded(this.id),
      ...(this.state.appliedIndex === 0 ? {} : { applied: this.state.appliedIndex }),
    });
    this.up = true;
  }

  /** Bootstrap above index 0: every initial member starts from a snapshot naming the voters. */
  async bootstrap(): Promise<void> {
    const storage = await RaftLogStorage.open({ rangeId: range, engine: this.engine, confState: () => confState, snapshot: () => this.snapshot() });
    const batch = new Batch(this.engine);
    storage.applySnapshotInBatch(batch, { metadata: { index: 1, term: 1, confState }, data: enc(JSON.stringify({ appliedIndex: 1, commands: [] })) });
    batch.put(rangeAppliedStateKey(range), enc(JSON.stringify({ appliedIndex: 1, commands: [] })));
    await this.engine.commit(batch.ops, { sync: true });
    storage.batchCommitted(batch);
  }

  crash(): void {
    this.engine.crash();
    this.up = false;
  }

  private snapshot(): Snapshot {
    const index = this.state.appliedIndex;
    return { metadata: { index, term: this.storage.term(index), confState }, data: enc(JSON.stringify(this.state)) };
  }

  /** One Ready cycle by the book; returns its messages, or undefined if there was none. */
  async processReady(send: (messages: readonly Message[]) => void): Promise<Ready | undefined> {
    if (!this.up || !this.node.hasReady()) return undefined;
    const rd = this.node.ready();
    send(rd.messagesBeforePersist);
    const batch = new Batch(this.engine);
    if (rd.snapshot !== undefined) {
      this.storage.applySnapshotInBatch(batch, rd.snapshot);
      this.state = JSON.parse(dec(rd.snapshot.data)) as StateMachine;
    }
    this.storage.appendToBatch(batch, rd.entries);
    if (rd.hardState !== undefined) this.storage.setHardStateInBatch(batch, rd.hardState);
    for (const entry of rd.committedEntries) {
      expect(entry.index).toBe(this.state.appliedIndex + 1); // in order, exactly once
      if (entry.type === 'normal' && entry.data.length > 0) this.state.commands.push(dec(entry.data));
      this.state.appliedIndex = entry.index;
    }
    batch.put(rangeAppliedStateKey(range), enc(JSON.stringify(this.state)));
    await this.engine.commit(batch.ops, { sync: rd.mustSync });
    this.storage.batchCommitted(batch);
    send(rd.messages);
    this.node.advance(rd);
    return rd;
  }

  /** Discards the log up to the applied index (the log truncation a replica's queue does). */
  async truncate(): Promise<void> {
    const index = this.state.appliedIndex;
    if (index <= this.storage.truncatedState().index) return;
    const batch = new Batch(this.engine);
    this.storage.truncateInBatch(batch, index, this.storage.term(index));
    await this.engine.commit(batch.ops, { sync: false });
    this.storage.batchCommitted(batch);
  }
}

class Group {
  readonly members = new Map<RaftNodeId, Member>(voters.map((id) => [id, new Member(id)]));
  private queue: Message[] = [];

  static async create(): Promise<Group> {
    const group = new Group();
    for (const member of group.members.values()) {
      await member.bootstrap();
      await member.start();
    }
    return group;
  }

  get(id: RaftNodeId): Member {
    return this.members.get(id)!;
  }

  private readonly send = (messages: readonly Message[]): void => {
    this.queue.push(...messages);
  };

  async stabilize(): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      let busy = false;
      for (const member of this.members.values()) if ((await member.processReady(this.send)) !== undefined) busy = true;
      const delivering = this.queue.splice(0);
      for (const m of delivering) {
        const to = this.get(m.to);
        if (to.up) to.node.step(m);
        if (m.type === 'MsgSnap') this.get(m.from).node.reportSnapshot(m.to, to.up ? 'finish' : 'failure');
      }
      if (!busy && delivering.length === 0) return;
    }
    throw new Error('group did not stabilize');
  }

  async tick(times: number): Promise<void> {
    for (let i = 0; i < times; i++) {
      for (const member of this.members.values()) if (member.up) member.node.tick();
      await this.stabilize();
    }
  }

  leader(): Member {
    const leaders = [...this.members.values()].filter((m) => m.up && m.node.status().role === 'leader');
    expect(leaders.length).toBe(1);
    return leaders[0]!;
  }

  async propose(...commands: string[]): Promise<void> {
    for (const command of commands) this.leader().node.propose(enc(command));
    await this.stabilize();
  }

  commands(id: RaftNodeId): string[] {
    return this.get(id).state.commands;
  }
}

describe('a RawNode group persisting through RaftLogStorage', () => {
  it('elects a leader and commits on every node, durably', async () => {
    const group = await Group.create();
    group.get(1).node.campaign();
    await group.stabilize();
    expect(group.leader().id).toBe(1);
    await group.propose('a', 'b', 'c');
    for (const id of voters) expect(group.commands(id)).toEqual(['a', 'b', 'c']);
    // What each engine holds, read back by a fresh RaftLogStorage, is the leader's log.
    const leaderLog = group.get(1).storage;
    for (const id of voters) {
      const reread = await RaftLogStorage.open({ rangeId: range, engine: group.get(id).engine, confState: () => confState, snapshot: () => leaderLog.snapshot() });
      expect(reread.lastIndex()).toBe(leaderLog.lastIndex());
      const terms = (s: RaftLogStorage): number[] => s.entries(2, s.lastIndex() + 1, Infinity).map((e) => e.term);
      expect(terms(reread)).toEqual(terms(leaderLog));
      expect(reread.initialState().hardState.term).toBe(group.get(1).node.status().term);
    }
  });

  it('keeps every committed command when all nodes crash at once, and goes on', async () => {
    const group = await Group.create();
    group.get(2).node.campaign();
    await group.stabilize();
    await group.propose('x', 'y');
    const term = group.leader().node.status().term;
    for (const member of group.members.values()) member.crash();
    for (const member of group.members.values()) await member.start();
    for (const member of group.members.values()) {
      // The appended entries and the term were synced; the applied state may lag (the commit
      // index that applied them travels in unsynced Readies) and is rebuilt from the log.
      const log = member.storage.entries(member.storage.firstIndex(), member.storage.lastIndex() + 1, Infinity);
      expect(log.map((e) => dec(e.data)).filter((d) => d !== '')).toEqual(['x', 'y']);
      expect(member.storage.initialState().hardState.term).toBe(term);
    }
    await group.tick(30); // a new election from the restarted logs
    await group.propose('z');
    for (const id of voters) expect(group.commands(id)).toEqual(['x', 'y', 'z']);
  });

  it('catches a restarted follower up by log, then by snapshot after the others truncate', async () => {
    const group = await Group.create();
    group.get(1).node.campaign();
    await group.stabilize();
    await group.propose('a', 'b');
    const lastIndex = group.get(3).storage.lastIndex();
    group.get(3).crash();
    await group.propose('c', 'd');
    expect(group.commands(1)).toEqual(['a', 'b', 'c', 'd']);
    await group.get(3).start();
    // Appended entries were synced; the commit index that applied them may not have been.
    expect(group.get(3).storage.lastIndex()).toBe(lastIndex);
    expect(['a', 'b'].slice(0, group.commands(3).length)).toEqual(group.commands(3));
    await group.tick(3);
    expect(group.commands(3)).toEqual(['a', 'b', 'c', 'd']);
    expect(group.get(3).storage.truncatedState().index).toBe(1); // by log: nothing truncated

    group.get(3).crash();
    await group.propose('e', 'f');
    for (const id of [1, 2]) await group.get(id).truncate();
    expect(group.get(1).storage.firstIndex()).toBeGreaterThan(group.get(3).storage.lastIndex() + 1);
    await group.get(3).start();
    await group.tick(3);
    expect(group.commands(3)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    const follower = group.get(3).storage;
    expect(follower.truncatedState().index).toBe(group.get(1).storage.truncatedState().index); // by snapshot
    // And the installed snapshot survives one more crash.
    group.get(3).crash();
    await group.get(3).start();
    expect(group.commands(3)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(group.get(3).storage.firstIndex()).toBe(follower.firstIndex());
  });
});
