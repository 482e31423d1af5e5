/**
 * The store identity: which cluster, node and store a data folder belongs to. Written once,
 * synced, when a store is bootstrapped, and checked on every start so a node never serves a
 * store of another cluster (CockroachDB's `StoreIdent`). It lives in the store-local keyspace
 * (0x01 's'), outside every range; its key is defined with the rest of the keyspace in
 * kv/api/keyspace.ts.
 */
import { InvalidInputError } from '../base/errors.js';
import { nodeId, storeId, txnIdFromBytes, type NodeId, type StoreId } from '../base/ids.js';
import { storeIdentKey } from '../../kv/api/keyspace.js';
import type { Engine } from '../../kv/storage/engine.js';
import type { RandomSource } from '../env/env.js';

export interface StoreIdent {
  readonly clusterId: string;
  readonly nodeId: NodeId;
  readonly storeId: StoreId;
}

export function readStoreIdent(engine: Engine): StoreIdent | undefined {
  const bytes = engine.get(storeIdentKey);
  if (bytes === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new InvalidInputError('store identity record is corrupt', { cause: error });
  }
  const record = parsed as { clusterId?: unknown; nodeId?: unknown; storeId?: unknown };
  if (typeof record.clusterId !== 'string' || typeof record.nodeId !== 'number' || typeof record.storeId !== 'number') {
    throw new InvalidInputError('store identity record is malformed');
  }
  return { clusterId: record.clusterId, nodeId: nodeId(record.nodeId), storeId: storeId(record.storeId) };
}

/** Reads the store's identity, writing a new one (a new cluster) if the store is empty. */
export async function ensureStoreIdent(engine: Engine, random: RandomSource): Promise<{ ident: StoreIdent; bootstrapped: boolean }> {
  const existing = readStoreIdent(engine);
  if (existing !== undefined) return { ident: existing, bootstrapped: false };
  const ident: StoreIdent = { clusterId: formatUuid(random.bytes(16)), nodeId: nodeId(1), storeId: storeId(1) };
  await engine.commit([{ kind: 'put', key: storeIdentKey, value: new TextEncoder().encode(JSON.stringify(ident)) }], { sync: true });
  return { ident, bootstrapped: true };
}

/** A version-4 UUID in its usual text form. */
function formatUuid(bytes: Uint8Array): string {
  const hex: string = txnIdFromBytes(bytes); // sets the version and variant bits
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
