/**
 * Copying into and out of shared memory (the read and write rings). Buffer#fill with a Buffer of
 * exactly the range's length is one memcpy. TypedArray#set, when either side is a
 * SharedArrayBuffer, copies word by word with relaxed atomics (V8's relaxed_memmove): profiled
 * on a 64 MiB blocking read, that copy was a fifth of all the process's samples.
 */

/** Copies `source` into `target` at `offset` (the range must fit). */
export function copyBytes(target: Buffer, offset: number, source: Uint8Array): void {
  if (source.byteLength > 0) target.fill(source, offset, offset + source.byteLength);
}
