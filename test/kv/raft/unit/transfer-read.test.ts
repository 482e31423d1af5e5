/**
 * Leadership transfer, read index and the quiescence hook, through the RawNode.
 */
import { describe, expect, it } from 'vitest';
import { ProposalDroppedError, type Message } from '../../../../kv/raft/index.js';
import { Cluster, dec, enc } from './cluster.js';

function reason(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProposalDroppedError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('leadership transfer', () => {
  it('transfers to an up-to-date follower at once with MsgTimeoutNow, through the leader lease', () => {
    const c = new Cluster({ config: { checkQuorum: true, preVote: true } });
    c.elect(1);
    c.tickAll(1);
    c.sent.length = 0;
    c.node(1).transferLeadership(2);
    c.stabilize();
    expect(c.sent.some((m) => m.type === 'MsgTimeoutNow' && m.to === 2)).toBe(true);
    expect(c.sent.some((m) => m.type === 'MsgVote' && m.transfer)).toBe(true);
    expect(c.leaders()).toEqual([2]);
    expect(c.node(2).status().term).toBe(2);
  });

  it('catches a lagging transferee up first, dropping proposals meanwhile', () => {
    const c = new Cluster();
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 5; i++) c.node(1).propose(enc(`e${i}`));
    c.stabilize();
    c.node(1).transferLeadership(3);
    expect(c.node(1).status().leadTransferee).toBe(3);
    expect(reason(() => c.node(1).propose(enc('during')))).toBe('leadershipTransfer');
    c.heal();
    c.tickAll(3);
    expect(c.leaders()).toEqual([3]);
    expect(c.get(3).applied).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    expect(c.get(1).log).toContain('1 sent MsgTimeoutNow to 3 after received MsgAppResp');
  });

  it('aborts a transfer that does not finish within an election timeout', () => {
    const c = new Cluster();
    c.elect(1);
    c.isolate(3);
    c.node(1).transferLeadership(3);
    for (let i = 0; i < 10; i++) c.node(1).tick();
    expect(c.node(1).status().leadTransferee).toBe(0);
    expect(c.node(1).status().role).toBe('leader');
    expect(reason(() => c.node(1).propose(enc('after-abort')))).toBeUndefined();
  });

  it('a follower forwards a transfer request to the leader; a transfer to a learner is ignored', () => {
    const c = new Cluster({ voters: [1, 2, 3], learners: [4] });
    c.elect(1);
    c.node(3).transferLeadership(2);
    c.stabilize();
    expect(c.leaders()).toEqual([2]);
    c.node(2).transferLeadership(4);
    c.stabilize();
    expect(c.leaders()).toEqual([2]);
    expect(c.node(2).status().leadTransferee).toBe(0);
  });
});

