/**
 * A seeded chaos run over the RawNode: random delivery order, drops, duplicates, partitions,
 * restarts, compaction, conf changes and transfers; after every step, election safety (one
 * leader per term) and state-machine safety (no two nodes apply different entries at an index);
 * at the end, healed, every node converges. (The full simulation lives in src/sim/raft; this is
 * the core's own smoke alarm.)
 */
import { describe, expect, it } from 'vitest';
import { ProposalDroppedError, decodeConfChange as decode, describeEntry, type ConfChange, type Message } from '../../../../kv/raft/index.js';
import { Cluster, enc, seededRandom } from './cluster.js';

function runChaos(seed: number, steps: number, preVote: boolean, checkQuorum: boolean): void {
  const rng = seededRandom(seed);
  const c = new Cluster({ voters: [1, 2, 3], spare: [4, 5], seed, config: { preVote, checkQuorum, maxInflightMessages: 4, maxMessageBytes: 200 } });
  const ids = [1, 2, 3, 4, 5];
  const leaderOfTerm = new Map<number, number>();
  const appliedAt = new Map<number, string>();
  let proposals = 0;
  const checkSafety = (): void => {
    for (const id of ids) {
      const st = c.node(id).status();
      if (st.role !== 'leader') continue;
      const known = leaderOfTerm.get(st.term);
      if (known !== undefined && known !== id) throw new Error(`seed ${seed}: two leaders in term ${st.term}: ${known} and ${id}`);
      leaderOfTerm.set(st.term, id);
    }
  };
  const onApply = (id: number, entries: readonly { index: number; term: number }[], describe: (i: number) => string): void => {
    for (let i = 0; i < entries.length; i++) {
      const key = entries[i]!.index;
      const what = describe(i);
      const seen = appliedAt.get(key);
      if (seen !== undefined && seen !== what) throw new Error(`seed ${seed}: node ${id} applied ${what} at ${key}, another applied ${seen}`);
      appliedAt.set(key, what);
    }
  };
  /** Sends with a 10% loss; a lost snapshot is reported, as the transport would. */
  const transmit = (from: number, messages: readonly Message[]): void => {
    for (const m of messages) {
      if (rng.int(10) > 0) c.queue.push(m);
      else if (m.type === 'MsgSnap') c.node(from).reportSnapshot(m.to, 'failure');
    }
  };
  const processNode = (id: number): void => {
    const h = c.get(id);
    if (!h.node.hasReady()) return;
    const rd = h.node.ready();
    transmit(id, rd.messagesBeforePersist);
    if (rd.snapshot !== undefined) {
      h.storage.applySnapshot(rd.snapshot);
      h.confState = rd.snapshot.metadata.confState;
      h.applied.length = 0;
      h.appliedIndexes.push(rd.snapshot.metadata.index);
    }
    h.storage.append(rd.entries);
    if (rd.hardState !== undefined) h.storage.setHardState(rd.hardState);
    transmit(id, rd.messages);
    onApply(id, rd.committedEntries, (i) => describeEntry(rd.committedEntries[i]!));
    for (const entry of rd.committedEntries) {
      h.appliedIndexes.push(entry.index);
      if (entry.type === 'confChange') {
        try {
          h.confState = h.node.applyConfChange(decode(entry.data));
          h.storage.setConfState(h.confState);
        } catch (error) {
          if (!(error instanceof Error && error.name === 'InvalidConfChangeError')) throw error;
        }
      }
    }
    h.node.advance(rd);
  };
  const partitioned = new Set<number>();
  for (let step = 0; step < steps; step++) {
    const action = rng.int(100);
    const id = ids[rng.int(ids.length)]!;
    if (action < 30) {
      c.node(id).tick();
    } else if (action < 55) {
      processNode(id);
    } else if (action < 75 && c.queue.length > 0) {
      const at = rng.int(c.queue.length);
      const m = c.queue[at]!;
      if (rng.int(8) !== 0) c.queue.splice(at, 1); // else: duplicate delivery later
      if (!partitioned.has(m.from) && !partitioned.has(m.to)) {
        c.node(m.to).step(m);
        if (m.type === 'MsgSnap') c.node(m.from).reportSnapshot(m.to, 'finish');
      } else if (m.type === 'MsgSnap') {
        c.node(m.from).reportSnapshot(m.to, 'failure');
      }
    } else if (action < 82) {
      try {
        c.node(id).propose(enc(`p${proposals++}`));
      } catch (error) {
        if (!(error instanceof ProposalDroppedError)) throw error;
      }
    } else if (action < 84) {
      if (partitioned.size === 0) partitioned.add(id);
      else partitioned.clear();
    } else if (action < 86) {
      const h = c.get(id);
      const applied = c.node(id).status().applied;
      if (applied > h.storage.firstIndex()) h.storage.compact(applied - 1);
    } else if (action < 87) {
      processNode(id);
      c.restart(id);
    } else if (action < 88) {
      // Crash mid-Ready: the early messages went out, nothing was persisted.
      const h = c.get(id);
      if (h.node.hasReady()) transmit(id, h.node.ready().messagesBeforePersist);
      c.restart(id);
    } else if (action < 90) {
      try {
        c.node(id).transferLeadership(ids[rng.int(3)]!);
      } catch (error) {
        if (!(error instanceof ProposalDroppedError)) throw error;
      }
    } else if (action < 92) {
      const target = 3 + rng.int(3);
      const changes: ConfChange[] = [
        { changes: [{ type: 'addLearner', nodeId: target }], transition: 'simple' },
        { changes: [{ type: 'addNode', nodeId: target }], transition: 'simple' },
        { changes: [{ type: 'removeNode', nodeId: target }], transition: 'simple' },
        { changes: [{ type: 'addNode', nodeId: target }, { type: 'addLearner', nodeId: 2 }], transition: 'auto' },
        { changes: [{ type: 'addNode', nodeId: 2 }], transition: 'explicit' },
        { changes: [], transition: 'explicit' },
      ];
      try {
        c.node(id).proposeConfChange(changes[rng.int(changes.length)]!);
      } catch (error) {
        if (!(error instanceof ProposalDroppedError)) throw error;
      }
    } else if (c.queue.length > 50) {
      for (const m of c.queue.splice(0, 10)) if (m.type === 'MsgSnap') c.node(m.from).reportSnapshot(m.to, 'failure'); // shed old messages
    }
    checkSafety();
  }
  // Heal and let it settle: every node applies the same thing. Nodes removed from the latest
  // configuration are stopped (CockroachDB garbage-collects them): without pre-vote or
  // check-quorum a removed node that never learned of its removal keeps campaigning at higher
  // terms and disrupts the group forever (Raft thesis §4.2.3).
  partitioned.clear();
  const newest = ids.reduce((a, b) => (c.node(b).status().applied > c.node(a).status().applied ? b : a));
  const config = c.node(newest).status().config;
  const members = new Set([...config.voters, ...config.votersOutgoing, ...config.learners]);
  for (let round = 0; round < 400; round++) {
    for (const id of ids) {
      if (members.has(id)) c.node(id).tick();
      processNode(id);
    }
    const batch = c.queue;
    c.queue = [];
    for (const m of batch) {
      c.node(m.to).step(m);
      if (m.type === 'MsgSnap') c.node(m.from).reportSnapshot(m.to, 'finish');
    }
    checkSafety();
  }
  const leaders = ids.filter((id) => c.node(id).status().role === 'leader');
  expect(leaders.length, `seed ${seed}: leaders ${leaders}`).toBeLessThanOrEqual(1);
  if (leaders.length === 1) {
    const leader = leaders[0]!;
    const st = c.node(leader).status();
    for (const id of st.config.voters) {
      expect(c.node(id).status().applied, `seed ${seed}: voter ${id} applied`).toBe(st.applied);
    }
  }
}

describe('chaos', () => {
  for (const [preVote, checkQuorum] of [
    [false, false],
    [true, true],
  ] as const) {
    it(`keeps election and state-machine safety over 40 seeds (preVote=${preVote}, checkQuorum=${checkQuorum})`, () => {
      for (let seed = 1; seed <= 40; seed++) runChaos(seed, 1500, preVote, checkQuorum);
    });
  }
});
