/**
 * Membership through the RawNode: learners, simple changes, joint consensus (auto and explicit
 * leave), refusals, a removed leader stepping down.
 */
import { describe, expect, it } from 'vitest';
import { ProposalDroppedError, type ConfChange, type ProposalDropReason } from '../../../../kv/raft/index.js';
import { Cluster, bootstrapIndex, enc } from './cluster.js';

function dropReason(fn: () => void): ProposalDropReason | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProposalDroppedError) return error.reason;
    throw error;
  }
  return undefined;
}

const simple = (type: 'addNode' | 'addLearner' | 'removeNode', nodeId: number): ConfChange => ({ changes: [{ type, nodeId }], transition: 'simple' });

describe('membership', () => {
  it('adds a learner from empty storage, catches it up, and promotes it to voter', () => {
    const c = new Cluster({ spare: [4] });
    c.elect(1);
    c.node(1).propose(enc('before'));
    c.stabilize();
    c.node(1).proposeConfChange(simple('addLearner', 4));
    c.stabilize();
    expect(c.get(1).confState.learners).toEqual([4]);
    c.node(1).propose(enc('after'));
    c.tickAll(2);
    expect(c.get(4).applied).toEqual(['before', 'after']);
    expect(c.get(4).confState.learners).toEqual([4]);
    // A learner never campaigns.
    c.isolate(4);
    for (let i = 0; i < 40; i++) c.node(4).tick();
    c.node(4).campaign();
    expect(c.node(4).status().role).toBe('follower');
    expect(c.node(4).status().term).toBe(1);
    expect(c.get(4).log).toContain('4 is unpromotable and can not campaign');
    c.heal();
    c.node(1).proposeConfChange(simple('addNode', 4));
    c.stabilize();
    for (const id of [1, 2, 3, 4]) expect(c.get(id).confState.voters).toEqual([1, 2, 3, 4]);
  });

  it('a learner does not count toward the commit quorum', () => {
    const c = new Cluster({ voters: [1, 2, 3], learners: [4] });
    c.elect(1);
    c.isolate(2);
    c.isolate(3);
    c.cut.delete('1-4');
    c.cut.delete('4-1');
    c.node(1).propose(enc('x'));
    c.stabilize();
    expect(c.node(4).status().lastIndex).toBe(bootstrapIndex + 2);
    expect(c.node(1).status().commit).toBe(bootstrapIndex + 1); // only 1 and learner 4 hold x: no quorum
  });

  it('refuses a second conf change while one is unapplied', () => {
    const c = new Cluster({ spare: [4, 5] });
    c.elect(1);
    c.node(1).proposeConfChange(simple('addLearner', 4));
    expect(dropReason(() => c.node(1).proposeConfChange(simple('addLearner', 5)))).toBe('confChangePending');
    c.stabilize();
    expect(dropReason(() => c.node(1).proposeConfChange(simple('addLearner', 5)))).toBeUndefined();
  });

  it('refuses conf changes the configuration cannot take', () => {
    const c = new Cluster({ voters: [1, 2], spare: [3, 4] });
    c.elect(1);
    expect(dropReason(() => c.node(1).proposeConfChange({ changes: [{ type: 'addNode', nodeId: 3 }, { type: 'addNode', nodeId: 4 }], transition: 'simple' }))).toBeUndefined();
    c.tickAll(3); // entered joint (auto), and left it
    expect(c.get(1).confState.voters).toEqual([1, 2, 3, 4]);
    expect(c.get(1).confState.votersOutgoing).toEqual([]);
    expect(dropReason(() => c.node(1).proposeConfChange({ changes: [], transition: 'simple' }))).toBe('notJoint');
    expect(dropReason(() => c.node(1).proposeConfChange({ changes: [{ type: 'removeNode', nodeId: 0 }], transition: 'simple' }))).toBe('invalidConfChange');
  });

  it('explicit joint consensus: decisions need both majorities until the leave', () => {
    const c = new Cluster({ voters: [1, 2, 3], spare: [4, 5] });
    c.elect(1);
    c.node(1).proposeConfChange({
      changes: [
        { type: 'addNode', nodeId: 4 },
        { type: 'addNode', nodeId: 5 },
        { type: 'removeNode', nodeId: 2 },
        { type: 'removeNode', nodeId: 3 },
      ],
      transition: 'explicit',
    });
    c.tickAll(3);
    const cs = c.get(1).confState;
    expect(cs.voters).toEqual([1, 4, 5]);
    expect(cs.votersOutgoing).toEqual([1, 2, 3]);
    expect(cs.autoLeave).toBe(false);
    expect(dropReason(() => c.node(1).proposeConfChange(simple('addNode', 2)))).toBe('jointConfig');
    // With the old majority cut off ({2, 3}), nothing commits though the new one ({1, 4, 5}) acks.
    c.isolate(2);
    c.isolate(3);
    for (const [a, b] of [[1, 4], [1, 5], [4, 5]] as const) {
      c.cut.delete(`${a}-${b}`);
      c.cut.delete(`${b}-${a}`);
    }
    const commitBefore = c.node(1).status().commit;
    c.node(1).propose(enc('needs-both'));
    c.stabilize();
    expect(c.node(1).status().commit).toBe(commitBefore);
    c.heal();
    c.tickAll(2);
    expect(c.node(1).status().commit).toBe(commitBefore + 1);
    c.node(1).proposeConfChange({ changes: [], transition: 'explicit' });
    c.tickAll(2);
    for (const id of [1, 4, 5]) {
      expect(c.get(id).confState.voters).toEqual([1, 4, 5]);
      expect(c.get(id).confState.votersOutgoing).toEqual([]);
    }
  });

  it('auto joint consensus: the leader proposes the leave once the joint config is applied', () => {
    const c = new Cluster({ voters: [1, 2, 3], spare: [4] });
    c.elect(1);
    c.node(1).proposeConfChange({ changes: [{ type: 'addNode', nodeId: 4 }, { type: 'addLearner', nodeId: 3 }], transition: 'auto' });
    c.tickAll(3);
    expect(c.get(1).log.some((l) => l.startsWith('1 initiating automatic transition out of joint configuration voters=(1 2 4)&&(1 2 3) learners_next=(3) autoleave'))).toBe(true);
    for (const id of [1, 2, 3, 4]) {
      expect(c.get(id).confState).toEqual({ voters: [1, 2, 4], learners: [3], votersOutgoing: [], learnersNext: [], autoLeave: false });
    }
  });

  it('a removed leader steps down and the rest elect a new one', () => {
    const c = new Cluster();
    c.elect(1);
    c.node(1).proposeConfChange(simple('removeNode', 1));
    c.stabilize();
    expect(c.node(1).status().role).toBe('follower');
    expect(c.get(2).confState.voters).toEqual([2, 3]);
    for (let i = 0; i < 40 && c.leaders().length === 0; i++) c.tickAll();
    const leaders = c.leaders();
    expect(leaders).toHaveLength(1);
    expect(leaders[0]).not.toBe(1);
    c.node(leaders[0]!).propose(enc('without-1'));
    c.stabilize();
    expect(c.get(2).applied).toEqual(['without-1']);
  });

  it('applyConfChange throws for an invalid change and leaves the configuration unchanged', () => {
    const c = new Cluster();
    const before = c.node(1).status().config;
    expect(() => c.node(1).applyConfChange({ changes: [], transition: 'simple' })).toThrow(/can't leave a non-joint config/);
    expect(c.node(1).status().config).toEqual(before);
  });
});
