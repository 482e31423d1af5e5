/**
 * Every limit in rangedb, in one place (DESIGN.md §2.6, TigerBeetle's "put a limit on
 * everything"). Names end with their unit. A limit that is hit produces a `LimitExceededError`
 * (or another typed error) for the caller; it never crashes the server.
 */
export const limits = Object.freeze({
  /** Largest user key, in bytes (CockroachDB has no hard limit; LevelDB slows past a few KiB). */
  keyBytesMax: 16 * 1024,
  /**
   * Largest key the storage engine accepts, in bytes: a user key after escaping (at most twice
   * its length) plus the MVCC and local-key prefixes and suffixes.
   */
  engineKeyBytesMax: 2 * 16 * 1024 + 64,
  /** Largest single value a client may write, in bytes. */
  valueBytesMax: 16 * 1024 * 1024,
  /**
   * Largest single value the storage engine accepts, in bytes: a Raft log entry holds a whole
   * replicated command (up to `raftCommandBytesMax`) plus the entry's own header, so it is above
   * the client's `valueBytesMax`.
   */
  engineValueBytesMax: 17 * 1024 * 1024 + 64 * 1024,
  /** Largest write batch one engine commit accepts, in bytes. */
  writeBatchBytesMax: 64 * 1024 * 1024,
  /** Most versions a single key may keep in its intent history (savepoint rewrites). */
  intentHistoryEntriesMax: 10_000,
  /** Most keys a single MVCC scan returns when the caller sets no smaller limit. */
  scanKeysMax: 100_000,
  /** Most intents one conflict error carries; the rest are found on the next attempt. */
  writeIntentErrorIntentsMax: 1_000,
  /** Most bytes the MVCC scanner buffers before it returns a resume span. */
  scanBytesMax: 64 * 1024 * 1024,
  /** Most write batches the engine's group-commit queue holds before writers wait. */
  commitQueueBatchesMax: 10_000,
  /** Most bytes one group commit writes in one synced LevelDB batch. */
  groupCommitBytesMax: 16 * 1024 * 1024,
  /**
   * Default largest Raft append message, in bytes of entries (CockroachDB's 32 KiB). A single
   * entry larger than this still travels alone; the limit caps how many entries ride together.
   */
  raftMessageBytesMax: 32 * 1024,
  /** Default most append messages in flight to one follower before the leader waits for acks. */
  raftInflightMessagesMax: 128,
  /**
   * Default most bytes of entry data a Raft leader holds appended but not yet committed; new
   * proposals beyond it are dropped (back-pressure instead of unbounded memory).
   */
  raftUncommittedEntriesBytesMax: 16 * 1024 * 1024,
  /** Default cluster-wide bound on clock offset, in nanoseconds (CockroachDB's 500ms). */
  maxClockOffsetNanosDefault: 500_000_000n,
  /** Most requests waiting for span latches in one latch manager (one range); more are refused. */
  latchWaitersMax: 10_000,
  /** Most keys one lock table tracks (held, reserved or waited-on locks); see kv/concurrency. */
  lockTableKeysMax: 10_000,
  /** Most locking requests queued on one key's lock; more are refused (CockroachDB's default is off). */
  lockWaitQueueLengthMax: 1_000,
  /** Most pushers waiting in one transaction wait queue (one range's txn records). */
  txnWaitQueuePushersMax: 10_000,
  /**
   * A transaction whose record has not heartbeat for this long is abandoned and may be aborted
   * by a pusher, in nanoseconds (CockroachDB's 5 × the 1s heartbeat interval).
   */
  txnLivenessThresholdNanos: 5_000_000_000n,
  /**
   * Most bytes of entries (`entrySize`) one range keeps cached in memory from the tail of its
   * Raft log (kv/replica/raft-log.ts); older entries are read from the engine by point reads.
   * Per range, so a store with N active ranges may hold N times this (CockroachDB shares one
   * 16 MiB cache per store).
   */
  raftLogCacheBytesMax: 1024 * 1024,
  /**
   * Most spans one timestamp cache (one range's lease) keeps (kv/concurrency/timestamp-cache.ts).
   * When full, the lowest entries are evicted by raising the cache's low-water mark over them, so
   * answers only get higher (more conservative), never lower.
   */
  timestampCacheSpansMax: 100_000,
  /**
   * How often a transaction coordinator heartbeats its record once it has written, in
   * nanoseconds (CockroachDB's 1s; a fifth of `txnLivenessThresholdNanos`).
   */
  txnHeartbeatIntervalNanos: 1_000_000_000n,
  /** Most attempts `runTxn` makes (the first included) before it gives up with the last retryable error. */
  txnRetriesMax: 10,
  /** The first backoff between `runTxn` attempts, in nanoseconds; doubled each retry. */
  txnRetryBackoffInitialNanos: 1_000_000n,
  /** The largest backoff between `runTxn` attempts, in nanoseconds. */
  txnRetryBackoffNanosMax: 1_000_000_000n,
  /**
   * Most range descriptors one `RangeCache` (kv/client) holds; past it the least recently used
   * entry is evicted and found again through meta on its next use.
   */
  rangeCacheEntriesMax: 10_000,
  /**
   * Most times `DistSender` (kv/client) re-routes one batch after a routing error (stale range
   * cache, not the leaseholder, range not found) before it gives up with a typed error.
   */
  distSenderRetriesMax: 16,
  /**
   * The longest pause, in milliseconds, between two of `DistSender`'s routing retries of one
   * batch. The first two retries go at once (a stale cache entry is fixed by one lookup); later
   * ones back off exponentially from 1 ms: a range merged away stays in meta2's committed value
   * until the merge's meta2 intents are resolved (a Raft round after the merge applied), and
   * lookups in that window keep answering the old descriptor — retried at once, the budget was
   * spent within microseconds (found by the KV simulator, src/sim/kv).
   */
  distSenderRetryBackoffMsMax: 100,
  /**
   * Most read spans one transaction records for read refresh (txn/span-refresher.ts); past it
   * the spans are dropped and a push can no longer be refreshed: the transaction restarts.
   */
  txnRefreshSpansMax: 10_000,
  /**
   * Most refreshes one batch of a transaction makes before its push is an error (the
   * transaction restarts): txn/span-refresher.ts; CockroachDB's max_refresh_attempts is 5 too.
   */
  txnRefreshAttemptsMax: 5,
  /**
   * Most bytes (keys and values) of puts one transaction's coordinator holds back to send with
   * its next batch or its commit (txn/write-buffer.ts); CockroachDB's default is 4 MiB too.
   */
  txnWriteBufferBytesMax: 4 * 1024 * 1024,
  /**
   * Most writes a parallel commit stages in flight (txn/committer.ts): its STAGING record lists
   * every one (key and sequence), and whoever recovers it proves each with a QueryIntent. A
   * commit carrying more (a held buffer of a big UPDATE or COPY) commits in two phases instead —
   * the writes, then a plain EndTxn — as CockroachDB falls back to its serial commit when the
   * in-flight set is too large to pipeline (its pipeliner's max batch size, 128, and max
   * in-flight bytes). 1,024 bounds the record near 64 KiB and a recovery to 1,024 queries while
   * every OLTP commit (TPC-B's: 4 writes) stays parallel; a commit of more writes spends far
   * longer writing them than the one consensus round a parallel commit saves.
   */
  parallelCommitInFlightWritesMax: 1_024,
  /**
   * Finalized transactions a store remembers (kv/replica/store.ts), so a request meeting an
   * intent one of them left behind resolves it at once instead of waiting and pushing; a few
   * seconds of commits at the rates one node sees.
   */
  finalizedTxnCacheEntriesMax: 4096,
  /**
   * Largest key filter of one `LevelEngine` (kv/storage/key-filter.ts), in bytes: a Bloom filter
   * of every key the store holds, so a point read of a key never written (every MVCC write to a
   * fresh key reads it first) skips LevelDB. It starts at 1 MiB and doubles, rebuilt by a scan,
   * each time it fills; 64 MiB covers about 53 million keys at a ~1% false-positive rate. Past
   * that it is rebuilt at this size while the store's keys fill at most half of it, and is
   * switched off (every read goes to LevelDB) when they fill more.
   */
  engineKeyFilterBytesMax: 64 * 1024 * 1024,
  /**
   * Largest replicated command (one evaluated batch's writes and effects) a replica proposes
   * through Raft, in bytes: room for one client value of `valueBytesMax` and its key (CockroachDB
   * allows 64 MiB); a larger batch is refused with `LimitExceededError` before it reaches the
   * log. It must fit one engine value (`engineValueBytesMax`), and two of them (an append and an
   * apply) must fit one engine write batch (`writeBatchBytesMax`), or a Ready cycle could fail
   * its commit and stop the store.
   */
  raftCommandBytesMax: 17 * 1024 * 1024,
  /** Interval between Raft ticks of every replica of a store, in nanoseconds. */
  raftTickIntervalNanos: 100_000_000n,
  /**
   * How long a request waiting on a lock lets the holder finish before pushing it, in
   * nanoseconds (CockroachDB's 50ms liveness push delay): most holders commit sooner.
   */
  lockWaitPushDelayNanos: 20_000_000n,
  /**
   * How long a waiter that is not its lock's distinguished waiter waits before pushing the
   * holder too, in nanoseconds (CockroachDB's 100ms deadlock-detection push delay): only a push
   * puts its waits-for edge into the txn wait queue, and a cycle may run through any waiter.
   */
  lockWaitDeadlockPushDelayNanos: 100_000_000n,
  /**
   * Requests a store serves in one turn of the event loop before the next waits for the loop to
   * turn (kv/replica turn-budget.ts): a client in the process looping requests served without
   * leaving the microtask queue starved the node's timers — lock-wait pushes, so deadlock
   * detection (review F2 of session 11). A turn of I/O-driven work serves far fewer.
   */
  storeRequestsPerTurnMax: 1_000,
  /**
   * How often a pusher waiting in a txn wait queue pushes again, in nanoseconds, to find a
   * pushee whose heartbeat has since expired (abandoned) — a fifth of the liveness threshold.
   */
  txnPushRecheckIntervalNanos: 1_000_000_000n,
  /**
   * Most intent resolutions one asynchronous resolution batch carries (the request batch
   * pattern; CockroachDB's intent resolver batches 100): the store's queued resolutions of every
   * transaction leave together, one command per range (kv/replica/store.ts).
   */
  intentResolutionBatchRequestsMax: 100,
  /**
   * Most ranged resolutions (each up to `intentResolutionIntentsMax` intents) among them: a
   * batch's part on one range is one Raft command, which must stay well under
   * `raftCommandBytesMax`.
   */
  intentResolutionBatchRangedRequestsMax: 8,
  /**
   * Entries a range's Raft log keeps at or below its applied index before they are truncated
   * (the log's low-water mark moves up). With one replica nothing behind the applied index is
   * ever needed again; with followers the truncation point will also wait for the slowest one.
   */
  raftLogAppliedEntriesMax: 1_000,
  /**
   * Largest frontend (client → server) pgwire message after startup, in bytes including the
   * 4-byte length field (sql/pgwire/reader.ts): Query, Parse, Bind and CopyData may be this large.
   * CockroachDB's `sql.conn.max_read_buffer_message_size` default; PostgreSQL allows up to 1 GiB.
   * A larger declared length closes the connection with 08P01 before the body is buffered.
   */
  pgwireMessageBytesMax: 16 * 1024 * 1024,
  /**
   * Largest frontend pgwire message of a type that carries little (Sync, Flush, Terminate,
   * Describe, Close, Execute, CopyDone, CopyFail), in bytes including the length field:
   * PostgreSQL's `PQ_SMALL_MESSAGE_LIMIT`, so a bogus length on a small message is caught at once.
   */
  pgwireSmallMessageBytesMax: 10_000,
  /**
   * Largest authentication message ('p': password, SASLInitialResponse, SASLResponse), in bytes
   * including the length field: PostgreSQL's `PG_MAX_AUTH_TOKEN_LENGTH`.
   */
  pgwireAuthenticationBytesMax: 65_535,
  /**
   * Largest untyped startup-phase packet (StartupMessage, SSLRequest, GSSENCRequest,
   * CancelRequest), in bytes including the length field: PostgreSQL's `MAX_STARTUP_PACKET_LENGTH`.
   */
  pgwireStartupBytesMax: 10_000,
  /**
   * Most SQL client connections one node serves at once (src/node/sql-server.ts); one more is
   * refused with 53300 `sorry, too many clients already`, as PostgreSQL's `max_connections`.
   */
  sqlConnectionsMax: 1_000,
  /**
   * Rows a session holds back before sending the first of a statement's results (sql/session):
   * while nothing was sent, a retryable error in an implicit transaction is retried by the
   * server, invisibly to the client (CockroachDB's 16 KiB `sql.defaults.results_buffer.size`).
   */
  sqlResultRetryBufferRowsMax: 1_000,
  /**
   * Most attempts the session makes at an implicit transaction (one statement) before a
   * retryable error reaches the client. Higher than `txnRetriesMax`: a client of an implicit
   * transaction cannot retry by itself, and `statement_timeout` bounds the time anyway.
   */
  sqlImplicitTxnAttemptsMax: 100,
  /** The largest backoff between two attempts of an implicit transaction, in ms (jittered below it). */
  sqlImplicitTxnBackoffMsMax: 100,
  /** Bytes of backend messages a connection buffers before it writes them out mid-result. */
  sqlConnectionFlushBytes: 64 * 1024,
  /** Most prepared statements (SQL PREPARE and protocol Parse, named) one session keeps. */
  sqlPreparedStatementsMax: 10_000,
  /** Most open portals (protocol Bind) one session keeps. */
  sqlPortalsMax: 10_000,
  /**
   * Most savepoints one transaction block holds at once (54000 past it); each is a few numbers,
   * the bound is against a client that loops on SAVEPOINT without releasing.
   */
  sqlSavepointsMax: 10_000,
  /**
   * Largest COPY FROM STDIN input, in bytes: the rows are held until CopyDone so that the
   * implicit transaction inserting them can be retried as a whole. Larger loads go in pieces.
   */
  sqlCopyInBytesMax: 64 * 1024 * 1024,
  /**
   * Rows COPY FROM STDIN inserts per INSERT statement (one prepared multi-row VALUES), fewer for
   * wide tables (at most 65,535 parameters a statement, PostgreSQL's own bound). Each statement's
   * rows go to the store as one write batch — one Raft proposal and one synced append — so this
   * is what a bulk load pays that fixed cost per (100 made `pgbench -i` wait on the log sync).
   */
  sqlCopyBatchRowsMax: 2_000,
  /**
   * Rows one chunk of a schema change's index backfill (sql/exec/backfill.ts: ALTER TABLE … ADD
   * PRIMARY KEY) writes in one non-transactional batch — one Raft proposal and one synced append
   * per this many rows; `sqlBackfillChunkBytesMax` stops a chunk of wide rows first.
   */
  sqlBackfillChunkRowsMax: 10_000,
  /** Key and value bytes that end a backfill chunk before `sqlBackfillChunkRowsMax` (well under `raftCommandBytesMax`). */
  sqlBackfillChunkBytesMax: 4 * 1024 * 1024,
  /**
   * How long the removal of a replaced index's data waits for the transactions that began
   * before the schema change to end, in ms (sql/exec/reader-horizon.ts); past it the data is
   * deleted by MVCC tombstones (slower, but safe for a reader still below the change).
   */
  sqlDroppedIndexClearWaitMsMax: 60_000,
  /**
   * How long a closing store waits for requests still evaluating (reading the engine) before it
   * lets the engine close, in ms (kv/replica/store.ts `close`).
   */
  storeCloseSendsWaitMsMax: 5_000,
  /** How long a stopping node lets idle-waiting SQL connections finish their statement, in ms. */
  sqlDrainWaitMsMax: 5_000,
  /**
   * Most intents one ResolveIntentRange resolves; the rest come back as a resume span, so the
   * Raft command that resolves a large transaction's intents stays well under
   * `raftCommandBytesMax` (its resolver sends the resume spans next).
   */
  intentResolutionIntentsMax: 1_000,
  /**
   * Most bytes of intents (key and value) one ResolveIntentRange — or a commit's resolution of
   * its own range's intents — resolves past the first: with `intentResolutionIntentsMax`, what
   * keeps a resolution of large values under `raftCommandBytesMax`.
   */
  intentResolutionBytesMax: 4 * 1024 * 1024,
  /**
   * Most user keys one ClearRange command removes on a range (kv/eval/clear-range.ts); the rest
   * is its resume span. Its Raft command carries one engine-key delete per version (about 30
   * bytes each for a SQL row), so 20,000 keys stay near half a megabyte.
   */
  clearRangeKeysMax: 20_000,
  /** Engine-key bytes after which a ClearRange command stops at the next user key (well under `raftCommandBytesMax`). */
  clearRangeKeyBytesMax: 2 * 1024 * 1024,
  /**
   * Keys one `SPLIT AT` / `UNSPLIT AT` statement names (sql/exec/admin-split.ts): each is its own
   * admin transaction and meta2 read, so a statement of thousands would hold its session for long.
   */
  sqlAdminSplitRowsMax: 1_000,
  /**
   * Distinct advisory locks one session may hold at once (sql/exec/advisory-locks.ts); past it
   * 53200 `out of shared memory`, as PostgreSQL answers when its lock table is full.
   */
  sqlAdvisoryLocksPerSessionMax: 10_000,
  /**
   * The longest a session waiting for an advisory lock sleeps before it checks its statement's cancel
   * signal, statement_timeout and lock_timeout, in ms (a grant wakes it at once).
   */
  sqlAdvisoryLockPollMsMax: 20,
  /**
   * How often the MVCC GC queue (kv/replica/gc-queue.ts) looks for ranges due for garbage
   * collection. A range is due at the earliest one GC TTL after garbage was first seen in it,
   * so this only bounds how late after that it is collected.
   */
  gcQueueIntervalNanos: 60_000_000_000n,
  /** User keys one GC request names (CockroachDB's gc.KeyVersionChunkBytes bounds the same batch in bytes). */
  gcRequestKeysMax: 256,
  /** Bytes of user keys one GC request names, so that its Raft command stays far under `raftCommandBytesMax`. */
  gcRequestKeyBytesMax: 256 * 1024,
  /** Engine entries (versions) one GC scan step examines before it sends what it found and reopens its iterator: bounds each step's work and iterator lifetime. */
  gcScanEntriesMax: 65_536,
  /** Transactions whose old intents one GC pass of a range pushes and resolves (each push is a round trip to its record). */
  gcIntentTxnsMax: 100,
  /** Default of the `kv.gc.ttl_seconds` cluster setting: versions shadowed longer ago than this are collected (CockroachDB ≥ 23.1: 4 hours). */
  gcTtlNanosDefault: 4n * 60n * 60n * 1_000_000_000n,
});

export type Limits = typeof limits;
