import type { GError } from '../errors/gerror.js';

/**
 * GAsyncResult for the GIO callback style: the callback receives it and hands it to the matching
 * `…Finish()` method, which returns the value or throws the error. Each result can be finished
 * once, by the object that started the operation.
 *
 * @example
 * ```ts
 * client.connectToHostAsync('localhost:80', 80, null, (source, result) => {
 *   try {
 *     const conn = client.connectToHostFinish(result);
 *   } catch (err) {
 *     // a GError, as the promise-based connectToHost would reject with
 *   }
 * });
 * ```
 */
export class AsyncResult<T> {
  readonly #source: object;
  readonly #outcome:
    { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: GError };
  #finished = false;

  /** @internal */
  constructor(
    source: object,
    outcome: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: GError },
  ) {
    this.#source = source;
    this.#outcome = outcome;
  }

  /** g_async_result_get_source_object: the object whose `…Async()` call made this result. */
  getSourceObject(): object {
    return this.#source;
  }

  /** @internal */
  propagate(source: object): T {
    if (source !== this.#source)
      throw new TypeError('AsyncResult passed to the wrong object’s finish method');
    if (this.#finished) throw new TypeError('AsyncResult already finished');
    this.#finished = true;
    if (this.#outcome.ok) return this.#outcome.value;
    throw this.#outcome.error;
  }
}

/**
 * GAsyncReadyCallback: called once when an `…Async()` operation ends, with the object that ran it
 * and the result to pass to its `…Finish()` method.
 */
export type AsyncReadyCallback<T> = (source: object, result: AsyncResult<T>) => void;
