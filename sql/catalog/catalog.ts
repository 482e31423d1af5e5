/**
 * `Catalog`: the catalog as one transaction sees it. Every read and write goes through the
 * caller's `Txn`, so DDL is transactional: a CREATE TABLE that rolls back leaves nothing, and
 * a transaction sees its own uncommitted DDL.
 *
 * ```
 *   /System/Descriptor/0                      → catalog version token (bumped by every DDL write)
 *   /System/Descriptor/<id>                   → descriptor (JSON, descriptors.ts)
 *   /System/Namespace/<parentId>/<schemaId>/"name" → {id, kind}
 *        databases: (0, 0, name)   schemas: (dbId, 0, name)
 *        relations: (dbId, schemaId, name) — tables, sequences and indexes share one namespace,
 *        as in PostgreSQL (an index entry points at its table)
 *   /System/Generator/"descriptor-id"         → the id counter (ids start at 100)
 * ```
 *
 * **Descriptor cache** (CockroachDB's leased descriptors, simplified): each `Catalog` reads the
 * version token first — one point read per transaction epoch, later statements of the epoch
 * reuse it (`tokensRead`) — and, if it equals the token the shared
 * `DescriptorCache` was filled at, answers descriptor and name lookups from memory. Every DDL
 * write sets a new token `txnId/epoch/sequence`, unique to that write, so a cache filled with a
 * transaction's uncommitted descriptors can never be mistaken for any other state. Reading the
 * token also puts it in the transaction's read set: a concurrent DDL commit forces a refresh or
 * a restart, so no transaction runs a statement against a catalog that changed under it.
 */
import { assert } from '../../src/base/assert.js';
import { descriptorKey, generatorKey, getRequest, incrementRequest, intValue, keyMax, namespaceKey, prefixEnd, systemKey } from '../../kv/api/index.js';
import type { Txn } from '../../txn/index.js';
import { versionOfToken, type CatalogVersionFence } from './version-fence.js';
import { decodeDescriptor, encodeDescriptor, type DatabaseDescriptor, type Descriptor, type SchemaDescriptor } from './descriptors.js';

/** The smallest descriptor id: ids below are reserved for system objects. */
export const firstDescriptorId = 100;
const versionKey = descriptorKey(0);

export type NamespaceKind = 'database' | 'schema' | 'table' | 'sequence' | 'index' | 'view';
/** A name's entry; it repeats its own key's parts so a prefix scan needs no key decoding. */
export interface NamespaceEntry {
  readonly id: number;
  readonly kind: NamespaceKind;
  readonly parentId: number;
  readonly schemaId: number;
  readonly name: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Descriptors and names at one catalog version, shared by every statement of the engine. */
export class DescriptorCache {
  version = '';
  /**
   * The engine's version fence, if any: a transaction whose read timestamp it already vouches
   * for (a catalog lease) takes the token from it instead of reading it (`leasedToken`).
   */
  fence: CatalogVersionFence | undefined;
  readonly byId = new Map<number, Descriptor | null>();
  readonly names = new Map<string, NamespaceEntry | null>();
  private static readonly entriesMax = 10_000;

  reset(version: string): void {
    this.version = version;
    this.byId.clear();
    this.names.clear();
  }

