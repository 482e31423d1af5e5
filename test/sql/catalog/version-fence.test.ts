/**
 * `CatalogVersionFence` against a scripted `Sender`: one non-transactional read of the version
 * token serves every statement that asked while the previous one was in flight, at a timestamp
 * at or above each of theirs, and vouches for a token only from the first timestamp it saw it at.
 */
import { describe, expect, it } from 'vitest';
import { timestamp, type Timestamp } from '../../../clock/timestamp.js';
import { batchResponse, getResponse, type BatchRequest, type BatchResponse, type Request, type Sender } from '../../../kv/api/index.js';
import { CatalogVersionFence } from '../../../sql/catalog/version-fence.js';

const ts = (wall: number): Timestamp => timestamp(BigInt(wall));

/**
 * A sender whose answers the test releases one by one; it records each read's timestamp (and the
 * clock reading it carried). A token is answered as written at `writtenAt`, else at the read's timestamp.
 */
function scriptedSender(): { sender: Sender; reads: bigint[]; nows: bigint[]; answer(token: string | undefined | Error, writtenAt?: Timestamp): void } {
  const reads: bigint[] = [];
  const nows: bigint[] = [];
  const pending: { batch: BatchRequest; resolve(response: BatchResponse): void; reject(error: unknown): void }[] = [];
  return {
    reads,
    nows,
    sender: {
      send<Rs extends readonly Request[]>(batch: BatchRequest<Rs>): Promise<BatchResponse<Rs>> {
        expect(batch.header.txn).toBeUndefined();
        expect(batch.requests.map((request) => request.kind)).toEqual(['get']);
        reads.push(batch.header.timestamp.wallNanos);
        nows.push(batch.header.now.wallNanos);
        return new Promise((resolve, reject) => pending.push({ batch, resolve: (response) => resolve(response as BatchResponse<Rs>), reject }));
      },
    },
    answer(token, writtenAt) {
      const next = pending.shift()!;
      if (token instanceof Error) return next.reject(token);
      next.resolve(batchResponse(next.batch, { txn: undefined, now: next.batch.header.now }, [token === undefined ? getResponse(undefined, undefined) : getResponse(new TextEncoder().encode(token), writtenAt ?? next.batch.header.timestamp)]));
    },
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('CatalogVersionFence', () => {
  it('groups the statements that ask while a fence is in flight behind one read at the highest of their timestamps', async () => {
    const { sender, reads, answer } = scriptedSender();
    const fence = new CatalogVersionFence(sender);
    const first = fence.versionAtOrAbove(ts(10));
    await settle();
    const grouped = [fence.versionAtOrAbove(ts(30)), fence.versionAtOrAbove(ts(20)), fence.versionAtOrAbove(ts(25))];
    await settle();
    expect(reads).toEqual([10n]);
    answer('v1');
    expect(await first).toBe('v1');
    await settle();
    expect(reads).toEqual([10n, 30n]);
    answer('v1');
    expect(await Promise.all(grouped)).toEqual(['v1', 'v1', 'v1']);
    expect(fence.fencesSent).toBe(2);
  });

  it('vouches for a token only at or after the first fence that returned it, and reads no token below the last fence', async () => {
    const { sender, reads, answer } = scriptedSender();
    const fence = new CatalogVersionFence(sender);
    expect(fence.covers('initial', ts(5))).toBe(false);
    const before = fence.versionAtOrAbove(ts(10));
    await settle();
    answer(undefined); // no DDL yet: the bootstrap token
    expect(await before).toBe('initial');
    expect(fence.covers('initial', ts(10))).toBe(true);
    expect(fence.covers('initial', ts(9))).toBe(false); // it may have been another token then
    expect(fence.covers('v2', ts(50))).toBe(false);
    // Between two fences that saw the same token, the answer is known without a read.
    const later = fence.versionAtOrAbove(ts(40));
    await settle();
    answer(undefined);
    expect(await later).toBe('initial');
    expect(await fence.versionAtOrAbove(ts(25))).toBe('initial');
    expect(reads).toEqual([10n, 40n]);
    // A statement of an old transaction (below the last fence) is read at the last fence's timestamp.
    const old = fence.versionAtOrAbove(ts(3));
    await settle();
    answer('v2');
    expect(await old).toBe('v2');
    expect(reads).toEqual([10n, 40n, 40n]);
    // A new token is vouched for from the fence that first saw it on.
    expect(fence.covers('initial', ts(45))).toBe(false);
    expect(fence.covers('v2', ts(40))).toBe(true);
    expect(fence.covers('v2', ts(39))).toBe(false);
  });

  it('answers undefined to the whole group when the read fails, and reads again for the next', async () => {
    const { sender, answer } = scriptedSender();
    const fence = new CatalogVersionFence(sender);
    const failed = [fence.versionAtOrAbove(ts(10))];
    await settle();
    answer(new Error('range unavailable'));
    expect(await Promise.all(failed)).toEqual([undefined]);
    expect(fence.covers('initial', ts(10))).toBe(false);
    const next = fence.versionAtOrAbove(ts(11));
    await settle();
    answer('v1');
    expect(await next).toBe('v1');
  });

  it('leases: reads ahead of the clock (carrying the real now), vouches for every timestamp from the write of its token to the lease end without a read, and renews in the background past half of it', async () => {
    const { sender, reads, nows, answer } = scriptedSender();
    let clock = 1_000;
    const fence = new CatalogVersionFence(sender, 100n, () => ts(clock));
    expect(fence.leasing).toBe(true);
    // No lease yet: nothing vouched for, and a fence goes out at now + lease.
    expect(fence.versionAt(ts(1_000))).toBeUndefined();
    await settle();
    expect(reads).toEqual([1_100n]);
    expect(nows).toEqual([1_000n]);
    // A statement asking while it is in flight joins it (it reads above its timestamp).
    const joined = fence.versionAtOrAbove(ts(1_050));
    await settle();
    expect(reads).toEqual([1_100n]);
    answer('v1', ts(400)); // the token was written at 400
    expect(await joined).toBe('v1');
    // From the token's write to the lease's end, no read.
    expect(fence.versionAt(ts(400))).toBe('v1');
    expect(fence.versionAt(ts(399))).toBeUndefined(); // another token then
    clock = 1_040;
    expect(fence.versionAt(ts(1_040))).toBe('v1');
    await settle();
    expect(reads).toEqual([1_100n]); // a miss below the token's write takes no lease: the lease is fresh
    // Past half the lease: still vouched for, and renewed in the background.
    clock = 1_060;
    expect(fence.versionAt(ts(1_060))).toBe('v1');
    await settle();
    expect(reads.at(-1)).toBe(1_160n);
    answer('v1', ts(400));
    await settle();
    expect(fence.versionAt(ts(1_150))).toBe('v1');
    // Past the lease: not vouched for (a DDL may have committed above it).
    expect(fence.versionAt(ts(1_161))).toBeUndefined();
  });
});
