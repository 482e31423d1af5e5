/**
 * Log compaction and snapshots: a follower behind the compacted log is caught up by a snapshot.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../../kv/raft/index.js';
import { Cluster, bootstrapIndex, enc } from './cluster.js';

/** The application's state machine: the applied commands. Compacts storage at the applied index. */
function compactAt(c: Cluster, id: number): number {
  const h = c.get(id);
  const applied = c.node(id).status().applied;
  h.storage.createSnapshot(applied, h.confState, enc(JSON.stringify(h.applied)));
  h.storage.compact(applied);
  return applied;
}

describe('snapshots', () => {
  it('a follower behind the compacted log catches up via a snapshot', () => {
    const c = new Cluster();
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 10; i++) c.node(1).propose(enc(`e${i}`));
    c.stabilize();
    const compacted = compactAt(c, 1);
    expect(compacted).toBe(bootstrapIndex + 11);
    expect(c.get(1).storage.firstIndex()).toBe(compacted + 1);
    c.heal();
    c.sent.length = 0;
    c.tickAll(2);
    const snaps = c.sent.filter((m): m is Extract<Message, { type: 'MsgSnap' }> => m.type === 'MsgSnap');
    expect(snaps).toHaveLength(1);
    expect(snaps[0]!.to).toBe(3);
    expect(snaps[0]!.snapshot.metadata.index).toBe(compacted);
    // 3 installed the snapshot (its storage now starts after it) and follows the log from there.
    expect(c.get(3).storage.firstIndex()).toBe(compacted + 1);
    expect(c.node(3).status().applied).toBe(compacted);
    expect(c.get(3).appliedIndexes).toEqual([bootstrapIndex + 1, compacted]); // the election entry, then the snapshot
    c.node(1).propose(enc('after'));
    c.tickAll(2);
    expect(c.node(3).status().applied).toBe(compacted + 1);
    expect(c.get(3).applied).toEqual(c.get(1).applied);
    expect(c.get(3).applied).toHaveLength(11);
    const pr = c.node(1).status().progress!.get(3)!;
    expect(pr.state).toBe('replicate');
    expect(pr.match).toBe(compacted + 1);
  });

  it('the leader waits in snapshot state until the snapshot is reported or acknowledged', () => {
    const c = new Cluster();
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 5; i++) c.node(1).propose(enc(`e${i}`));
    c.stabilize();
    compactAt(c, 1);
    c.heal();
    c.drop = (m) => m.type === 'MsgSnap'; // the snapshot is sent, then lost
    c.tickAll(2);
    let pr = c.node(1).status().progress!.get(3)!;
    expect(pr.state).toBe('snapshot');
    expect(pr.pendingSnapshot).toBe(bootstrapIndex + 6);
    expect(pr.paused).toBe(true);
    c.node(1).reportSnapshot(3, 'failure');
    pr = c.node(1).status().progress!.get(3)!;
    expect(pr.state).toBe('probe');
    expect(pr.pendingSnapshot).toBe(0);
    c.drop = () => false;
    c.tickAll(3);
    expect(c.node(3).status().commit).toBe(bootstrapIndex + 6);
    expect(c.node(1).status().progress!.get(3)!.state).toBe('replicate');
  });

  it('does not send a snapshot to a follower that is not recently active', () => {
    const c = new Cluster({ config: { checkQuorum: true } });
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 5; i++) c.node(1).propose(enc(`e${i}`));
    c.stabilize();
    compactAt(c, 1);
    c.tickAll(12); // a check-quorum round marks 3 inactive
    c.sent.length = 0;
    c.node(1).reportUnreachable(3);
    c.node(1).propose(enc('x'));
    c.stabilize();
    expect(c.sent.filter((m) => m.type === 'MsgSnap')).toHaveLength(0);
    expect(c.get(1).log).toContain('1 ignore sending snapshot to 3 since it is not recently active');
  });

  it('a follower ignores a snapshot not ahead of its commit index', () => {
    const c = new Cluster();
    c.elect(1);
    c.node(1).propose(enc('a'));
    c.stabilize();
    const at = bootstrapIndex + 2;
    const snapshot = c.get(1).storage.createSnapshot(at, c.get(1).confState, enc('state'));
    c.node(2).step({ type: 'MsgSnap', from: 1, to: 2, term: 1, snapshot });
    const rd = c.node(2).ready();
    expect(rd.snapshot).toBeUndefined();
    expect(rd.messages).toEqual([{ type: 'MsgAppResp', from: 2, to: 1, term: 1, index: at, reject: false, rejectHint: 0, logTerm: 0 }]);
    expect(c.get(2).log).toContain(`2 [commit: ${at}] ignored snapshot [index: ${at}, term: 1]`);
  });
});
