import { Duplex } from 'node:stream';
import { isIPv6, type AddressInfo } from 'node:net';
import type { Clock, ClockTimer } from '../clock.js';
import { systemError } from './system-error.js';

/** The two ends' addresses of a virtual TCP connection. */
export interface VirtualEndpoints {
  /** This end's address. */
  readonly localAddress: string;
  /** This end's port. */
  readonly localPort: number;
  /** The other end's address. */
  readonly remoteAddress: string;
  /** The other end's port. */
  readonly remotePort: number;
}

type Chunk = { readonly chunk: Buffer; readonly callback: (error?: Error | null) => void };

/**
 * One end of an in-memory TCP connection on a VirtualNetwork: a Duplex with the members of
 * `net.Socket` the library (and most code written for sockets) uses — addresses, `connecting`,
 * `readyState`, `bytesRead`/`bytesWritten`, `setTimeout` (on the network's clock), `setNoDelay`,
 * `setKeepAlive`, `ref`/`unref`, `resetAndDestroy`. Bytes written on one end arrive at the other
 * on a later turn of the event loop, in order, as they would over loopback. Proxies and TLS
 * (`tls.connect({ socket })`) run over it unchanged.
 *
 * Destroying one end closes the other as a FIN does (`'end'`, then `'close'`);
 * `resetAndDestroy()` makes the other end fail with ECONNRESET instead.
 */
export class VirtualSocket extends Duplex {
  /** The peer's address once connected. */
  remoteAddress: string | undefined = undefined;
  /** The peer's port once connected. */
  remotePort: number | undefined = undefined;
  /** 'IPv4' or 'IPv6' once connected. */
  remoteFamily: string | undefined = undefined;
  /** This end's address once connected. */
  localAddress: string | undefined = undefined;
  /** This end's port once connected. */
  localPort: number | undefined = undefined;
  /** True until the connection is established (as `net.Socket#connecting`). */
  connecting: boolean;
  /** Bytes received from the peer. */
  bytesRead = 0;
  /** The inactivity timeout set by setTimeout(), or undefined. */
  timeout: number | undefined = undefined;
  readonly #clock: Clock;
  readonly #onActivity: () => void;
  #written = 0;
  #peer: VirtualSocket | null = null;
  #pending: Chunk[] = [];
  #outbox: (() => void)[] = [];
  #flushScheduled = false;
  #idleTimer: ClockTimer | null = null;
  #reset = false;
  #onAbort: (() => void) | null = null;

  /** @internal made by VirtualNetwork. */
  constructor(clock: Clock, onActivity: () => void, opts: { connecting: boolean; allowHalfOpen: boolean }) {
    super({ allowHalfOpen: opts.allowHalfOpen });
    this.#clock = clock;
    this.#onActivity = onActivity;
    this.connecting = opts.connecting;
  }

  /** Bytes sent to the peer. */
  get bytesWritten(): number {
    return this.#written;
  }

  /** True while connecting (as `net.Socket#pending`). */
  get pending(): boolean {
    return this.connecting || this.#peer === null;
  }

