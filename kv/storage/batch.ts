/**
 * `Batch`: buffered writes that read through to a base `Reader` — reads see the batch's own
 * writes layered over the base (an "indexed batch" in Pebble's terms). Command evaluation
 * writes into a `Batch` over the engine, later commands of the same request see earlier ones'
 * writes, and the whole batch is then committed atomically (or proposed through Raft).
 *
 * The ops are kept in order for the commit, and indexed by key in a `KeyHashMap` for reads (a
 * sorted view is built only when the batch is iterated); a deletion is indexed as the `deleted`
 * marker so it hides the base's value.
 *
 * The index is built lazily, at the first read that needs it, and then kept up to date from the
 * ops appended since: a batch that is only written — the store's Raft Ready batch, a command's
 * application, about two thirds of the writes a TPC-B transaction makes — never hashes its keys.
 */
import { assert } from '../../src/base/assert.js';
import type { EngineIterator, IterateOptions, KeyValue, Reader, ReadWriter, WriteOp } from './engine.js';
import { compareKeys } from './engine.js';
import { KeyHashMap } from './key-hash-map.js';
import { ViewIterator } from './view-iterator.js';

/** Marks a key deleted in the batch index (compared by identity). */
const deleted = new Uint8Array(0);

export class Batch implements ReadWriter {
  private readonly writes: WriteOp[] = [];
  /** The index of `writes[0, indexed)`, created at the first read over a non-empty batch. */
  private index: KeyHashMap | undefined;
  private indexed = 0;
  private bytes = 0;

  constructor(private readonly base: Reader) {}

  /** The buffered ops, in the order they were made. */
  get ops(): readonly WriteOp[] {
    return this.writes;
  }

  get count(): number {
    return this.writes.length;
  }

  /** Bytes of keys and values buffered. */
  get byteSize(): number {
    return this.bytes;
  }

  put(key: Uint8Array, value: Uint8Array): void {
    assert(value !== deleted, 'the deletion marker is not a value');
    this.writes.push({ kind: 'put', key, value });
    this.bytes += key.length + value.length;
  }

  delete(key: Uint8Array): void {
    this.writes.push({ kind: 'delete', key });
    this.bytes += key.length;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    if (this.writes.length === 0) return this.base.get(key);
    const own = this.currentIndex().get(key);
    if (own === undefined) return this.base.get(key);
    return own === deleted ? undefined : own;
  }

  iterate(options: IterateOptions): EngineIterator {
    if (this.writes.length === 0) return this.base.iterate(options);
    // The limit applies to the merged output: the sides are read without one.
    const unlimited = { lowerBound: options.lowerBound, upperBound: options.upperBound, reverse: options.reverse === true };
    return new MergingIterator(new ViewIterator(this.currentIndex().view(), unlimited), this.base.iterate(unlimited), unlimited.reverse, options.limit);
  }

  /** The index over every op so far: the ops appended since the last read are folded in, in order. */
  private currentIndex(): KeyHashMap {
    const index = (this.index ??= new KeyHashMap());
    for (; this.indexed < this.writes.length; this.indexed++) {
      const op = this.writes[this.indexed]!;
      index.set(op.key, op.kind === 'put' ? op.value : deleted);
    }
    return index;
  }
}

/**
 * Merges the batch's own entries (synchronous) over the base's (asynchronous). On equal keys the
 * batch wins; the batch's deletion markers hide base entries and are not returned.
 */
class MergingIterator implements EngineIterator {
  private ownHead: KeyValue | undefined;
  private baseHead: KeyValue | undefined;
  private baseHeadLoaded = false;
  private returned = 0;

  constructor(
    private readonly own: ViewIterator,
    private readonly base: EngineIterator,
    private readonly reverse: boolean,
    private readonly limit: number | undefined,
  ) {
    this.ownHead = own.nextSync();
  }

  async next(): Promise<KeyValue | undefined> {
    if (this.limit !== undefined && this.returned >= this.limit) return undefined;
    const entry = await this.nextMerged();
    if (entry !== undefined) this.returned++;
    return entry;
  }

  private async nextMerged(): Promise<KeyValue | undefined> {
    for (;;) {
      if (!this.baseHeadLoaded) {
        this.baseHead = await this.base.next();
        this.baseHeadLoaded = true;
      }
      const own = this.ownHead;
      const base = this.baseHead;
      if (own === undefined && base === undefined) return undefined;
      let order: number;
      if (own === undefined) order = 1;
      else if (base === undefined) order = -1;
      else order = this.reverse ? compareKeys(base.key, own.key) : compareKeys(own.key, base.key);
      if (order > 0) {
        this.baseHeadLoaded = false;
        return base;
      }
      this.ownHead = this.own.nextSync();
      if (order === 0) this.baseHeadLoaded = false; // the batch shadows the base entry
      if (own!.value !== deleted) return own;
    }
  }

  seek(target: Uint8Array): void {
    this.own.seek(target);
    this.ownHead = this.own.nextSync();
    this.base.seek(target);
    this.baseHeadLoaded = false;
  }

  close(): void {
    this.own.close();
    this.base.close();
  }
}
