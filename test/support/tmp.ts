import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp folder and its cleanup. */
export function tempDir(prefix: string): { readonly path: string; readonly remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `rangedb-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