  /** Whether there is room for another entry (the cache is simply not filled past its limit). */
  get hasRoom(): boolean {
    return this.byId.size + this.names.size < DescriptorCache.entriesMax;
  }
}

const nameKey = (parentId: number, schemaId: number, name: string): string => `${parentId}/${schemaId}/${name}`;

/** Transactions that wrote the catalog (their reads see their own, uncommitted, token). */
const catalogWriters = new WeakSet<Txn>();

/** Whether `txn` wrote the catalog (in any epoch): it must read the version token itself. */
export function hasWrittenCatalog(txn: Txn): boolean {
  return catalogWriters.has(txn);
}

/**
 * The version token each transaction read itself, and at which epoch. A token read in the
 * transaction is in its read set: while the epoch lasts, every later read timestamp of the
 * transaction is reached only by a read refresh that proved the token unchanged since (the span
 * refresher refreshes every read span, or the transaction restarts at a new epoch), and the
 * timestamp cache keeps any token write above it. So later statements of the same epoch reuse
 * the token instead of reading it again — one KV request per statement saved (TPC-B: four of its
 * five statements). A transaction that wrote the catalog sees its own tokens and always reads.
 */
const tokensRead = new WeakMap<Txn, { readonly epoch: number; readonly version: string }>();

/** The token `txn` read itself in its current epoch, if any (see `tokensRead`). */
function tokenReadInEpoch(txn: Txn): string | undefined {
  if (catalogWriters.has(txn)) return undefined;
  const read = tokensRead.get(txn);
  return read !== undefined && read.epoch === txn.transaction.epoch ? read.version : undefined;
}

/**
 * The token the cache's fence vouches for at `txn`'s read timestamp T (CockroachDB's leased
 * descriptor; version-fence.ts), or undefined. A fence read at Tf ≥ T found the token written at
 * or before T and left Tf in the timestamp cache, so the token read at T would be this one and no
 * later token write can land at or below T: the read is recorded in the transaction's read set
 * as if made (`Txn.recordRead`), and from there it is the token read in the epoch (`tokensRead`)
 * — a push of the transaction past Tf refreshes the token key like any read, so no write is ever
 * made with a catalog a DDL replaced below it. Never for a transaction that wrote the catalog (it
 * sees its own token).
 *
 * Inside a lease it costs no request. Outside one, under a leasing fence, a transaction that
 * holds no locks waits for the fence (the read it would make itself, shared, and it takes the
 * next lease); one that holds locks reads the token itself — the fence waits out a DDL's intent
 * on the token, and that DDL may be waiting on those locks (engine.ts `fencedLookup`).
 */
async function fencedToken(txn: Txn, cache: DescriptorCache): Promise<string | undefined> {
  const fence = cache.fence;
  if (fence === undefined || catalogWriters.has(txn) || txn.isFinished) return undefined;
  const proto = txn.transaction;
  let version = fence.versionAt(proto.readTimestamp);
  if (version === undefined && fence.leasing && proto.key.length === 0) {
    await fence.versionAtOrAbove(proto.readTimestamp);
    // Nothing of the transaction moved meanwhile (no batch of its own was in flight).
    if (txn.transaction !== proto) return undefined;
    version = fence.versionAt(proto.readTimestamp);
  }
  if (version !== undefined) txn.recordRead(versionKey);
  return version;
}

export class Catalog {
  private constructor(
    readonly txn: Txn,
    private readonly cache: DescriptorCache,
    private currentVersion: string,
  ) {}

  /**
   * Opens the catalog in `txn`: reads the version token and syncs the cache with it. `leased`:
   * the token may come from the engine's catalog lease (`fencedToken`) — for DML, whose stream
   * keeps a lease worth taking; a DDL taking one would only push its own token write above it
   * and wait that out at its commit.
   */
  static async open(txn: Txn, cache: DescriptorCache, leased = false): Promise<Catalog> {
    const epoch = txn.transaction.epoch;
    const version = tokenReadInEpoch(txn) ?? (leased ? await fencedToken(txn, cache) : undefined) ?? versionOfToken(await txn.get(versionKey));
    tokensRead.set(txn, { epoch, version });
    if (cache.version !== version) cache.reset(version);
    return new Catalog(txn, cache, version);
  }

  /**
   * Opens the catalog as `open` does, reading `keys` (plain point reads, no locks) in the same
   * batch: a statement whose rows are point lookups by primary key gets them in the round trip
   * that reads the version token — one pass through the transaction's interceptors and the
   * DistSender instead of two. The values are only valid for a plan of the version returned.
   * The token may come from the catalog lease (a query's statement: `open`'s `leased`).
   */
  static async openWithReads(txn: Txn, cache: DescriptorCache, keys: readonly Uint8Array[]): Promise<{ catalog: Catalog; values: (Uint8Array | undefined)[] }> {
    const epoch = txn.transaction.epoch;
    const known = keys.length > 0 ? (tokenReadInEpoch(txn) ?? (await fencedToken(txn, cache))) : undefined;
    const response = await txn.batch([...(known === undefined ? [getRequest(versionKey)] : []), ...keys.map((key) => getRequest(key))]);
    const values = response.responses.map((result) => {
      assert(result.kind === 'get', 'a get answers a get');
      return result.value;
    });
    const version = known ?? versionOfToken(values.shift());
    tokensRead.set(txn, { epoch, version });
    if (cache.version !== version) cache.reset(version);
    return { catalog: new Catalog(txn, cache, version), values };
  }

  /**
   * The catalog at `version` without reading the token: for a statement whose version was
   * confirmed otherwise (`CatalogVersionFence`) and whose transaction did not write the catalog.
   */
  static confirmed(txn: Txn, cache: DescriptorCache, version: string): Catalog {
    assert(!catalogWriters.has(txn), 'a transaction that wrote the catalog reads its own token');
    if (cache.version !== version) cache.reset(version);
    return new Catalog(txn, cache, version);
  }

