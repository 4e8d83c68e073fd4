/** What Atomics.waitAsync returns (typed only from lib es2024, beyond this project's lib). */
export type WaitAsyncResult =
  | { readonly async: true; readonly value: Promise<'ok' | 'timed-out'> }
  | { readonly async: false; readonly value: 'not-equal' | 'timed-out' };

/** Atomics.waitAsync: the engine thread waits on shared memory without blocking its event loop. */
export const waitAsync = (
  Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): WaitAsyncResult }
).waitAsync.bind(Atomics);
