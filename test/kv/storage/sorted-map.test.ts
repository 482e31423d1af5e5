import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SortedMap, type SortedMapView } from '../../../kv/storage/sorted-map.js';

const key = (n: number): Uint8Array => new TextEncoder().encode(n.toString(36).padStart(4, '0'));

function entries(view: SortedMapView): string[] {
  const out: string[] = [];
  const cursor = view.cursorAtOrAfter(new Uint8Array(0));
  for (let k = cursor.key(); k !== undefined; k = cursor.key()) {
    out.push(`${new TextDecoder().decode(k)}=${cursor.value()![0]}`);
    cursor.next();
  }
  return out;
}

describe('SortedMap', () => {
  it('keeps every view frozen while the map changes (copy-on-write), across chunk splits', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.boolean()), { minLength: 600, maxLength: 3000, size: 'max' }), (ops) => {
        const map = new SortedMap();
        const model = new Map<number, number>();
        const views: { view: SortedMapView; expected: string[] }[] = [];
        ops.forEach(([n, remove], i) => {
          if (remove) {
            expect(map.delete(key(n))).toBe(model.delete(n));
          } else {
            map.set(key(n), Uint8Array.of(i % 256));
            model.set(n, i % 256);
          }
          if (i % 500 === 0) {
            const expected = [...model.entries()].sort(([a], [b]) => a - b).map(([k, v]) => `${k.toString(36).padStart(4, '0')}=${v}`);
            views.push({ view: map.view(), expected });
          }
        });
        expect(map.size).toBe(model.size);
        for (const { view, expected } of views) expect(entries(view)).toEqual(expected);
      }),
      { seed: 3, numRuns: 40 },
    );
  });

  it('positions cursors at or after and at or before a key', () => {
    const map = new SortedMap();
    for (const n of [10, 20, 30]) map.set(key(n), Uint8Array.of(n));
    const view = map.view();
    expect(view.cursorAtOrAfter(key(15)).value()?.[0]).toBe(20);
    expect(view.cursorAtOrBefore(key(15)).value()?.[0]).toBe(10);
    expect(view.cursorAtOrBefore(key(5)).key()).toBeUndefined();
    expect(view.cursorAtOrAfter(key(35)).key()).toBeUndefined();
    expect(view.bytesInSpan(key(10), key(30))).toBe(2 * (4 + 1));
  });

  it('restores an older view (the crash image) without disturbing other views', () => {
    const map = new SortedMap();
    map.set(key(1), Uint8Array.of(1));
    const image = map.view();
    map.set(key(2), Uint8Array.of(2));
    const later = map.view();
    map.restore(image);
    expect(map.get(key(2))).toBeUndefined();
    map.set(key(3), Uint8Array.of(3));
    expect(entries(later)).toEqual(['0001=1', '0002=2']);
    expect(entries(image)).toEqual(['0001=1']);
  });
});
