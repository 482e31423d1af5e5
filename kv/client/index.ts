/**
 * # kv/client: finding ranges and sending batches to them
 *
 * The layers above (txn/, sql/) see the cluster as one sorted key-value map behind one `Sender`.
 * kv/client turns that illusion into messages to ranges: it finds which range holds a key by
 * reading the meta ranges (two-level addressing, DESIGN §4: meta1 → meta2 → user range, each
 * descriptor stored under its *end* key), remembers the answers, and splits a batch that spans
 * ranges into one sub-batch per range.
 *
 * ```
 *   Txn / sql ──► DistSender.send(batch)
 *                   │ pieces: one per request; span requests clipped per range
 *                   │ RangeCache.lookup(key) ──miss──► RangeLookup (meta2 scan) — single flight
 *                   ▼
 *                 RangeTransport(rangeId, descriptor, sub-batch) ──► Store ──► Replica (evaluate)
 *                   │ RangeKeyMismatch / RangeNotFound: evict, insert, re-partition (bounded)
 *                   │ NotLeaseholder: resend (bounded)
 *                   ▼
 *                 merge fragments per request: rows in key order (reverse for ReverseScan),
 *                 limits carried across ranges, resume spans extended to the request's end
 * ```
 *
 * Patterns, by name:
 * - **Cache-aside with a generation clock** (`range-cache.ts`): descriptors are hints; a newer
 *   generation replaces overlapping older entries, never the reverse; staleness is detected by the
 *   range (`RangeKeyMismatchError`) and repaired from what the error carries.
 * - **Single flight** (`range-cache.ts`): concurrent misses on one key make one meta read.
 * - **Bounded LRU** (`range-cache.ts`, `limits.rangeCacheEntriesMax`).
 * - **Scatter-gather** (`dist-sender.ts`): independent reads fan out concurrently; writes and
 *   limited scans go range by range in key order, EndTxn last and alone when the batch spans
 *   ranges (the commit point after the writes it covers).
 * - **Bounded retry** (`limits.distSenderRetriesMax`), with ambiguous results surfaced, never retried.
 *
 * Files: `range-cache.ts` (RangeCache, RangeLookup), `dist-sender.ts` (DistSender,
 * RangeTransport), `pieces.ts` (cutting a batch along range boundaries), `send-state.ts` (one
 * send's fragments, limits, transaction and retries), `merge.ts` (fragments back into one
 * response), `errors.ts` (`RoutingRetriesExhaustedError`).
 *
 * Layering: kv/client imports kv/api, clock/ and src/base only, so it works the same over ranges
 * on this node and, once a transport exists, on other nodes.
 *
 * Not here yet: a lease cache (NotLeaseholder's lease hint is not used to pick a replica — the
 * transport picks), backoff between retries, prefetching neighbouring descriptors on a lookup,
 * and lazy partitioning of a limited scan (all ranges a batch touches are looked up before the
 * first part is sent, even if a key limit stops it in the first range).
 */
export * from './dist-sender.js';
export * from './errors.js';
export * from './range-cache.js';
