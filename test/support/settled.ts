/** Small helpers for tests that watch whether a request is still waiting (real time). */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** 'settled' if `promise` resolved or rejected within `ms`, else 'pending' (it keeps running). */
export async function stateAfter(promise: Promise<unknown>, ms: number): Promise<'pending' | 'settled'> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled ? 'settled' : 'pending';
}
