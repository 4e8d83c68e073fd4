import type { GError } from '../errors/gerror.js';

/**
 * GAsyncResult for the GIO callback style: the callback receives it and hands it to the matching
 * `…Finish()` method, which returns the value or throws the error.
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

export type AsyncReadyCallback<T> = (source: object, result: AsyncResult<T>) => void;