describe('read index', () => {
  it('answers a leader read after a heartbeat round confirms leadership', () => {
    const c = new Cluster();
    c.elect(1);
    c.node(1).propose(enc('a'));
    c.stabilize();
    c.sent.length = 0;
    c.node(1).readIndex(enc('r1'));
    const rd = c.processReady(1)!;
    expect(rd.readStates).toHaveLength(0);
    const heartbeats = c.sent.filter((m): m is Extract<Message, { type: 'MsgHeartbeat' }> => m.type === 'MsgHeartbeat');
    expect(heartbeats).toHaveLength(2);
    for (const hb of heartbeats) expect(dec(hb.context)).toBe('r1');
    c.deliver(); // heartbeats to followers
    c.processReady(2);
    c.processReady(3);
    c.deliver(); // echoes back
    const answered = c.node(1).ready();
    expect(answered.readStates.map((r) => [r.index, dec(r.context)])).toEqual([[c.node(1).status().commit, 'r1']]);
    c.node(1).advance(answered);
  });

  it('a partitioned leader never answers a read', () => {
    const c = new Cluster();
    c.elect(1);
    c.isolate(1);
    c.node(1).readIndex(enc('lost'));
    c.tickAll(5);
    expect(c.node(1).hasReady()).toBe(false);
  });

  it('forwards a follower read to the leader and returns the read index to the follower', () => {
    const c = new Cluster();
    c.elect(1);
    c.node(1).propose(enc('a'));
    c.stabilize();
    const h = c.get(3);
    c.node(3).readIndex(enc('from-3'));
    const reads: [number, string][] = [];
    for (let i = 0; i < 10; i++) {
      if (c.node(3).hasReady()) {
        const rd = c.node(3).ready();
        for (const r of rd.readStates) reads.push([r.index, dec(r.context)]);
        h.storage.append(rd.entries);
        c.queue.push(...rd.messagesBeforePersist, ...rd.messages);
        c.node(3).advance(rd);
      }
      for (const id of [1, 2]) c.processReady(id);
      c.deliver();
    }
    expect(reads).toEqual([[c.node(1).status().commit, 'from-3']]);
  });

  it('a new leader defers reads until it commits an entry of its term', () => {
    const c = new Cluster();
    c.elect(1);
    c.node(1).propose(enc('a'));
    c.stabilize();
    // 2 wins an election, but is cut off before its election entry commits.
    c.node(2).campaign();
    c.processReady(2);
    c.deliver();
    c.processReady(1);
    c.processReady(3);
    c.deliver();
    expect(c.node(2).status().role).toBe('leader');
    c.isolate(2);
    c.node(2).readIndex(enc('early'));
    c.processReady(2);
    expect(c.sent.filter((m) => m.type === 'MsgHeartbeat' && m.from === 2 && m.context.length > 0)).toHaveLength(0);
    c.heal();
    const reads: string[] = [];
    for (let i = 0; i < 10; i++) {
      if (i === 5) c.node(2).readIndex(enc('later'));
      c.node(2).tick();
      if (c.node(2).hasReady()) {
        const rd = c.node(2).ready();
        reads.push(...rd.readStates.map((r) => dec(r.context)));
        c.get(2).storage.append(rd.entries);
        if (rd.hardState !== undefined) c.get(2).storage.setHardState(rd.hardState);
        c.queue.push(...rd.messagesBeforePersist, ...rd.messages);
        c.node(2).advance(rd);
      }
      c.processReady(1);
      c.processReady(3);
      c.deliver();
    }
    expect(reads).toEqual(['early', 'later']);
  });

  it('refuses a read with no leader', () => {
    const c = new Cluster();
    expect(reason(() => c.node(1).readIndex(enc('x')))).toBe('noLeader');
  });
});

describe('quiescence', () => {
  it('a leader is quiescable once everything is replicated, committed and applied', () => {
    const c = new Cluster();
    c.elect(1);
    expect(c.node(1).isQuiescable()).toBe(true);
    expect(c.node(2).isQuiescable()).toBe(false); // followers never are
    c.node(1).propose(enc('x'));
    expect(c.node(1).isQuiescable()).toBe(false);
    c.isolate(3);
    c.stabilize();
    expect(c.node(1).isQuiescable()).toBe(false); // 3 lags
    c.heal();
    c.tickAll(2);
    expect(c.node(1).isQuiescable()).toBe(true);
    c.node(1).readIndex(enc('r'));
    expect(c.node(1).isQuiescable()).toBe(false);
  });

  it('heartbeats carry the commit index, capped at what the follower is known to hold', () => {
    const c = new Cluster();
    c.elect(1);
    c.node(1).propose(enc('x'));
    c.stabilize();
    c.isolate(3);
    c.node(1).propose(enc('y'));
    c.stabilize();
    c.heal();
    c.sent.length = 0;
    c.node(1).tick();
    c.processReady(1);
    const commit = c.node(1).status().commit;
    const match3 = c.node(1).status().progress!.get(3)!.match;
    expect(match3).toBeLessThan(commit);
    const hb = (to: number): number => {
      const m = c.sent.find((s) => s.type === 'MsgHeartbeat' && s.to === to);
      return m?.type === 'MsgHeartbeat' ? m.commit : -1;
    };
    expect(hb(2)).toBe(commit);
    expect(hb(3)).toBe(match3);
  });
});
