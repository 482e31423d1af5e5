/**
 * Which `SqlEngine` a node runs: the real one (sql/exec: catalog, planner, executor) unless a
 * test injects another (test/support/fake-sql-engine.ts).
 */
import { createSqlEngine } from '../../sql/exec/index.js';
import type { NodeRangeStatus, SqlEngine, SqlEngineDeps } from '../../sql/exec/contract.js';
import type { Store } from '../../kv/replica/store.js';
import type { RangeId } from '../base/ids.js';
import { formatTimestamp } from '../../clock/timestamp.js';

export type SqlEngineFactory = (deps: SqlEngineDeps) => SqlEngine;

export const defaultSqlEngine: SqlEngineFactory = createSqlEngine;

/**
 * The SQL engine's view of this node's ranges (`SqlEngineDeps.ranges`), read from the store's
 * replicas: each replica's applied MVCC stats and lease. Local and synchronous — on one node
 * every range has its replica here; a multi-node cluster will ask each node's status server.
 */
export function storeRangeStatus(store: Store, locality = ''): NodeRangeStatus {
  return {
    nodeId: store.nodeId,
    locality,
    rangeStatus(rangeId) {
      const replica = store.replica(rangeId as RangeId);
      if (replica === undefined || replica.isDestroyed) return undefined;
      const stats = replica.stats;
      const lease = replica.lease;
      return {
        leaseholderNodeId: lease === undefined ? null : lease.replica.nodeId,
        keyBytes: stats.keyBytes,
        valBytes: stats.valBytes,
        liveBytes: stats.liveBytes,
        liveCount: stats.liveCount,
        keyCount: stats.keyCount,
        valCount: stats.valCount,
        intentBytes: stats.intentBytes,
        intentCount: stats.intentCount,
        gcThreshold: formatTimestamp(replica.gcThreshold),
      };
    },
  };
}
