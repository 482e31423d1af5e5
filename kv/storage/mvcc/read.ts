/**
 * MVCC reads: `mvccGet` for one key, `mvccScan` for a span, forward or reverse, at a timestamp,
 * with a transaction's view of its own intents (rules in `visibility.ts`).
 *
 * A scan walks the data span with one engine iterator and decides each user key from its
 * newest-version record — reading its intent from the lock table only when the record says the
 * key is locked — and consults older versions only when the newest is above the read timestamp. Conflicting intents do not stop
 * the scan: it gathers them all (up to a limit) and fails once with a `WriteIntentError`, so the
 * caller can push every blocker at once. An uncertain value fails the scan at once.
 *
 * **SKIP LOCKED** (`skipLocked`, CockroachDB's `SkipLocked` scanner option): a key locked by
 * another transaction is left out instead — an intent the read would conflict with (noted in
 * `skippedIntents`, so the caller can resolve one whose transaction it knows finished), and a
 * key the caller's lock table says is locked (`SkipLockedView`: unreplicated locks, which MVCC
 * does not see). Such a key is not a row: it does not count against `maxKeys`, the scan goes on
 * past it, and a newer committed version on it is no `WriteTooOldError` (the read does not lock
 * it, so nothing stale is protected).
 */
import { assert } from '../../../src/base/assert.js';
import { limits } from '../../../src/base/limits.js';
import { equal, less, lessEq, next, type Timestamp } from '../../../clock/timestamp.js';
import type { EngineIterator, KeyValue, Reader } from '../engine.js';
import { compareKeys, entryPending } from '../engine.js';
import { WriteIntentError, WriteTooOldError, type Intent } from './errors.js';
import { checkUserKey, dataSpan, decodeDataKey, afterVersionsKey, nextDataEntry, tryNextDataEntry, type DataKey } from './keys.js';
import type { MvccTxn } from './txn.js';
import { decodeKeyRecord, type IntentRecord, type KeyRecord, type Version } from './values.js';
import { intentConflicts, ownIntentView, readIntentIfLocked, readKeyRecord, visibleCommitted } from './visibility.js';

export interface ReadOptions {
  /** The reading transaction; its own intents are visible to it. */
  readonly txn?: MvccTxn;
  /** Values in `(timestamp, uncertaintyLimit]` make the read uncertain. Default: no interval. */
  readonly uncertaintyLimit?: Timestamp;
  /** Return conflicting intents instead of failing, and read the committed data below them. */
  readonly inconsistent?: boolean;
  /** Return deletion tombstones (value `null`) instead of skipping them. */
  readonly tombstones?: boolean;
  /**
   * A locking read (CockroachDB's `FailOnMoreRecent`): an intent of another transaction at any
   * timestamp is a conflict, and a committed version above the read timestamp fails the read
   * with a `WriteTooOldError` (all such keys, at the newest one's successor) instead of being
   * read around or reported as uncertain — the read is about to lock the key, and a lock taken
   * below a newer value would protect nothing.
   */
  readonly failOnMoreRecent?: boolean;
  /** SKIP LOCKED: leave out the keys locked by other transactions (see the module comment). */
  readonly skipLocked?: SkipLockedView;
}

/**
 * What a SKIP LOCKED read knows of locks beyond MVCC's intents (CockroachDB's `LockTableView`):
 * the locks of the range's lock table, as the read's request saw them under its latches.
 */
export interface SkipLockedView {
  /** Whether another transaction holds a lock on `key` that the read conflicts with. */
  isKeyLocked(key: Uint8Array): boolean;
}

/** A value as read: the version's timestamp, and `null` for a tombstone. */
export interface ReadValue {
  readonly value: Uint8Array | null;
  readonly timestamp: Timestamp;
}

export interface GetResult {
  readonly value: ReadValue | undefined;
  /** Intents read around (only with `inconsistent`). */
  readonly intents: readonly Intent[];
  /** Whether `skipLocked` left the key out (it is locked by another transaction). */
  readonly skipped?: boolean;
  /** Conflicting intents `skipLocked` left out (at most `writeIntentErrorIntentsMax`). */
  readonly skippedIntents?: readonly Intent[];
}

export interface ScanRow extends ReadValue {
  readonly key: Uint8Array;
}

export interface ScanOptions extends ReadOptions {
  readonly reverse?: boolean;
  /** Most rows to return; at most `limits.scanKeysMax`. */
  readonly maxKeys?: number;
  /** Stop once the rows' key and value bytes reach this; at most `limits.scanBytesMax`. */
  readonly targetBytes?: number;
}

