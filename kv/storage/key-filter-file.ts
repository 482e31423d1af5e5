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
 *   filter is ignored.
 * - **Consumed before use.** The file is deleted before LevelDB is opened: the filter then
 *   lives only in memory, so a crash (which saves nothing) leaves no filter behind to be taken
 *   for the state the crash left.
 * Anything unexpected — no file, a short or foreign file, another size than the engine allows —
 * means a scan, as without a saved filter.
 *
 *     "RDBKF001" | u32 fingerprint bytes | fingerprint (UTF-8) | u32 keys added | u32 words | words
 */
import { readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyFilter } from './key-filter.js';

const fileName = 'KEYFILTER';
const magic = Buffer.from('RDBKF001', 'latin1');

/** The store folder's files (all but the filter's own), with their sizes and modification times. */
async function fingerprint(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith(fileName)).sort();
  const parts: string[] = [];
  for (const name of names) {
    const info = await stat(join(dir, name), { bigint: true });
    parts.push(`${name}/${info.size}/${info.mtimeNs}`);
  }
  return parts.join('\n');
}

/**
 * Writes `filter` (complete, not saturated) to the closed store in `dir`. Written to a temporary
 * file and renamed, so a crash leaves the old state or the new, never half a filter.
 */
export async function saveKeyFilter(dir: string, filter: KeyFilter): Promise<void> {
  const { words, added } = filter.snapshot();
  const print = Buffer.from(await fingerprint(dir), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32LE(print.length);
  const counts = Buffer.alloc(8);
  counts.writeUInt32LE(added, 0);
  counts.writeUInt32LE(words.length, 4);
  const body = Buffer.from(words.buffer, words.byteOffset, words.byteLength);
  const temporary = join(dir, `${fileName}.tmp`);
  await writeFile(temporary, Buffer.concat([magic, header, print, counts, body]));
  await rename(temporary, join(dir, fileName));
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
  if (data.subarray(magic.length + 4, printEnd).toString('utf8') !== (await fingerprint(dir))) return undefined;
  const words = new Uint32Array(wordCount);
  Buffer.from(words.buffer).set(data.subarray(printEnd + 8));
  return KeyFilter.restore(words, added);
}
