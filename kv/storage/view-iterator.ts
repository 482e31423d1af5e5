/**
 * An `EngineIterator` over a frozen `SortedMapView`: the iterator of `MemoryEngine` and of a
 * write batch's own buffered writes. Entries come out synchronously; `next()` wraps them in a
 * resolved promise to honour the async interface.
 */
import type { EngineIterator, IterateOptions, KeyValue } from './engine.js';
import { compareKeys } from './engine.js';
import type { Cursor, SortedMapView } from './sorted-map.js';

export class ViewIterator implements EngineIterator {
  private cursor: Cursor;
  private closed = false;
  private returned = 0;

  constructor(
    private readonly view: SortedMapView,
    private readonly options: IterateOptions,
  ) {
    this.cursor = this.position(options.reverse === true ? options.upperBound : options.lowerBound, true);
  }

  /** The next entry, synchronously (also used by merging iterators). */
  nextSync(): KeyValue | undefined {
    if (this.closed) return undefined;
    if (this.options.limit !== undefined && this.returned >= this.options.limit) return undefined;
    const key = this.cursor.key();
    if (key === undefined) return undefined;
    const reverse = this.options.reverse === true;
    if (reverse ? compareKeys(key, this.options.lowerBound) < 0 : compareKeys(key, this.options.upperBound) >= 0) return undefined;
    const entry = { key, value: this.cursor.value()! };
    this.returned++;
    if (reverse) this.cursor.prev();
    else this.cursor.next();
    return entry;
  }

  next(): Promise<KeyValue | undefined> {
    return Promise.resolve(this.nextSync());
  }

  /** Always at hand: the view is in memory. */
  tryNext(): KeyValue | undefined {
    return this.nextSync();
  }

  seek(target: Uint8Array): void {
    this.cursor = this.position(target, false);
  }

  close(): void {
    this.closed = true;
  }

  private position(target: Uint8Array, initial: boolean): Cursor {
    if (this.options.reverse !== true) {
      const from = compareKeys(target, this.options.lowerBound) < 0 ? this.options.lowerBound : target;
      return this.view.cursorAtOrAfter(from);
    }
    // Reverse: the last key ≤ target, but strictly below the (exclusive) upper bound.
    if (initial || compareKeys(target, this.options.upperBound) >= 0) {
      const cursor = this.view.cursorAtOrBefore(this.options.upperBound);
      const key = cursor.key();
      if (key !== undefined && compareKeys(key, this.options.upperBound) >= 0) cursor.prev();
      return cursor;
    }
    return this.view.cursorAtOrBefore(target);
  }
}