  /** The catalog version token this transaction sees (a plan is valid while it stays the same). */
  get version(): string {
    return this.currentVersion;
  }

  async descriptor(id: number): Promise<Descriptor | undefined> {
    // Only a cache at this catalog's version answers: another statement may have moved it to
    // another token (a DDL transaction's own, or the committed one under a DDL transaction).
    const cached = this.cache.version === this.currentVersion ? this.cache.byId.get(id) : undefined;
    if (cached !== undefined) return cached ?? undefined;
    const raw = await this.txn.get(descriptorKey(id));
    const descriptor = raw === undefined ? undefined : decodeDescriptor(raw);
    if (this.cache.version === this.currentVersion && this.cache.hasRoom) this.cache.byId.set(id, descriptor ?? null);
    return descriptor;
  }

  async lookup(parentId: number, schemaId: number, name: string): Promise<NamespaceEntry | undefined> {
    const key = nameKey(parentId, schemaId, name);
    const cached = this.cache.version === this.currentVersion ? this.cache.names.get(key) : undefined;
    if (cached !== undefined) return cached ?? undefined;
    const raw = await this.txn.get(namespaceKey(parentId, schemaId, name));
    const entry = raw === undefined ? undefined : (JSON.parse(decoder.decode(raw)) as NamespaceEntry);
    if (this.cache.version === this.currentVersion && this.cache.hasRoom) this.cache.names.set(key, entry ?? null);
    return entry;
  }

  async database(name: string): Promise<DatabaseDescriptor | undefined> {
    const entry = await this.lookup(0, 0, name);
    if (entry === undefined) return undefined;
    const descriptor = await this.descriptor(entry.id);
    assert(descriptor?.kind === 'database', () => `namespace entry of database ${name} points at ${descriptor?.kind}`);
    return descriptor;
  }

  async schema(databaseId: number, name: string): Promise<SchemaDescriptor | undefined> {
    const entry = await this.lookup(databaseId, 0, name);
    if (entry === undefined) return undefined;
    const descriptor = await this.descriptor(entry.id);
    assert(descriptor?.kind === 'schema', () => `namespace entry of schema ${name} points at ${descriptor?.kind}`);
    return descriptor;
  }

  /** A fresh descriptor id from the shared counter (in this transaction). */
  async allocateId(): Promise<number> {
    const response = await this.txn.batch([incrementRequest(generatorKey('descriptor-id'), 1n)]);
    return firstDescriptorId - 1 + Number(response.responses[0].newValue);
  }

  async writeDescriptor(descriptor: Descriptor): Promise<void> {
    await this.txn.put(descriptorKey(descriptor.id), encodeDescriptor(descriptor));
    await this.bumpVersion();
  }

  async deleteDescriptor(id: number): Promise<void> {
    await this.txn.delete(descriptorKey(id));
    await this.bumpVersion();
  }

  async writeName(parentId: number, schemaId: number, name: string, id: number, kind: NamespaceKind): Promise<void> {
    const entry: NamespaceEntry = { id, kind, parentId, schemaId, name };
    await this.txn.put(namespaceKey(parentId, schemaId, name), encoder.encode(JSON.stringify(entry)));
    await this.bumpVersion();
  }

  async deleteName(parentId: number, schemaId: number, name: string): Promise<void> {
    await this.txn.delete(namespaceKey(parentId, schemaId, name));
    await this.bumpVersion();
  }

  /** Every namespace entry under `(parentId, schemaId)` (for DROP SCHEMA / DATABASE, pg_class). */
  async listNames(parentId: number, schemaId?: number): Promise<NamespaceEntry[]> {
    const prefix = systemKey('Namespace', schemaId === undefined ? [intValue(BigInt(parentId))] : [intValue(BigInt(parentId)), intValue(BigInt(schemaId))]);
    const rows = await this.txn.scan(prefix, prefixEnd(prefix, keyMax));
    return rows.map((row) => JSON.parse(decoder.decode(row.value)) as NamespaceEntry);
  }

  /** A new version token unique to this write: the cache moves to it (it holds what this txn sees). */
  private async bumpVersion(): Promise<void> {
    const proto = this.txn.transaction;
    const version = `${proto.id}/${proto.epoch}/${proto.sequence + 1}`;
    catalogWriters.add(this.txn);
    await this.txn.put(versionKey, encoder.encode(version));
    this.currentVersion = version;
    this.cache.reset(version);
  }
}
