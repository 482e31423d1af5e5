/**
 * Byte-array allocation for hot encoding paths. V8 gives a `Uint8Array` longer than 64 bytes its
 * own off-heap backing store — an allocation and a finalizer per array, which showed as a quarter
 * of the MVCC write path's time. `Buffer.allocUnsafe` instead carves arrays under 4 KiB out of a
 * shared, pooled slab. The bytes are not zeroed: the caller must write every byte.
 */
export function allocBytes(length: number): Uint8Array {
  return Buffer.allocUnsafe(length);
}
