/**
 * The key filter kept across a clean restart: `LevelEngine.close` saves its `KeyFilter` in the
 * store folder once LevelDB is closed, and the next `LevelEngine.open` takes it back instead of
 * scanning every key of the store (a scale-10 pgbench store: 3 million keys, about 25 s of CPU
 * on a loaded machine, three scans as the filter doubled).
 *
 * The filter is only a cache, but a wrong one loses data (a "certainly absent" answer for a key
 * that is there), so it is taken back only when it provably describes the store:
 * - **Fingerprint.** The file names the folder's files with their sizes and modification times
 *   as they were after LevelDB closed; any write since — by a process that did not save a filter,
 *   an older rangedb, a repair tool — changes the write-ahead log or the table files, and the
 *   filter is ignored. The fingerprint is taken twice, while LevelDB still held its LOCK and
 *   after it closed, and the filter is saved only if the two agree: another process that opened
 *   the folder in between (the LOCK was free) and wrote to it changed the files, so its keys
 *   cannot hide behind a fingerprint that already includes them. (A compaction finishing during
 *   the close also makes them differ; the next open then scans, as without a saved filter.)
 * - **Consumed before use.** The file is deleted before LevelDB is opened: the filter then
 *   lives only in memory, so a crash (which saves nothing) leaves no filter behind to be taken
 *   for the state the crash left.
 * - **Durable order.** The file is fsynced before its rename and the folder after the rename and
 *   after the unlink, so "consumed before use" does not rest on the file system keeping the
 *   order of metadata operations across a power failure.
 * Anything unexpected — no file, a short or foreign file, another size than the engine allows —
 * means a scan, as without a saved filter.
 *
 *     "RDBKF001" | u32 fingerprint bytes | fingerprint (UTF-8) | u32 keys added | u32 words | words
 */
import { open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyFilter } from './key-filter.js';

const fileName = 'KEYFILTER';
const magic = Buffer.from('RDBKF001', 'latin1');

/** The store folder's files (all but the filter's own), with their sizes and modification times. */
export async function storeFingerprint(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith(fileName)).sort();
  const parts: string[] = [];
  for (const name of names) {
    const info = await stat(join(dir, name), { bigint: true });
    parts.push(`${name}/${info.size}/${info.mtimeNs}`);
  }
  return parts.join('\n');
}

/** Makes a file's (or a folder's) contents and metadata durable. */
async function fsyncPath(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `filter` (complete, not saturated) to the closed store in `dir`, if the folder is as it
 * was when `printWhileOpen` (`storeFingerprint` taken before LevelDB released its LOCK) was taken;
 * true if saved. Written to a temporary file, fsynced and renamed, so a crash leaves the old state
 * or the new, never half a filter.
 */
export async function saveKeyFilter(dir: string, filter: KeyFilter, printWhileOpen: string): Promise<boolean> {
  const printNow = await storeFingerprint(dir);
  if (printNow !== printWhileOpen) return false; // written to since: another opener, or the close
  const { words, added } = filter.snapshot();
  const print = Buffer.from(printNow, 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32LE(print.length);
  const counts = Buffer.alloc(8);
  counts.writeUInt32LE(added, 0);
  counts.writeUInt32LE(words.length, 4);
  const body = Buffer.from(words.buffer, words.byteOffset, words.byteLength);
  const temporary = join(dir, `${fileName}.tmp`);
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(Buffer.concat([magic, header, print, counts, body]));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, join(dir, fileName));
  await fsyncPath(dir, 'r');
  return true;
}

/**
 * The filter saved in `dir` if it describes the store as it is, else undefined; the file is
 * gone either way (see the module comment). Call before LevelDB opens the folder.
 */
export async function takeKeyFilter(dir: string, bytesMax: number): Promise<KeyFilter | undefined> {
  const path = join(dir, fileName);
  let data: Buffer;
  try {
    data = await readFile(path);
    await unlink(path);
    await fsyncPath(dir, 'r'); // the unlink is durable before LevelDB opens (see the module comment)
  } catch {
    return undefined; // none saved (or not removable: not to be trusted past this run)
  }
  if (data.length < magic.length + 4 || !data.subarray(0, magic.length).equals(magic)) return undefined;
  const printBytes = data.readUInt32LE(magic.length);
  const printEnd = magic.length + 4 + printBytes;
  if (data.length < printEnd + 8) return undefined;
  const added = data.readUInt32LE(printEnd);
  const wordCount = data.readUInt32LE(printEnd + 4);
  const bytes = wordCount * 4;
  if (data.length !== printEnd + 8 + bytes || bytes < 64 || bytes > bytesMax || (bytes & (bytes - 1)) !== 0) return undefined;
  if (added > Math.floor((bytes * 8) / 10)) return undefined;
  if (data.subarray(magic.length + 4, printEnd).toString('utf8') !== (await storeFingerprint(dir))) return undefined;
  const words = new Uint32Array(wordCount);
  Buffer.from(words.buffer).set(data.subarray(printEnd + 8));
  return KeyFilter.restore(words, added);
}