export interface ScanResult {
  readonly rows: readonly ScanRow[];
  /** The span still to read when a limit stopped the scan early. */
  readonly resumeSpan: { readonly start: Uint8Array; readonly end: Uint8Array } | undefined;
  /** Intents read around (only with `inconsistent`). */
  readonly intents: readonly Intent[];
  /** Conflicting intents `skipLocked` left out (at most `writeIntentErrorIntentsMax`). */
  readonly skippedIntents: readonly Intent[];
}

interface ReadContext {
  readonly reader: Reader;
  readonly timestamp: Timestamp;
  readonly uncertaintyLimit: Timestamp;
  readonly txn: MvccTxn | undefined;
  readonly inconsistent: boolean;
  readonly failOnMoreRecent: boolean;
  readonly skipLocked: SkipLockedView | undefined;
}

function context(reader: Reader, timestamp: Timestamp, options: ReadOptions): ReadContext {
  if (options.txn !== undefined) {
    assert(equal(options.txn.readTimestamp, timestamp), 'a transactional read must be at the transaction read timestamp');
  }
  return {
    reader,
    timestamp,
    uncertaintyLimit: options.uncertaintyLimit ?? timestamp,
    txn: options.txn,
    inconsistent: options.inconsistent === true,
    failOnMoreRecent: options.failOnMoreRecent === true,
    skipLocked: options.skipLocked,
  };
}

/**
 * `moreRecent`: the timestamp of a committed version above the read (only with
 * `failOnMoreRecent`); `skipped`: SKIP LOCKED left the key out, `intent` (if any) being the
 * conflicting intent it skipped rather than a conflict.
 */
type KeyOutcome = { readonly version: ReadValue | undefined; readonly intent: Intent | undefined; readonly moreRecent?: Timestamp; readonly skipped?: boolean };

const skippedKey: KeyOutcome = Object.freeze({ version: undefined, intent: undefined, skipped: true });

/** Collects the keys a locking read found newer committed versions on. */
class MoreRecent {
  readonly keys: Uint8Array[] = [];
  newest: Timestamp | undefined;

  add(key: Uint8Array, timestamp: Timestamp): void {
    this.keys.push(Uint8Array.from(key));
    if (this.newest === undefined || less(this.newest, timestamp)) this.newest = timestamp;
  }

  throwIfAny(readTimestamp: Timestamp): void {
    if (this.newest === undefined) return;
    throw new WriteTooOldError(this.keys[0]!, readTimestamp, next(this.newest), this.keys);
  }
}

/** Decides one key from its intent and newest version. */
async function readKey(ctx: ReadContext, key: Uint8Array, intent: IntentRecord | undefined, newest: Version | undefined): Promise<KeyOutcome> {
  // SKIP LOCKED: a key another transaction locks (in the lock table) is no row of this read.
  if (ctx.skipLocked?.isKeyLocked(key) === true) return skippedKey;
  let seenIntent: Intent | undefined;
  if (intent !== undefined) {
    if (ctx.txn !== undefined && intent.txn.id === ctx.txn.meta.id) {
      const own = ownIntentView(key, intent, ctx.txn);
      if (own.visible) return { version: { value: own.value, timestamp: intent.txn.writeTimestamp }, intent: undefined };
    } else if (ctx.failOnMoreRecent || intentConflicts(intent, ctx.timestamp, ctx.uncertaintyLimit)) {
      seenIntent = { key, txn: intent.txn };
      if (ctx.skipLocked !== undefined && !ctx.inconsistent) return { version: undefined, intent: seenIntent, skipped: true };
      if (!ctx.inconsistent) return { version: undefined, intent: seenIntent };
    }
  }
  if (ctx.failOnMoreRecent && newest !== undefined && less(ctx.timestamp, newest.timestamp)) return { version: undefined, intent: seenIntent, moreRecent: newest.timestamp };
  const version = await visibleCommitted(ctx.reader, key, newest, ctx.timestamp, ctx.uncertaintyLimit);
  return { version, intent: seenIntent };
}

const noIntents: readonly Intent[] = Object.freeze([]);

/** Reads `key` at `timestamp`. Throws `WriteIntentError` or `ReadWithinUncertaintyIntervalError`. */
export async function mvccGet(reader: Reader, key: Uint8Array, timestamp: Timestamp, options: ReadOptions = {}): Promise<GetResult> {
  return mvccGetEager(reader, key, timestamp, options);
}

