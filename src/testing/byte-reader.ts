import type { Duplex } from 'node:stream';

/** Reads a server's input as exact byte counts or up to a delimiter (for the proxy servers). */
export class ByteReader {
  readonly #stream: Duplex;
  #buffer: Buffer = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | null = null;
  readonly #onData = (chunk: Buffer): void => {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    this.#notify();
  };
  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#notify();
  };

  constructor(stream: Duplex) {
    this.#stream = stream;
    stream.on('data', this.#onData);
    stream.once('end', this.#onEnd);
    stream.once('close', this.#onEnd);
  }

  /** Exactly `n` bytes; null if the stream ends first. */
  async read(n: number): Promise<Buffer | null> {
    while (this.#buffer.length < n) {
      if (this.#ended) return null;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** The bytes up to and including `delimiter` (at most `limit` bytes); null on end or overflow. */
  async readUntil(delimiter: string, limit: number): Promise<Buffer | null> {
    for (;;) {
      const at = this.#buffer.indexOf(delimiter);
      if (at >= 0) return this.read(at + delimiter.length);
      if (this.#ended || this.#buffer.length > limit) return null;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Stops reading and hands back what was read ahead, for the caller to pass on. */
  detach(): Buffer {
    this.#stream.off('data', this.#onData);
    this.#stream.off('end', this.#onEnd);
    this.#stream.off('close', this.#onEnd);
    this.#stream.pause();
    const rest = this.#buffer;
    this.#buffer = Buffer.alloc(0);
    return rest;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
