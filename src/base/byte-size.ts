/**
 * Byte sizes as settings spell them: `64MiB`, `512kB`, `1 GB`, `1048576`. The units are powers of
 * 1024, as in PostgreSQL's memory settings (`work_mem = '4MB'` is 4,194,304 bytes); IEC spellings
 * (`MiB`) are accepted too, as CockroachDB writes them.
 */

const units: Readonly<Record<string, number>> = Object.freeze({
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
});

/** The bytes `text` says, or undefined when it is not a size (or not a safe integer of bytes). */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (match === null) return undefined;
  const unit = units[(match[2] === '' ? 'b' : match[2]!).toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** `bytes` in the largest power-of-1024 unit that divides it exactly (`64MiB`), else `N B`. */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes} B`;
}
