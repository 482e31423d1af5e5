/**
 * The bank workload (Jepsen's `bank`, CockroachDB's `bank` roachtest): `accounts` balances that
 * transfer transactions move money between, and scans that check nothing was created or lost.
 *
 * ```
 *   0x10 ∥ u32be(account)   → i64be(balance)                 accounts, start `initialBalance`
 *   0x11 ∥ utf8(transferId) → u32be(from) u32be(to) i64be(n)  one record per committed transfer
 *   0x0f ∥ "bank-initialised" → 0x01                          written with the accounts (marker)
 * ```
 *
 * Invariants, checked on every scan:
 * - the sum of all balances is `accounts × initialBalance` (money is conserved);
 * - no balance is negative (a transfer never moves more than the source holds);
 * - every balance equals `initialBalance` plus what the transfer records present credit it,
 *   minus what they debit it (the records and balances commit atomically: `checkLedger`).
 *
 * Initialisation is idempotent, so a process killed in the middle of it can run it again: the
 * splits come first and only missing ones are made; then one transaction writes every account
 * and the marker, so the accounts are either all there or none.
 *
 * Used by `bench/bank.ts` (throughput, and the kill -9 worker) and by the tests in `test/kv`.
 */
import { assert } from '../../src/base/assert.js';
import { putRequest, type RangeDescriptor, type Sender } from '../../kv/api/index.js';
import type { RandomSource } from '../../src/env/env.js';
import { runTxn, type Txn, type TxnDeps } from '../../txn/index.js';

/** What the workload needs of a KV node (a subset of src/node/kv.ts's `Kv`). */
export interface BankKv {
  readonly sender: Sender;
  readonly txnDeps: TxnDeps;
  split(key: Uint8Array): Promise<void>;
  ranges(): Promise<readonly RangeDescriptor[]>;
}

export interface BankConfig {
  readonly accounts: number;
  /** Ranges the accounts are spread over (the transfer records get one more of their own). */
  readonly ranges: number;
  readonly initialBalance: bigint;
}

export const defaultBankConfig: BankConfig = Object.freeze({ accounts: 1000, ranges: 8, initialBalance: 1000n });

const accountPrefix = 0x10;
const transferPrefix = 0x11;
const markerKey = Uint8Array.from([0x0f, ...new TextEncoder().encode('bank-initialised')]);

export const accountsStart: Uint8Array = Uint8Array.of(accountPrefix);
export const accountsEnd: Uint8Array = Uint8Array.of(accountPrefix + 1);
export const transfersStart: Uint8Array = Uint8Array.of(transferPrefix);
export const transfersEnd: Uint8Array = Uint8Array.of(transferPrefix + 1);

/** `0x10 ∥ u32be(account)`: fixed width, so key order is account order. */
export function accountKey(account: number): Uint8Array {
  assert(Number.isSafeInteger(account) && account >= 0 && account <= 0xffff_ffff, `account out of range: ${account}`);
  const key = new Uint8Array(5);
  key[0] = accountPrefix;
  new DataView(key.buffer).setUint32(1, account);
  return key;
}

export function accountOfKey(key: Uint8Array): number {
  assert(key.length === 5 && key[0] === accountPrefix, 'not an account key');
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(1);
}

export function transferKey(id: string): Uint8Array {
  assert(id.length > 0 && id.length <= 200, 'a transfer id is 1–200 characters');
  return Uint8Array.from([transferPrefix, ...new TextEncoder().encode(id)]);
}

export function transferIdOfKey(key: Uint8Array): string {
  assert(key[0] === transferPrefix, 'not a transfer key');
  return new TextDecoder().decode(key.subarray(1));
}

export function encodeBalance(balance: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, balance);
  return bytes;
}

export function decodeBalance(bytes: Uint8Array): bigint {
  assert(bytes.length === 8, () => `a balance is 8 bytes, not ${bytes.length}`);
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0);
}

export interface Transfer {
  readonly id: string;
  readonly from: number;
  readonly to: number;
  readonly amount: bigint;
}

export function encodeTransfer(t: Transfer): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, t.from);
  view.setUint32(4, t.to);
  view.setBigInt64(8, t.amount);
  return bytes;
}

