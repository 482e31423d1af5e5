/**
 * `npm run bench -- raft [--proposers=64] [--entries=200000]`: what batching and pipelining buy.
 *
 * A 3-node Raft group in one process over an in-memory network, with no I/O: each Ready's
 * entries and hard state go to `MemoryStorage`, messages are delivered in the next round, and
 * committed entries are "applied" by completing the proposal that made them. `--proposers`
 * clients each keep one 100-byte proposal in flight, proposing the next as soon as theirs is
 * applied on the leader. Reported: committed-and-applied entries per second. Reference: the same
 * run with a single proposer in flight — one entry per consensus round trip — so the ratio shows
 * what proposal batching and pipelined appends buy.
 */
import { MemoryStorage, RawNode, type Message, type Ready } from '../kv/raft/index.js';
import { SeededRandom } from '../src/env/random.js';
import { flag, nowMs, progress, report } from './_report.js';

const proposerCount = flag('proposers', 64);
const entryTarget = flag('entries', 200_000);
const payload = new Uint8Array(100).fill(9);

interface Member {
  readonly id: number;
  readonly node: RawNode;
  readonly storage: MemoryStorage;
}

function makeGroup(): Member[] {
  const ids = [1, 2, 3];
  return ids.map((id) => {
    const storage = new MemoryStorage();
    storage.applySnapshot({ metadata: { index: 1, term: 1, confState: { voters: ids, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } }, data: new Uint8Array(0) });
    const node = new RawNode({ id, storage, electionTicks: 10, heartbeatTicks: 1, random: new SeededRandom(id), preVote: true, checkQuorum: true });
    return { id, node, storage };
  });
}

/** Runs until `entryTarget` proposals are applied on the leader; returns entries/s. */
function run(proposers: number): number {
  const group = makeGroup();
  const byId = new Map(group.map((m) => [m.id, m]));
  const leader = group[0]!;
  const inbox: Message[] = [];
  leader.node.campaign();
  let applied = 0;
  let inFlight = 0;
  let started = false;
  let startMs = 0;
  const handle = (member: Member, ready: Ready): void => {
    inbox.push(...ready.messagesBeforePersist);
    if (ready.snapshot !== undefined) member.storage.applySnapshot(ready.snapshot);
    member.storage.append(ready.entries);
    if (ready.hardState !== undefined) member.storage.setHardState(ready.hardState);
    inbox.push(...ready.messages);
    if (member === leader && started) {
      for (const entry of ready.committedEntries) {
        if (entry.data.length === payload.length) {
          applied++;
          inFlight--;
        }
      }
    }
    member.node.advance(ready);
  };
  for (let round = 0; applied < entryTarget; round++) {
    if (!started && leader.node.status().role === 'leader') {
      started = true;
      startMs = nowMs();
    }
    if (started) {
      while (inFlight < proposers && applied + inFlight < entryTarget) {
        leader.node.propose(payload);
        inFlight++;
      }
    }
    for (const member of group) if (member.node.hasReady()) handle(member, member.node.ready());
    const delivering = inbox.splice(0);
    for (const message of delivering) byId.get(message.to)!.node.step(message);
    if (round > 50_000_000) throw new Error('raft bench made no progress');
  }
  return (applied / (nowMs() - startMs)) * 1000;
}

function main(): void {
  progress(`raft: 3 nodes in memory, ${entryTarget} entries of ${payload.length} bytes`);
  const single = run(1);
  progress(`1 proposer in flight: ${Math.round(single)} entries/s`);
  const many = run(proposerCount);
  progress(`${proposerCount} proposers in flight: ${Math.round(many)} entries/s`);
  report({ bench: 'raft', metric: `committed and applied entries/s, ${proposerCount} proposers vs 1`, unit: 'entries/s', value: many, reference: single });
}

main();
