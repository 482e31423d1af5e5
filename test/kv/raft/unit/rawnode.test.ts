/**
 * RawNode end to end on a tiny in-memory cluster: elections, replication and the Ready contract.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStorage, ProposalDroppedError, RawNode, emptyConfState, type Message } from '../../../../kv/raft/index.js';
import { Cluster, bootstrapIndex, enc, seededRandom } from './cluster.js';

describe('RawNode: election', () => {
  it('a 3-node cluster elects exactly one leader by timeout and commits a proposal on all nodes', () => {
    const c = new Cluster();
    for (let i = 0; i < 30 && c.leaders().length === 0; i++) c.tickAll();
    expect(c.leaders()).toHaveLength(1);
    const leader = c.leaders()[0]!;
    const term = c.node(leader).status().term;
    for (const id of [1, 2, 3]) {
      expect(c.node(id).status().term).toBe(term);
      expect(c.node(id).status().leader).toBe(leader);
    }
    c.node(leader).propose(enc('x'));
    c.stabilize();
    for (const id of [1, 2, 3]) {
      expect(c.get(id).applied).toEqual(['x']);
      expect(c.node(id).status().commit).toBe(bootstrapIndex + 2); // the election's empty entry, then x
    }
  });

  it('a follower forwards proposals to the leader', () => {
    const c = new Cluster();
    c.elect(1);
    c.node(3).propose(enc('via-3'));
    c.stabilize();
    for (const id of [1, 2, 3]) expect(c.get(id).applied).toEqual(['via-3']);
  });

  it('a node without a leader refuses a proposal with ProposalDroppedError(noLeader)', () => {
    const c = new Cluster();
    const err = (() => {
      try {
        c.node(2).propose(enc('x'));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ProposalDroppedError);
    expect((err as ProposalDroppedError).reason).toBe('noLeader');
    expect((err as ProposalDroppedError).code).toBe('RAFT_PROPOSAL_DROPPED');
  });

  it('the randomized election timeout lies in [electionTicks, 2*electionTicks)', () => {
    // With a random source pinned to its extremes, the first campaign comes at exactly 10 or 19 ticks.
    for (const [jitter, expected] of [
      [0, 10],
      [9, 19],
    ] as const) {
      const storage = new MemoryStorage();
      storage.applySnapshot({ metadata: { index: 0, term: 0, confState: { ...emptyConfState, voters: [1, 2] } }, data: new Uint8Array(0) });
      const node = new RawNode({ id: 1, storage, electionTicks: 10, heartbeatTicks: 1, random: { int: () => jitter } });
      let ticks = 0;
      while (node.status().role === 'follower') {
        node.tick();
        ticks++;
        expect(ticks).toBeLessThan(30);
      }
      expect(ticks).toBe(expected);
    }
  });

  it('a stale leader steps down when it hears a higher term', () => {
    const c = new Cluster();
    c.elect(1);
    c.isolate(1);
    c.elect(2);
    expect(c.node(2).status().term).toBe(2);
    expect(c.node(1).status().role).toBe('leader'); // does not know yet
    c.heal();
    c.node(2).propose(enc('after'));
    c.tickAll(2); // a heartbeat response unpauses 2's probe of 1, lost during the partition

    expect(c.node(1).status().role).toBe('follower');
    expect(c.node(1).status().term).toBe(2);
    expect(c.get(1).applied).toEqual(['after']);
  });

  it('a node with a less up-to-date log cannot win', () => {
    const c = new Cluster();
    c.elect(1);
    c.isolate(3);
    c.node(1).propose(enc('a'));
    c.stabilize();
    c.heal();
    c.isolate(1);
    c.elect(3); // 2 has index 2, 3 only index 1: 2 rejects
    expect(c.node(3).status().role).not.toBe('leader');
    c.elect(2);
    expect(c.node(2).status().role).toBe('leader');
  });
});

describe('RawNode: pre-vote and check-quorum', () => {
  it('with pre-vote a partitioned node does not inflate its term', () => {
    const c = new Cluster({ config: { preVote: true } });
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 50; i++) c.node(3).tick();
    c.stabilize();
    expect(c.node(3).status().term).toBe(1);
    expect(c.node(3).status().role).toBe('preCandidate');
    c.heal();
    c.tickAll(3);
    expect(c.leaders()).toEqual([1]);
    expect(c.node(1).status().term).toBe(1);
  });

  it('without pre-vote a rejoining node disrupts the leader with its higher term', () => {
    const c = new Cluster();
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 50; i++) c.node(3).tick();
    c.stabilize();
    expect(c.node(3).status().term).toBeGreaterThan(1);
    c.heal();
    c.tickAll(25); // 3 ignores the leader's lower-term heartbeats and campaigns again
    expect(c.node(1).status().term).toBeGreaterThan(1);
  });

  it('with check-quorum a leader cut off from the majority steps down within an election timeout', () => {
    const c = new Cluster({ config: { checkQuorum: true } });
    c.elect(1);
    c.tickAll(3);
    c.isolate(1);
    for (let i = 0; i < 25; i++) c.node(1).tick();
    c.stabilize();
    expect(c.node(1).status().role).toBe('follower');
    expect(c.get(1).log).toContain('1 stepped down to follower since quorum is not active');
  });

  it('with check-quorum followers in a leader lease ignore a vote request, but not a transfer campaign', () => {
    const c = new Cluster({ config: { checkQuorum: true } });
    c.elect(1);
    c.tickAll(1);
    c.node(3).campaign();
    c.stabilize();
    expect(c.node(2).status().term).toBe(1); // 2 ignored 3's MsgVote for term 2
    expect(c.get(2).log.some((l) => l.includes('lease is not expired'))).toBe(true);
    expect(c.leaders()).toContain(1);
  });
});

describe('RawNode: log replication', () => {
  it('repairs a diverging follower whose uncommitted tail conflicts with the leader', () => {
    const c = new Cluster({ voters: [1, 2, 3, 4, 5] });
    c.elect(1);
    c.node(1).propose(enc('common'));
    c.stabilize();
    // 1 appends entries only it (and 2) get, then is cut off; 3 becomes leader and writes others.
    c.isolate(1);
    c.node(1).propose(enc('lost-1'));
    c.node(1).propose(enc('lost-2'));
    c.processReady(1);
    c.elect(3);
    expect(c.node(3).status().role).toBe('leader');
    c.node(3).propose(enc('kept-1'));
    c.node(3).propose(enc('kept-2'));
    c.node(3).propose(enc('kept-3'));
    c.stabilize();
    c.heal();
    c.node(3).propose(enc('kept-4'));
    c.tickAll(2); // heartbeats reach 1, which steps down; its probe resumes
    for (const id of [1, 2, 3, 4, 5]) {
      expect(c.get(id).applied).toEqual(['common', 'kept-1', 'kept-2', 'kept-3', 'kept-4']);
      expect(c.get(id).storage.lastIndex()).toBe(c.node(3).status().lastIndex);
    }
    // The lost entries never applied anywhere, and the old leader's log now matches the new one's.
    const first = bootstrapIndex + 1;
    const leaderLog = c.get(3).storage.entries(first, c.get(3).storage.lastIndex() + 1, Infinity);
    expect(c.get(1).storage.entries(first, c.get(1).storage.lastIndex() + 1, Infinity)).toEqual(leaderLog);
  });

  it('a lagging follower is found in one rejection, not one per missing entry', () => {
    const c = new Cluster();
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 50; i++) c.node(1).propose(enc(`e${i}`));
    c.stabilize();
    c.heal();
    c.sent.length = 0;
    c.node(1).propose(enc('last'));
    c.stabilize();
    // The append after the 51st entry is rejected with a hint at 3's last index; the next append
    // carries everything after it. (A second rejection, of an empty commit-carrying append sent before the
    // first arrived, is stale and ignored.)
    const rejections = c.sent.filter((m) => m.type === 'MsgAppResp' && m.reject);
    expect(rejections.map((m) => (m.type === 'MsgAppResp' ? m.rejectHint : -1))).toEqual([bootstrapIndex + 1, bootstrapIndex + 1]);
    const withEntries = c.sent.filter((m) => m.type === 'MsgApp' && m.to === 3 && m.entries.length > 0);
    expect(withEntries).toHaveLength(2);
    expect(c.get(3).applied).toHaveLength(51);
  });

  it('fast backtracking skips a divergent tail one term at a time', () => {
    const c = new Cluster({ voters: [1, 2, 3, 4, 5] });
    c.elect(1);
    // 1 writes 20 entries of term 1 that only it gets; then 2 leads terms 2 and 3 with others.
    c.isolate(1);
    for (let i = 0; i < 20; i++) c.node(1).propose(enc(`stale-${i}`));
    c.processReady(1);
    c.elect(2);
    for (let i = 0; i < 5; i++) c.node(2).propose(enc(`t2-${i}`));
    c.stabilize();
    c.elect(3);
    for (let i = 0; i < 5; i++) c.node(3).propose(enc(`t3-${i}`));
    c.stabilize();
    c.sent.length = 0;
    c.heal();
    c.tickAll(3);
    const rejectionsFrom1 = c.sent.filter((m) => m.type === 'MsgAppResp' && m.reject && m.from === 1);
    expect(rejectionsFrom1.length).toBeGreaterThan(0);
    expect(rejectionsFrom1.length).toBeLessThanOrEqual(3);
    expect(c.get(1).applied).toEqual(c.get(3).applied);
    expect(c.get(1).applied).toHaveLength(10);
  });

  it('bounds in-flight appends per follower and the bytes per message', () => {
    const c = new Cluster({ config: { maxInflightMessages: 2, maxMessageBytes: 100 } });
    c.elect(1);
    // Hold followers' replies: only appends go out, at most 2 in flight each.
    for (let i = 0; i < 10; i++) c.node(1).propose(enc(`proposal-${i}`.padEnd(60, '.')));
    c.processReady(1);
    const appsTo2 = c.queue.filter((m): m is Extract<Message, { type: 'MsgApp' }> => m.type === 'MsgApp' && m.to === 2 && m.entries.length > 0);
    expect(appsTo2.length).toBe(2);
    for (const m of appsTo2) expect(m.entries.length).toBe(1); // 60+24 bytes each: one per 100-byte message
    const pr = c.node(1).status().progress!.get(2)!;
    expect(pr.state).toBe('replicate');
    expect(pr.inflight).toBe(2);
    expect(pr.paused).toBe(true);
    c.stabilize();
    for (const id of [1, 2, 3]) expect(c.get(id).applied).toHaveLength(10);
  });

  it('batches the proposals of one Ready cycle into one append per follower', () => {
    const c = new Cluster();
    c.elect(1);
    for (let i = 0; i < 10; i++) c.node(1).propose(enc(`b${i}`));
    const rd = c.node(1).ready();
    expect(rd.entries).toHaveLength(10);
    const apps = rd.messagesBeforePersist.filter((m): m is Extract<Message, { type: 'MsgApp' }> => m.type === 'MsgApp');
    expect(apps.map((m) => [m.to, m.entries.length])).toEqual([
      [2, 10],
      [3, 10],
    ]);
    c.get(1).storage.append(rd.entries);
    c.node(1).advance(rd);
  });

  it('drops proposals beyond maxUncommittedEntriesBytes', () => {
    const c = new Cluster({ config: { maxUncommittedEntriesBytes: 100 } });
    c.elect(1);
    c.isolate(1); // nothing commits
    c.node(1).propose(new Uint8Array(80));
    let error: unknown;
    try {
      c.node(1).propose(new Uint8Array(30));
    } catch (e) {
      error = e;
    }
    expect((error as ProposalDroppedError).reason).toBe('uncommittedSizeLimit');
    c.heal();
    c.stabilize();
    c.node(1).propose(new Uint8Array(30)); // committed data no longer counts
  });

  it('a leader alone commits its entries in the Ready that hands them out for persisting', () => {
    const c = new Cluster({ voters: [1] });
    c.elect(1);
    c.node(1).propose(enc('solo'));
    const rd = c.node(1).ready();
    expect(rd.entries.map((e) => e.index)).toEqual([bootstrapIndex + 2]);
    // Committed with them: applied by the application only once this Ready is persisted.
    expect(rd.committedEntries.map((e) => e.index)).toEqual([bootstrapIndex + 2]);
    expect(rd.hardState?.commit).toBe(bootstrapIndex + 2);
    expect(rd.mustSync).toBe(true);
    c.get(1).storage.append(rd.entries);
    c.node(1).advance(rd);
    expect(c.node(1).hasReady()).toBe(false); // nothing left: one Ready per proposal
    expect(c.node(1).status().applied).toBe(bootstrapIndex + 2);
  });

  it('a leader with a learner commits only after advance() confirms its entries persisted', () => {
    // The learner gets the leader's appends before the leader persists them
    // (messagesBeforePersist): a commit index carried there must cover only durable entries.
    const c = new Cluster({ voters: [1], learners: [2] });
    c.elect(1);
    c.node(1).propose(enc('with-learner'));
    const rd = c.node(1).ready();
    expect(rd.entries.map((e) => e.index)).toEqual([bootstrapIndex + 2]);
    expect(rd.committedEntries).toHaveLength(0);
    for (const m of rd.messagesBeforePersist) if (m.type === 'MsgApp') expect(m.commit).toBeLessThan(bootstrapIndex + 2);
    c.get(1).storage.append(rd.entries);
    c.node(1).advance(rd);
    const next = c.node(1).ready();
    expect(next.hardState?.commit).toBe(bootstrapIndex + 2);
    expect(next.committedEntries.map((e) => e.index)).toEqual([bootstrapIndex + 2]);
    expect(next.mustSync).toBe(false); // only the commit index moved
  });
});

describe('RawNode: the Ready contract', () => {
  it('puts the leader appends and heartbeats in messagesBeforePersist and all else in messages', () => {
    const c = new Cluster();
    c.elect(1);
    c.node(1).propose(enc('p'));
    const rd = c.node(1).ready();
    expect(rd.entries).toHaveLength(1);
    expect(rd.messagesBeforePersist.length).toBe(2);
    for (const m of rd.messagesBeforePersist) expect(m.type).toBe('MsgApp');
    expect(rd.messages).toHaveLength(0);
    c.get(1).storage.append(rd.entries);
    c.node(1).advance(rd);
    c.queue.push(...rd.messagesBeforePersist);
    c.deliver();
    const frd = c.node(2).ready();
    expect(frd.messagesBeforePersist).toHaveLength(0);
    expect(frd.messages.map((m) => m.type)).toEqual(['MsgAppResp']);
    expect(frd.entries).toHaveLength(1);
  });

  it('sends a new leader appends only after its new term is persisted', () => {
    const c = new Cluster({ voters: [1], learners: [2] });
    c.node(1).campaign(); // a lone voter wins at once, in the same Ready as its new term
    const rd = c.node(1).ready();
    expect(rd.hardState?.term).toBe(1);
    expect(rd.messagesBeforePersist).toHaveLength(0);
    expect(rd.messages.some((m) => m.type === 'MsgApp' && m.to === 2)).toBe(true);
  });

  it('hands out soft and hard state only when they change, and each committed entry once', () => {
    const c = new Cluster();
    c.elect(1);
    expect(c.node(1).hasReady()).toBe(false);
    c.node(1).propose(enc('a'));
    const rd = c.processReady(1)!;
    expect(rd.softState).toBeUndefined();
    expect(rd.hardState).toBeUndefined();
    c.stabilize();
    for (const id of [1, 2, 3]) {
      const indexes = c.get(id).appliedIndexes;
      expect(new Set(indexes).size).toBe(indexes.length);
      expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    }
  });

  it('refuses a second ready() before advance(), and hasReady() is false meanwhile', () => {
    const c = new Cluster();
    c.node(1).campaign();
    const rd = c.node(1).ready();
    expect(c.node(1).hasReady()).toBe(false);
    expect(() => c.node(1).ready()).toThrow(/before advance/);
    c.node(1).advance(rd);
  });

  it('restarts from storage and reapplies committed but unapplied entries', () => {
    const c = new Cluster();
    c.elect(1);
    c.node(1).propose(enc('a'));
    c.node(1).propose(enc('b'));
    c.stabilize();
    const before = c.node(2).status();
    c.restart(2);
    const after = c.node(2).status();
    expect(after.term).toBe(before.term);
    expect(after.commit).toBe(before.commit);
    expect(after.applied).toBe(before.applied);
    expect(c.node(2).hasReady()).toBe(false);
    // A restart that forgot the applied index reapplies from the snapshot.
    const fresh = new RawNode({ id: 2, storage: c.get(2).storage, electionTicks: 10, heartbeatTicks: 1, random: seededRandom(5) });
    expect(fresh.ready().committedEntries.map((e) => e.index)).toEqual([bootstrapIndex + 1, bootstrapIndex + 2, bootstrapIndex + 3]);
  });
});