export function decodeTransfer(id: string, bytes: Uint8Array): Transfer {
  assert(bytes.length === 16, () => `a transfer record is 16 bytes, not ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return { id, from: view.getUint32(0), to: view.getUint32(4), amount: view.getBigInt64(8) };
}

/** The split points: `ranges` evenly spaced account keys (the first is account 0), then the records. */
export function bankSplitKeys(config: BankConfig): Uint8Array[] {
  assert(config.ranges >= 1 && config.ranges <= config.accounts, 'between 1 and `accounts` ranges');
  const keys: Uint8Array[] = [];
  for (let i = 0; i < config.ranges; i++) keys.push(accountKey(Math.floor((i * config.accounts) / config.ranges)));
  keys.push(transfersStart);
  return keys;
}

/** Splits (those missing) and writes the accounts with the marker in one transaction, unless the marker is there. */
export async function initBank(kv: BankKv, config: BankConfig = defaultBankConfig): Promise<{ readonly created: boolean }> {
  const boundaries = new Set((await kv.ranges()).map((d) => hex(d.startKey)));
  for (const key of bankSplitKeys(config)) {
    if (!boundaries.has(hex(key))) await kv.split(key);
  }
  return runTxn(kv.sender, kv.txnDeps, async (txn) => {
    if ((await txn.get(markerKey)) !== undefined) return { created: false };
    const writes = [putRequest(markerKey, Uint8Array.of(1))];
    for (let a = 0; a < config.accounts; a++) writes.push(putRequest(accountKey(a), encodeBalance(config.initialBalance)));
    await txn.commit(writes);
    return { created: true };
  });
}

/** Two distinct random accounts. */
export function pickAccounts(random: RandomSource, accounts: number): { readonly from: number; readonly to: number } {
  assert(accounts >= 2, 'a transfer needs two accounts');
  const from = random.int(accounts);
  const to = (from + 1 + random.int(accounts - 1)) % accounts;
  return { from, to };
}

/**
 * One attempt of transfer `id` inside `txn`: reads both balances, moves 1…balance(from) (drawn
 * from `random`), writes both balances and the record with the commit. `undefined` (and nothing
 * written) when the source is empty.
 */
export async function transferAttempt(txn: Txn, random: RandomSource, id: string, from: number, to: number): Promise<Transfer | undefined> {
  assert(from !== to, 'a transfer between two accounts');
  const fromBytes = await txn.get(accountKey(from));
  const toBytes = await txn.get(accountKey(to));
  assert(fromBytes !== undefined && toBytes !== undefined, () => `account ${from} or ${to} is missing`);
  const fromBalance = decodeBalance(fromBytes);
  const toBalance = decodeBalance(toBytes);
  if (fromBalance <= 0n) return undefined;
  const amount = 1n + BigInt(random.int(Number(fromBalance)));
  const transfer: Transfer = { id, from, to, amount };
  await txn.commit([
    putRequest(accountKey(from), encodeBalance(fromBalance - amount)),
    putRequest(accountKey(to), encodeBalance(toBalance + amount)),
    putRequest(transferKey(id), encodeTransfer(transfer)),
  ]);
  return transfer;
}

export interface TransferOutcome {
  /** The committed transfer, or undefined when the source was empty (nothing written). */
  readonly transfer: Transfer | undefined;
  /** Attempts `runTxn` made (1 = no retry). */
  readonly attempts: number;
}

/** Runs transfer `id` between two random accounts through `runTxn`, counting its attempts. */
export async function runTransfer(kv: Pick<BankKv, 'sender' | 'txnDeps'>, random: RandomSource, config: BankConfig, id: string, attemptsMax = 100): Promise<TransferOutcome> {
  const { from, to } = pickAccounts(random, config.accounts);
  let attempts = 0;
  const transfer = await runTxn(
    kv.sender,
    kv.txnDeps,
    (txn) => {
      attempts++;
      return transferAttempt(txn, random, id, from, to);
    },
    { name: 'bank-transfer', attemptsMax },
  );
  return { transfer, attempts };
}

/** The bank as one transaction saw it. */
export interface BankSnapshot {
  readonly balances: ReadonlyMap<number, bigint>;
  /** Present only when read with records. */
  readonly transfers: ReadonlyMap<string, Transfer> | undefined;
}

/** Reads every account (and, if asked, every transfer record) in one transaction. */
export async function readBank(kv: Pick<BankKv, 'sender' | 'txnDeps'>, withTransfers: boolean): Promise<BankSnapshot> {
  return runTxn(kv.sender, kv.txnDeps, async (txn) => {
    const rows = await txn.scan(accountsStart, accountsEnd);
    const balances = new Map(rows.map((row) => [accountOfKey(row.key), decodeBalance(row.value)] as const));
    if (!withTransfers) return { balances, transfers: undefined };
    const records = await txn.scan(transfersStart, transfersEnd);
    const transfers = new Map(records.map((row) => [transferIdOfKey(row.key), decodeTransfer(transferIdOfKey(row.key), row.value)] as const));
    return { balances, transfers };
  }, { name: 'bank-scan', attemptsMax: 100 });
}

/** The invariants a scan must find; the first that fails as a message, else undefined. */
export function bankViolation(snapshot: BankSnapshot, config: BankConfig): string | undefined {
  const { balances } = snapshot;
  if (balances.size !== config.accounts) return `${balances.size} accounts, expected ${config.accounts}`;
  let total = 0n;
  for (const [account, balance] of balances) {
    if (balance < 0n) return `account ${account} has a negative balance ${balance}`;
    total += balance;
  }
  const expected = BigInt(config.accounts) * config.initialBalance;
  if (total !== expected) return `total ${total}, expected ${expected}`;
  return snapshot.transfers === undefined ? undefined : ledgerViolation(snapshot, config);
}

/** Balances must be the initial balance plus the net of the transfer records present. */
function ledgerViolation(snapshot: BankSnapshot, config: BankConfig): string | undefined {
  const net = new Map<number, bigint>();
  for (const t of snapshot.transfers!.values()) {
    if (t.amount <= 0n || t.from === t.to) return `transfer ${t.id} is malformed`;
    net.set(t.from, (net.get(t.from) ?? 0n) - t.amount);
    net.set(t.to, (net.get(t.to) ?? 0n) + t.amount);
  }
  for (const [account, balance] of snapshot.balances) {
    const expected = config.initialBalance + (net.get(account) ?? 0n);
    if (balance !== expected) return `account ${account} holds ${balance} but its transfer records say ${expected}`;
  }
  return undefined;
}

/** Throws when `bankViolation` finds one. */
export function assertBank(snapshot: BankSnapshot, config: BankConfig): void {
  const violation = bankViolation(snapshot, config);
  if (violation !== undefined) throw new Error(`bank invariant broken: ${violation}`);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