  /** As `net.Socket#readyState`. */
  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.destroyed) return 'closed';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }

  /** As `net.Socket#address()`: the local end, or `{}` before the connection exists. */
  address(): AddressInfo | Record<string, never> {
    if (this.localAddress === undefined || this.localPort === undefined) return {};
    return {
      address: this.localAddress,
      family: isIPv6(this.localAddress) ? 'IPv6' : 'IPv4',
      port: this.localPort,
    };
  }

  /** As `net.Socket#setTimeout`: `'timeout'` after `ms` of virtual time without I/O (0 disables). */
  setTimeout(ms: number, callback?: () => void): this {
    if (callback) {
      if (ms === 0) this.off('timeout', callback);
      else this.once('timeout', callback);
    }
    this.timeout = ms > 0 ? ms : undefined;
    this.#touch();
    return this;
  }

  /** Accepted and ignored: there is no Nagle on a virtual wire. */
  setNoDelay(_noDelay?: boolean): this {
    return this;
  }

  /** Accepted and ignored. */
  setKeepAlive(_enable?: boolean, _initialDelay?: number): this {
    return this;
  }

  /** Accepted and ignored: virtual sockets never hold the event loop open. */
  ref(): this {
    return this;
  }

  /** Accepted and ignored. */
  unref(): this {
    return this;
  }

  /** Closes with a TCP RST: the peer fails with ECONNRESET (as `net.Socket#resetAndDestroy`). */
  resetAndDestroy(): this {
    this.#reset = true;
    this.destroy();
    return this;
  }

  /** @internal called by the network when the connection is established. */
  establish(peer: VirtualSocket, ends: VirtualEndpoints): void {
    this.#peer = peer;
    this.localAddress = ends.localAddress;
    this.localPort = ends.localPort;
    this.remoteAddress = ends.remoteAddress;
    this.remotePort = ends.remotePort;
    this.remoteFamily = isIPv6(ends.remoteAddress) ? 'IPv6' : 'IPv4';
    this.#onAbort = null;
    if (!this.connecting) return;
    this.connecting = false;
    for (const { chunk, callback } of this.#pending.splice(0)) this.#send(chunk, callback);
    this.#touch();
    this.emit('connect');
    this.emit('ready');
  }

  /** @internal called by the network if this end is destroyed while it is still connecting. */
  onAbort(fn: () => void): void {
    this.#onAbort = fn;
  }

  /** @internal */
  override _read(): void {
    // Bytes are pushed by the peer as they arrive; nothing to pull.
  }

  /** @internal */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.connecting) {
      // As net.Socket: writes before the connection exists wait for it.
      this.#pending.push({ chunk, callback });
      return;
    }
    this.#send(chunk, callback);
  }

  /** @internal */
  override _final(callback: (error?: Error | null) => void): void {
    const peer = this.#peer;
    if (peer) this.#deliver(() => peer.#receiveEnd());
    callback();
  }

  /** @internal */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearIdle();
    const abort = this.#onAbort;
    this.#onAbort = null;
    abort?.();
    const peer = this.#peer;
    if (peer && !peer.destroyed) {
      const reset = this.#reset;
      this.#deliver(() => (reset ? peer.#receiveReset() : peer.#receiveEnd()));
    }
    for (const { callback: cb } of this.#pending.splice(0)) cb(systemError('ECANCELED', 'write'));
    callback(error);
  }

  #send(chunk: Buffer, callback: (error?: Error | null) => void): void {
    const peer = this.#peer;
    if (!peer || peer.destroyed) {
      callback(systemError('EPIPE', 'write'));
      return;
    }
    this.#written += chunk.length;
    this.#touch();
    this.#deliver(() => peer.#receive(chunk));
    callback();
  }

  #receive(chunk: Buffer): void {
    if (this.destroyed) return;
    this.bytesRead += chunk.length;
    this.#touch();
    this.push(chunk);
  }

  #receiveEnd(): void {
    if (this.destroyed || this.readableEnded) return;
    this.push(null);
  }

  #receiveReset(): void {
    if (this.destroyed) return;
    this.destroy(systemError('ECONNRESET', 'read'));
  }

  /** Runs `fn` on a later turn of the event loop, after what this end sent before. */
  #deliver(fn: () => void): void {
    this.#outbox.push(fn);
    this.#onActivity();
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      for (const next of this.#outbox.splice(0)) next();
      this.#onActivity();
    });
  }

  /** Restarts the inactivity timer (any I/O counts, as with net.Socket). */
  #touch(): void {
    this.#clearIdle();
    const ms = this.timeout;
    if (ms === undefined || this.destroyed) return;
    this.#idleTimer = this.#clock.setTimeout(() => {
      this.#idleTimer = null;
      this.emit('timeout');
    }, ms);
  }

  #clearIdle(): void {
    if (this.#idleTimer) this.#clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }
}
