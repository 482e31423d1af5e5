/**
 * Membership changes as pure functions: validation, joint entry and exit, learners, the codec.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidConfChangeError, decodeConfChange, encodeConfChange, type ConfChange, type ConfChangeSingle, type ConfState } from '../../../../kv/raft/index.js';
import { applyConfChangeTo, checkConfigInvariants, confChangeKind, enterJoint, leaveJoint, simpleChange } from '../../../../kv/raft/confchange.js';
import { configToConfState, confStateToConfig, type TrackerConfig } from '../../../../kv/raft/tracker.js';

const cfg = (cs: Partial<ConfState>): TrackerConfig => confStateToConfig({ voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false, ...cs });
const add = (nodeId: number): ConfChangeSingle => ({ type: 'addNode', nodeId });
const learner = (nodeId: number): ConfChangeSingle => ({ type: 'addLearner', nodeId });
const remove = (nodeId: number): ConfChangeSingle => ({ type: 'removeNode', nodeId });
const cs = (c: TrackerConfig): ConfState => configToConfState(c);

describe('confchange', () => {
  it('classifies changes: simple, enter joint, leave joint', () => {
    expect(confChangeKind({ changes: [add(1)], transition: 'simple' })).toBe('simple');
    expect(confChangeKind({ changes: [add(1), add(2)], transition: 'simple' })).toBe('enterJoint');
    expect(confChangeKind({ changes: [add(1)], transition: 'explicit' })).toBe('enterJoint');
    expect(confChangeKind({ changes: [add(1)], transition: 'auto' })).toBe('enterJoint');
    expect(confChangeKind({ changes: [], transition: 'explicit' })).toBe('leaveJoint');
  });

  it('a simple change adds or removes one voter; learner changes are free', () => {
    const base = cfg({ voters: [1, 2, 3] });
    expect(cs(simpleChange(base, [add(4)])).voters).toEqual([1, 2, 3, 4]);
    expect(cs(simpleChange(base, [remove(3)])).voters).toEqual([1, 2]);
    const withLearners = cs(simpleChange(base, [learner(4), learner(5), add(6)]));
    expect(withLearners.voters).toEqual([1, 2, 3, 6]);
    expect(withLearners.learners).toEqual([4, 5]);
    expect(() => simpleChange(base, [add(4), add(5)])).toThrow('more than one voter changed without entering joint config');
    expect(() => simpleChange(base, [remove(1), add(4)])).toThrow(/more than one voter/);
  });

  it('refuses to remove every voter or to change while joint', () => {
    expect(() => simpleChange(cfg({ voters: [1] }), [remove(1)])).toThrow('removed all voters');
    const joint = enterJoint(cfg({ voters: [1, 2, 3] }), false, [add(4)]);
    expect(() => simpleChange(joint, [add(5)])).toThrow("can't apply simple config change in joint config");
    expect(() => enterJoint(joint, false, [add(5)])).toThrow('config is already joint');
    expect(() => leaveJoint(cfg({ voters: [1] }))).toThrow("can't leave a non-joint config");
    expect(() => enterJoint(cfg({}), false, [add(1)])).toThrow("can't make a zero-voter config joint");
    expect(() => simpleChange(cfg({ voters: [1] }), [add(0)])).toThrow(InvalidConfChangeError);
  });

  it('enter joint keeps the old voters as the outgoing half; leave joint drops them', () => {
    const joint = enterJoint(cfg({ voters: [1, 2, 3] }), true, [add(4), remove(1)]);
    expect(cs(joint)).toEqual({ voters: [2, 3, 4], learners: [], votersOutgoing: [1, 2, 3], learnersNext: [], autoLeave: true });
    expect(cs(leaveJoint(joint))).toEqual({ voters: [2, 3, 4], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false });
  });

  it('demoting a voter makes it a learner only when the joint config is left', () => {
    const joint = enterJoint(cfg({ voters: [1, 2, 3] }), false, [learner(3), add(4)]);
    expect(cs(joint)).toEqual({ voters: [1, 2, 4], learners: [], votersOutgoing: [1, 2, 3], learnersNext: [3], autoLeave: false });
    expect(cs(leaveJoint(joint))).toEqual({ voters: [1, 2, 4], learners: [3], votersOutgoing: [], learnersNext: [], autoLeave: false });
    // Promoting a learner takes it out of the learners.
    const promoted = cs(simpleChange(cfg({ voters: [1], learners: [2] }), [add(2)]));
    expect(promoted).toEqual({ voters: [1, 2], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false });
  });

  it('checks invariants of a configuration from outside (a snapshot)', () => {
    expect(() => checkConfigInvariants(cfg({ voters: [1], learners: [1] }))).toThrow(/both a learner and an incoming voter/);
    expect(() => checkConfigInvariants(cfg({ voters: [1], learnersNext: [2] }))).toThrow(/not an outgoing voter/);
    expect(() => checkConfigInvariants(cfg({ voters: [1], autoLeave: true }))).toThrow(/autoleave/);
  });

  it('applied changes never leave a configuration that breaks an invariant (property)', () => {
    const change = fc.record({ type: fc.constantFrom('addNode' as const, 'addLearner' as const, 'removeNode' as const), nodeId: fc.integer({ min: 1, max: 6 }) });
    const cc = fc.record({ changes: fc.array(change, { maxLength: 4 }), transition: fc.constantFrom('simple' as const, 'auto' as const, 'explicit' as const) });
    fc.assert(
      fc.property(fc.array(cc, { maxLength: 8 }), (changes) => {
        let config = cfg({ voters: [1, 2, 3] });
        for (const c of changes) {
          try {
            config = applyConfChangeTo(config, c);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidConfChangeError);
            continue;
          }
          checkConfigInvariants(config);
          expect(config.voters.incoming.size).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('the codec round-trips every change and rejects malformed data', () => {
    const change = fc.record({ type: fc.constantFrom('addNode' as const, 'addLearner' as const, 'removeNode' as const), nodeId: fc.integer({ min: 1, max: 0xffffffff }) });
    fc.assert(
      fc.property(fc.record({ changes: fc.array(change, { maxLength: 10 }), transition: fc.constantFrom('simple' as const, 'auto' as const, 'explicit' as const) }), (cc: ConfChange) => {
        expect(decodeConfChange(encodeConfChange(cc))).toEqual(cc);
      }),
    );
    expect(decodeConfChange(new Uint8Array(0))).toEqual({ changes: [], transition: 'simple' });
    const good = encodeConfChange({ changes: [add(7)], transition: 'auto' });
    expect(() => decodeConfChange(good.subarray(0, good.length - 1))).toThrow(InvalidConfChangeError);
    expect(() => decodeConfChange(Uint8Array.of(9, 0, 0, 0))).toThrow(/version/);
    expect(() => encodeConfChange({ changes: [add(2 ** 32)], transition: 'simple' })).toThrow(/out of range/);
  });
});
