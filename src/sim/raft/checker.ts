/**
 * The safety checkers, fed by the cluster after every step that could break them. Each keeps a
 * global record over the whole run (crashed and removed nodes included), so it catches a
 * violation at the first step that commits to it:
 *
 * - **Election safety**: at most one leader per term (`leaders`: term → node, never forgotten).
 * - **Log matching** on persisted logs: an `(index, term)` pair names one entry — the same data,
 *   after the same previous term — on every node and at every time. By induction on the index
 *   that is the paper's property (two logs holding an entry with one index and term are equal up
 *   to it), checked incrementally as entries reach a disk.
 * - **Leader completeness**: an entry known committed while a node was in term `t` is in the log
 *   of every leader of a term above `t`, checked when a leader is elected and when a commit
 *   becomes known while a later-term leader reigns.
 * - **State machine safety**: no two nodes apply different entries at one index; applied and
 *   committed entries are one history (`decided`: index → entry).
 */
import type { RaftNodeId } from '../../../kv/raft/index.js';

/** A broken invariant: the run stops and reports its seed and trace tail. */
export class SimViolation extends Error {
  override readonly name = 'SimViolation';
  constructor(
    readonly invariant: string,
    detail: string,
  ) {
    super(`${invariant}: ${detail}`);
  }
}

/** What a log holds at one index: an entry, nothing (beyond its end), or a compacted prefix. */
export type LogSlot = { readonly term: number; readonly hash: number } | 'compacted' | 'missing';

/** Reads one node's log (durable plus not-yet-synced writes) at an index. */
export type LogView = (index: number) => LogSlot;

interface Decided {
  readonly term: number;
  readonly hash: number;
  /** The lowest term in which some node knew the entry committed (an upper bound on its commit term). */
  observedTerm: number;
  readonly firstSeenBy: RaftNodeId;
}

interface PairRecord {
  readonly term: number;
  readonly hash: number;
  readonly previousTerm: number;
  readonly node: RaftNodeId;
}

interface ReigningLeader {
  readonly term: number;
  readonly view: LogView;
}

export class SafetyChecker {
  private readonly leaders = new Map<number, RaftNodeId>();
  private readonly pairs = new Map<number, PairRecord[]>(); // index → one record per term seen
  private readonly decided = new Map<number, Decided>();
  private readonly reigning = new Map<RaftNodeId, ReigningLeader>();
  private decidedMax = 0;

  /** Election safety, then leader completeness for the new leader's log. */
  leaderElected(node: RaftNodeId, term: number, view: LogView): void {
    const existing = this.leaders.get(term);
    if (existing !== undefined && existing !== node) {
      throw new SimViolation('election safety', `nodes ${existing} and ${node} are both leader of term ${term}`);
    }
    this.leaders.set(term, node);
    this.reigning.set(node, { term, view });
    for (const [index, entry] of this.decided) {
      if (entry.observedTerm < term) this.expectInLog(node, term, view, index, entry);
    }
  }

  /**
   * A node sent what only a leader sends (an append, a heartbeat, a snapshot) in `term`: it
   * was leader then, even if it never showed it in a Ready (it may have been elected and deposed
   * between two). Election safety only.
   */
  leaderSpoke(node: RaftNodeId, term: number): void {
    const existing = this.leaders.get(term);
    if (existing === undefined) this.leaders.set(term, node);
    else if (existing !== node) throw new SimViolation('election safety', `nodes ${existing} and ${node} both acted as leader of term ${term}`);
  }

  /** The node is no longer leader (stepped down, crashed or removed). */
  leaderGone(node: RaftNodeId): void {
    this.reigning.delete(node);
  }

  leaderOf(term: number): RaftNodeId | undefined {
    return this.leaders.get(term);
  }

  get termsWithLeader(): number {
    return this.leaders.size;
  }

  /** Log matching: `entries` just reached `node`'s disk; `previousTerm(i)` is the term at `i - 1` there. */
  persisted(node: RaftNodeId, index: number, term: number, hash: number, previousTerm: number): void {
    let records = this.pairs.get(index);
    if (records === undefined) {
      records = [];
      this.pairs.set(index, records);
    }
    const same = records.find((r) => r.term === term);
    if (same === undefined) {
      records.push({ term, hash, previousTerm, node });
      return;
    }
    if (same.hash !== hash) {
      throw new SimViolation('log matching', `index ${index} term ${term} holds different data on node ${same.node} and node ${node}`);
    }
    if (same.previousTerm !== previousTerm) {
      throw new SimViolation(
        'log matching',
        `index ${index} term ${term} follows term ${same.previousTerm} on node ${same.node} but term ${previousTerm} on node ${node}`,
      );
    }
  }

  /**
   * An entry is known committed (a node's persisted commit index covers it, or it was applied)
   * while `node` was in `term`. Checks it against everything decided before, and against every
   * reigning leader of a later term.
   */
  committed(node: RaftNodeId, term: number, index: number, entryTerm: number, hash: number, how: string): void {
    const known = this.decided.get(index);
    if (known !== undefined) {
      if (known.term !== entryTerm || known.hash !== hash) {
        throw new SimViolation(
          'state machine safety',
          `index ${index}: node ${node} ${how} an entry of term ${entryTerm} (hash ${hash}) but node ${known.firstSeenBy} had term ${known.term} (hash ${known.hash})`,
        );
      }
      if (term >= known.observedTerm) return;
      known.observedTerm = term;
    } else {
      this.decided.set(index, { term: entryTerm, hash, observedTerm: term, firstSeenBy: node });
      if (index > this.decidedMax) this.decidedMax = index;
    }
    const entry = this.decided.get(index)!;
    for (const [leader, reign] of this.reigning) {
      if (reign.term > entry.observedTerm) this.expectInLog(leader, reign.term, reign.view, index, entry);
    }
  }

  /** The entry decided at `index`, if any node has seen it committed. */
  decidedAt(index: number): { readonly term: number; readonly hash: number } | undefined {
    return this.decided.get(index);
  }

  get highestDecided(): number {
    return this.decidedMax;
  }

  private expectInLog(node: RaftNodeId, term: number, view: LogView, index: number, entry: Decided): void {
    const slot = view(index);
    if (slot === 'compacted') return; // covered by the leader's snapshot, checked when it was installed
    if (slot === 'missing') {
      throw new SimViolation(
        'leader completeness',
        `leader ${node} of term ${term} lacks index ${index} (term ${entry.term}), known committed in term ${entry.observedTerm}`,
      );
    }
    if (slot.term !== entry.term || slot.hash !== entry.hash) {
      throw new SimViolation(
        'leader completeness',
        `leader ${node} of term ${term} has term ${slot.term} at index ${index} where term ${entry.term} was committed (known in term ${entry.observedTerm})`,
      );
    }
  }
}
