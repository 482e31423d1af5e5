/**
 * The Raft log: storage plus the unstable tail; conflicts, appends, compaction boundaries.
 */
import { describe, expect, it } from 'vitest';
import { LogCompactedError, MemoryStorage, emptyConfState, type Entry } from '../../../../kv/raft/index.js';
import { RaftLog } from '../../../../kv/raft/log.js';

const e = (index: number, term: number, data = ''): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(data) });
const ids = (entries: readonly Entry[]): string[] => entries.map((x) => `${x.index}/${x.term}`);

/** A log whose storage holds `stored` entries and whose unstable tail holds `unstable`. */
function logWith(stored: Entry[], unstable: Entry[] = []): RaftLog {
  const storage = new MemoryStorage();
  storage.append(stored);
  const log = new RaftLog(storage);
  log.append(unstable);
  return log;
}

describe('RaftLog', () => {
  it('reads terms across storage and the unstable tail', () => {
    const log = logWith([e(1, 1), e(2, 1)], [e(3, 2), e(4, 3)]);
    expect(log.firstIndex()).toBe(1);
    expect(log.lastIndex()).toBe(4);
    expect([0, 1, 2, 3, 4, 5].map((i) => log.maybeTerm(i))).toEqual([0, 1, 1, 2, 3, undefined]);
    expect(log.lastTerm()).toBe(3);
  });

  it('findConflict: first mismatching or new entry, 0 if all match', () => {
    const log = logWith([e(1, 1), e(2, 2), e(3, 3)]);
    expect(log.findConflict([])).toBe(0);
    expect(log.findConflict([e(1, 1), e(2, 2)])).toBe(0);
    expect(log.findConflict([e(2, 2), e(3, 3), e(4, 4)])).toBe(4);
    expect(log.findConflict([e(2, 2), e(3, 4), e(4, 4)])).toBe(3);
    expect(log.findConflict([e(1, 4)])).toBe(1);
  });

  it('findConflictByTerm: largest index <= index with term <= term', () => {
    const log = logWith([e(1, 1), e(2, 1), e(3, 3), e(4, 3), e(5, 5)]);
    expect(log.findConflictByTerm(5, 4)).toEqual({ index: 4, term: 3 });
    expect(log.findConflictByTerm(5, 2)).toEqual({ index: 2, term: 1 });
    expect(log.findConflictByTerm(5, 0)).toEqual({ index: 0, term: 0 });
    expect(log.findConflictByTerm(3, 9)).toEqual({ index: 3, term: 3 });
  });

  it('maybeAppend: refuses a mismatch, appends, truncates a conflicting suffix, commits', () => {
    const log = logWith([e(1, 1), e(2, 2), e(3, 2)]);
    expect(log.maybeAppend(3, 3, 3, [e(4, 3)])).toBeUndefined(); // (3, 3) not in our log
    expect(log.maybeAppend(3, 2, 2, [e(4, 3)])).toBe(4);
    expect(log.committed).toBe(2);
    expect(log.maybeAppend(2, 2, 9, [e(3, 4), e(4, 4), e(5, 4)])).toBe(5);
    expect(ids(log.slice(1, 6, Infinity))).toEqual(['1/1', '2/2', '3/4', '4/4', '5/4']);
    expect(log.committed).toBe(5); // min(leader commit, last new index)
    // An already-present prefix is not rewritten, and the commit index never moves back.
    expect(log.maybeAppend(1, 1, 3, [e(2, 2)])).toBe(2);
    expect(log.lastIndex()).toBe(5);
    expect(log.committed).toBe(5);
  });

  it('never truncates committed entries', () => {
    const log = logWith([e(1, 1), e(2, 1), e(3, 1)]);
    log.commitTo(3);
    expect(() => log.maybeAppend(1, 1, 3, [e(2, 2)])).toThrow(/conflicts with committed/);
    expect(() => log.commitTo(9)).toThrow(/beyond the last index/);
  });

  it('slices across storage and unstable, bounded by maxBytes but at least one entry', () => {
    const log = logWith([e(1, 1, 'aaaaaaaaaa'), e(2, 1, 'bbbbbbbbbb')], [e(3, 1, 'cccccccccc'), e(4, 1, 'dddddddddd')]);
    expect(ids(log.slice(1, 5, Infinity))).toEqual(['1/1', '2/1', '3/1', '4/1']);
    expect(ids(log.slice(1, 5, 70))).toEqual(['1/1', '2/1']); // 34 bytes each
    expect(ids(log.slice(2, 5, 70))).toEqual(['2/1', '3/1']);
    expect(ids(log.slice(3, 5, 1))).toEqual(['3/1']);
    expect(log.slice(3, 3, 1)).toEqual([]);
  });

  it('compaction boundaries: the entry before the first index still has a term; older ones are compacted', () => {
    const storage = new MemoryStorage();
    storage.append([e(1, 1), e(2, 1), e(3, 2), e(4, 2), e(5, 3)]);
    storage.createSnapshot(3, emptyConfState, new Uint8Array(0));
    storage.compact(3);
    const log = new RaftLog(storage);
    expect(log.firstIndex()).toBe(4);
    expect(log.maybeTerm(3)).toBe(2); // the snapshot's term
    expect(log.maybeTerm(2)).toBeUndefined();
    expect(() => log.term(2)).toThrow(LogCompactedError);
    expect(() => log.slice(3, 5, Infinity)).toThrow(LogCompactedError);
    expect(ids(log.slice(4, 6, Infinity))).toEqual(['4/2', '5/3']);
    expect(log.matchTerm(3, 2)).toBe(true);
    expect(log.committed).toBe(3);
    expect(log.applied).toBe(3);
  });

  it('stableTo ignores entries replaced since they were handed out', () => {
    const log = logWith([e(1, 1)], [e(2, 1), e(3, 1)]);
    const handedOut = log.nextUnstableEntries();
    log.append([e(3, 2)]); // a conflicting append replaced index 3 meanwhile
    log.stableTo(3, 1);
    expect(ids(log.nextUnstableEntries())).toEqual(['2/1', '3/2']);
    log.stableTo(2, 1);
    expect(ids(log.nextUnstableEntries())).toEqual(['3/2']);
    expect(ids(handedOut)).toEqual(['2/1', '3/1']); // handed-out arrays are not mutated
  });

  it('committed entries are handed out from applied + 1, none while a snapshot is pending', () => {
    const log = logWith([e(1, 1), e(2, 1), e(3, 1)]);
    log.commitTo(2);
    expect(ids(log.nextCommittedEntries(Infinity))).toEqual(['1/1', '2/1']);
    log.appliedTo(2);
    expect(log.hasNextCommittedEntries()).toBe(false);
    log.restore({ metadata: { index: 10, term: 4, confState: emptyConfState }, data: new Uint8Array(0) });
    expect(log.committed).toBe(10);
    expect(log.hasNextCommittedEntries()).toBe(false);
    expect(log.lastIndex()).toBe(10);
    expect(log.firstIndex()).toBe(11);
    expect(log.maybeTerm(10)).toBe(4);
  });

  it('isUpToDate compares last term first, then last index', () => {
    const log = logWith([e(1, 1), e(2, 2)]);
    expect(log.isUpToDate(1, 3)).toBe(true);
    expect(log.isUpToDate(2, 2)).toBe(true);
    expect(log.isUpToDate(1, 2)).toBe(false);
    expect(log.isUpToDate(9, 1)).toBe(false);
  });
});
