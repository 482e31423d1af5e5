/**
 * `borrowed(engine)`: `engine` for a store that must not close it when it stops, so the next store
 * (a restart in a test) opens on the same data.
 */
import type { Engine } from '../../kv/storage/engine.js';
import type { MemoryEngine } from '../../kv/storage/memory-engine.js';

export function borrowed(engine: MemoryEngine): Engine {
  return {
    get: (key) => engine.get(key),
    iterate: (options) => engine.iterate(options),
    snapshot: () => engine.snapshot(),
    commit: (ops, options) => engine.commit(ops, options),
    approximateSize: (start, end) => engine.approximateSize(start, end),
    close: () => Promise.resolve(),
  };
}
