// The shape every proxy reply parser returns, so the codecs stay pure functions over bytes and the
// I/O layer (read-exact.ts) is one loop for all protocols.
import type { GError } from '../errors/gerror.js';

/**
 * Result of decoding a reply from the bytes received so far:
 * - `need`: the reply is incomplete; `total` is how many bytes the parser needs in all (SOCKS
 *   replies are length-prefixed, so this is exact; for HTTP it is "at least one more byte").
 * - `done`: the reply is complete and `length` bytes of the input belong to it.
 * - `error`: the reply is complete enough to know it is a failure (GIO's error and message).
 */
export type Decoded<T> =
  | { readonly kind: 'need'; readonly total: number }
  | { readonly kind: 'done'; readonly value: T; readonly length: number }
  | { readonly kind: 'error'; readonly error: GError };

export const need = (total: number): Decoded<never> => ({ kind: 'need', total });

export const done = <T>(value: T, length: number): Decoded<T> => ({ kind: 'done', value, length });

export const fail = (error: GError): Decoded<never> => ({ kind: 'error', error });

/** A parser over the bytes received so far; `eof` tells it the peer has closed (HTTP needs it). */
export type ReplyDecoder<T> = (bytes: Buffer, eof: boolean) => Decoded<T>;