/**
 * `mvccGet` that answers at once, without a promise, when the key's record decides the read (the
 * common point read: one engine get); a promise only when it must read further (a lock, history,
 * uncertainty). One implementation for both: `mvccGet` is this behind a promise. Unlike
 * `mvccGet` it may throw synchronously.
 */
export function mvccGetEager(reader: Reader, key: Uint8Array, timestamp: Timestamp, options: ReadOptions = {}): GetResult | Promise<GetResult> {
  checkUserKey(key);
  const record = readKeyRecord(reader, key);
  const newest = record.newest;
  if (!record.locked && (newest === undefined || lessEq(newest.timestamp, timestamp)) && options.skipLocked === undefined) {
    // The common point read, decided by the key record alone: no lock to look at, and the newest
    // version (if any) is the one visible — rules 1 and 2 of visibility.ts have nothing to say,
    // rule 3 needs no history nor uncertainty check, and a locking read finds nothing newer.
    assert(options.txn === undefined || equal(options.txn.readTimestamp, timestamp), 'a transactional read must be at the transaction read timestamp');
    return { value: newest === undefined || (newest.value === null && options.tombstones !== true) ? undefined : newest, intents: noIntents };
  }
  return readBeyondRecord(reader, key, timestamp, options, record);
}

/** The rest of `mvccGet` when the key record alone does not decide the read. */
async function readBeyondRecord(reader: Reader, key: Uint8Array, timestamp: Timestamp, options: ReadOptions, record: KeyRecord): Promise<GetResult> {
  const ctx = context(reader, timestamp, options);
  const outcome = await readKey(ctx, key, readIntentIfLocked(reader, key, record), record.newest);
  if (outcome.skipped === true) return { value: undefined, intents: noIntents, skipped: true, skippedIntents: outcome.intent === undefined ? noIntents : [outcome.intent] };
  if (outcome.intent !== undefined && !ctx.inconsistent) throw new WriteIntentError([outcome.intent]);
  if (outcome.moreRecent !== undefined) throw new WriteTooOldError(key, timestamp, next(outcome.moreRecent));
  const version = outcome.version;
  const value = version === undefined || (version.value === null && options.tombstones !== true) ? undefined : version;
  return { value, intents: outcome.intent === undefined ? [] : [outcome.intent] };
}

/** Reads the keys of `[start, end)` at `timestamp`; see `ScanOptions` for limits and order. */
export async function mvccScan(
  reader: Reader,
  start: Uint8Array,
  end: Uint8Array,
  timestamp: Timestamp,
  options: ScanOptions = {},
): Promise<ScanResult> {
  assert(compareKeys(start, end) < 0, 'scan span must be non-empty');
  checkUserKey(start);
  const ctx = context(reader, timestamp, options);
  const reverse = options.reverse === true;
  const maxKeys = Math.min(options.maxKeys ?? limits.scanKeysMax, limits.scanKeysMax);
  const targetBytes = Math.min(options.targetBytes ?? limits.scanBytesMax, limits.scanBytesMax);
  assert(maxKeys > 0 && targetBytes > 0, 'scan limits must be positive');

  const data = new DataCursor(reader.iterate({ ...dataSpan(start, end), reverse }), reverse);
  const rows: ScanRow[] = [];
  const intents: Intent[] = [];
  const skippedIntents: Intent[] = [];
  const moreRecent = new MoreRecent();
  let bytes = 0;
  let resumeSpan: ScanResult['resumeSpan'];
  // A plain read of an unlocked key whose newest version is at or below the read is decided by
  // its record alone, without `readKey`'s promise (as in mvccGet): no intent, no history, no
  // uncertainty, and a locking read finds nothing newer. SKIP LOCKED must ask its lock view.
  const plain = ctx.skipLocked === undefined;
  try {
    await data.load();
    while (data.head !== undefined) {
      const key = data.head.userKey;
      const record = data.takeRecord();
      const skipping = data.skipKey(key);
      if (skipping !== undefined) await skipping;
      const newest = record.newest;
      if (plain && !record.locked && (newest === undefined || lessEq(newest.timestamp, timestamp))) {
        if (newest === undefined || (newest.value === null && options.tombstones !== true)) continue;
        rows.push({ key: Uint8Array.from(key), value: newest.value, timestamp: newest.timestamp });
        bytes += key.length + (newest.value?.length ?? 0);
        if (rows.length >= maxKeys || bytes >= targetBytes) {
          if (data.head !== undefined) resumeSpan = reverse ? { start, end: Uint8Array.from(key) } : { start: keySuccessor(key), end };
          break;
        }
        continue;
      }
      const outcome = await readKey(ctx, key, readIntentIfLocked(reader, key, record), newest);
      if (outcome.skipped === true) {
        if (outcome.intent !== undefined && skippedIntents.length < limits.writeIntentErrorIntentsMax) skippedIntents.push(outcome.intent);
        continue;
      }
      if (outcome.intent !== undefined) {
        intents.push(outcome.intent);
        if (intents.length >= limits.writeIntentErrorIntentsMax) break;
      }
      if (outcome.moreRecent !== undefined) moreRecent.add(key, outcome.moreRecent);
      const version = outcome.version;
      if (version === undefined || (version.value === null && options.tombstones !== true)) continue;
      rows.push({ key: Uint8Array.from(key), value: version.value, timestamp: version.timestamp });
      bytes += key.length + (version.value?.length ?? 0);
      if (rows.length >= maxKeys || bytes >= targetBytes) {
        if (data.head !== undefined) resumeSpan = reverse ? { start, end: Uint8Array.from(key) } : { start: keySuccessor(key), end };
        break;
      }
    }
  } finally {
    data.close();
  }
  if (intents.length > 0 && !ctx.inconsistent) throw new WriteIntentError(intents);
  moreRecent.throwIfAny(timestamp);
  return { rows, resumeSpan, intents, skippedIntents };
}

