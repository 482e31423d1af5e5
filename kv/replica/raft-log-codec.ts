/**
 * Binary encodings of what a replica persists about its Raft log: entries (`rftl` keys), the
 * hard state (`rfth`) and the truncated state (`rftt`, the log's low-water mark).
 *
 * Every record starts with a version byte, so a later format can be read next to this one.
 * Integers are LEB128 varints (kv/storage/codec.ts). An entry carries its own index although
 * the key holds it too: a mismatch between key and value is caught on read. Decoding input we
 * did not write (unknown version or entry type, truncated or trailing bytes) throws
 * `StorageError` — the disk returned garbage, an I/O-class failure, not a programmer error.
 *
 *     entry           ∥ 0x01 ∥ type (0 normal, 1 confChange) ∥ term ∥ index ∥ len ∥ data
 *     hard state      ∥ 0x01 ∥ term ∥ vote ∥ commit
 *     truncated state ∥ 0x01 ∥ index ∥ term
 */
import { StorageError } from '../../src/base/errors.js';
import type { Entry, EntryType, HardState } from '../raft/index.js';
import { ByteReader, ByteWriter, uvarintSize } from '../storage/codec.js';

const version1 = 1;

/**
 * The low-water mark of a range's Raft log: every entry up to `index` was discarded (it is in
 * the state machine, and a snapshot replaces it for a follower that needs it); `term` is the
 * term of entry `index`, kept so that log matching works at the boundary.
 */
export interface TruncatedState {
  readonly index: number;
  readonly term: number;
}

export const emptyTruncatedState: TruncatedState = Object.freeze({ index: 0, term: 0 });

const entryTypeCodes: Readonly<Record<EntryType, number>> = Object.freeze({ normal: 0, confChange: 1 });

function entryTypeOf(code: number): EntryType {
  if (code === entryTypeCodes.normal) return 'normal';
  if (code === entryTypeCodes.confChange) return 'confChange';
  throw new StorageError(`corrupt raft log entry: unknown entry type ${code}`);
}

function readVersion(reader: ByteReader, what: string): void {
  const version = reader.byte();
  if (version !== version1) throw new StorageError(`corrupt ${what}: unknown version ${version}`);
}

export function encodeEntry(entry: Entry): Uint8Array {
  // Sized exactly: the entry's data (a whole Raft command) is copied once, not twice.
  const writer = new ByteWriter(2 + uvarintSize(entry.term) + uvarintSize(entry.index) + uvarintSize(entry.data.length) + entry.data.length);
  writer.byte(version1).byte(entryTypeCodes[entry.type]).uvarint(entry.term).uvarint(entry.index);
  return writer.bytes(entry.data).finishSized();
}

/** Decodes an entry; `data` is a view of `bytes` (neither may be mutated). */
export function decodeEntry(bytes: Uint8Array): Entry {
  const reader = new ByteReader(bytes, 'raft log entry');
  readVersion(reader, 'raft log entry');
  const type = entryTypeOf(reader.byte());
  const term = reader.uvarint();
  const index = reader.uvarint();
  const data = reader.bytes();
  reader.end();
  return Object.freeze({ term, index, type, data });
}

export function encodeHardState(hardState: HardState): Uint8Array {
  return new ByteWriter(16).byte(version1).uvarint(hardState.term).uvarint(hardState.vote).uvarint(hardState.commit).finish();
}

export function decodeHardState(bytes: Uint8Array): HardState {
  const reader = new ByteReader(bytes, 'raft hard state');
  readVersion(reader, 'raft hard state');
  const term = reader.uvarint();
  const vote = reader.uvarint();
  const commit = reader.uvarint();
  reader.end();
  return Object.freeze({ term, vote, commit });
}

export function encodeTruncatedState(truncated: TruncatedState): Uint8Array {
  return new ByteWriter(16).byte(version1).uvarint(truncated.index).uvarint(truncated.term).finish();
}

export function decodeTruncatedState(bytes: Uint8Array): TruncatedState {
  const reader = new ByteReader(bytes, 'raft truncated state');
  readVersion(reader, 'raft truncated state');
  const index = reader.uvarint();
  const term = reader.uvarint();
  reader.end();
  return Object.freeze({ index, term });
}
