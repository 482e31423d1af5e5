/**
 * Which requests touch user data the way the timestamp cache and the lock table care about:
 * reads (recorded in the timestamp cache, blocked by locks at or below their timestamp) and
 * writes (moved above earlier reads, blocked by any lock of another transaction). A locking read
 * (`SELECT … FOR UPDATE`) counts as both. Transaction-record, intent-resolution, refresh, GC and
 * admin requests are neither: they bypass the lock table.
 */
import type { Request } from '../api/index.js';

export function isDataWrite(request: Request): boolean {
  switch (request.kind) {
    case 'put':
    case 'conditionalPut':
    case 'increment':
    case 'delete':
    case 'deleteRange':
      return true;
    case 'get':
    case 'scan':
    case 'reverseScan':
      return request.keyLocking !== 'none';
    default:
      return false;
  }
}

export function isDataRead(request: Request): boolean {
  return request.kind === 'get' || request.kind === 'scan' || request.kind === 'reverseScan';
}