/** The smallest key greater than `key`. */
export function keySuccessor(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

/** Versions of the data span, one user key at a time. */
class DataCursor {
  head: (DataKey & { readonly value: Uint8Array }) | undefined;
  /** Versions to step over with `next()` before a seek is cheaper. */
  private static readonly nextsBeforeSeek = 4;

  constructor(
    private readonly it: EngineIterator,
    private readonly reverse: boolean,
  ) {}

  async load(): Promise<void> {
    this.setHead(await nextDataEntry(this.it, this.reverse));
    if (this.reverse) await this.moveToNewest();
  }

  /** Forward only: moves to the next entry if the iterator has it at hand; false if it must be awaited (`load`). */
  private tryLoad(): boolean {
    const kv = tryNextDataEntry(this.it, false);
    if (kv === entryPending) return false;
    this.setHead(kv);
    return true;
  }

  private setHead(kv: KeyValue | undefined): void {
    if (kv === undefined) {
      this.head = undefined;
      return;
    }
    const decoded = decodeDataKey(kv.key);
    this.head = { userKey: decoded.userKey, escapedKey: decoded.escapedKey, timestamp: decoded.timestamp, value: kv.value };
  }

  /** The record of the head's key (the head is always a key's newest-version record). */
  takeRecord(): KeyRecord {
    const head = this.head;
    assert(head !== undefined, 'no head');
    assert(head.timestamp === undefined, 'a key with older versions but no newest version');
    return decodeKeyRecord(head.value);
  }

  /**
   * Moves the head past every version of `key` (a no-op if the head is not `key`'s). Returns
   * undefined when done synchronously — forward, a key with one version whose successor is in
   * the read-ahead buffer: the common step of a scan — else a promise to await.
   */
  skipKey(key: Uint8Array): Promise<void> | undefined {
    if (this.head === undefined || compareKeys(this.head.userKey, key) !== 0) return undefined;
    if (this.reverse) return this.load(); // in reverse the newest version is the key's last entry
    const escapedKey = this.head.escapedKey;
    if (!this.tryLoad()) return this.skipVersions(key, escapedKey, 0);
    if (this.head === undefined || compareKeys(this.head.userKey, key) !== 0) return undefined;
    return this.skipVersions(key, escapedKey, 1);
  }

  /** Forward: steps over `key`'s remaining versions (`stepped` already taken), seeking past them after a few. */
  private async skipVersions(key: Uint8Array, escapedKey: Uint8Array, stepped: number): Promise<void> {
    for (let step = stepped; step < DataCursor.nextsBeforeSeek; step++) {
      await this.load();
      if (this.head === undefined || compareKeys(this.head.userKey, key) !== 0) return;
    }
    this.it.seek(afterVersionsKey(escapedKey));
    await this.load();
  }

  /** Reverse only: older versions come before the newest; step or seek to the newest. */
  private async moveToNewest(): Promise<void> {
    let steps = 0;
    while (this.head !== undefined && this.head.timestamp !== undefined) {
      if (++steps > DataCursor.nextsBeforeSeek) this.it.seek(this.head.escapedKey);
      this.setHead(await this.it.next());
    }
  }

  close(): void {
    this.it.close();
  }
}
