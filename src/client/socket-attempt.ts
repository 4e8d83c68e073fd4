import { createSocket as createUdpSocket, type Socket as DgramSocket } from 'node:dgram';
import { connect as netConnect, Socket } from 'node:net';
import { InetSocketAddress, UnixSocketAddress, type SocketAddress } from '../address/socket-address.js';
import { explainAbstractRefusal } from './abstract-unix.js';
import { DatagramConnection } from '../connection/datagram-connection.js';
import { ignoreError } from '../connection/ignore-error.js';
import type { SocketConnection } from '../connection/socket-connection.js';
import { TcpConnection } from '../connection/tcp-connection.js';
import { UnixConnection } from '../connection/unix-connection.js';
import { IOErrorEnum, SocketFamily, SocketProtocol, SocketType } from '../errors/enums.js';
import { IOError, timedOutError, type GError } from '../errors/gerror.js';
import { ioErrorCodeFromErrno, strerror, toGError } from '../errors/errno.js';
import type { Clock, ClockTimer } from '../clock.js';
import type { TcpConnectRequest, Transport } from '../connection/transport.js';

/** The client properties that shape one socket (GSocketClient:family, :type, :protocol, :local-address). */
export interface SocketSettings {
  readonly family: SocketFamily;
  readonly type: SocketType;
  readonly protocol: SocketProtocol;
  readonly localAddress: SocketAddress | null;
  /** Connect timeout in ms; 0 = none (then the kernel's SYN timeout applies). */
  readonly timeoutMs: number;
  /** The time source of every timer the operation arms (systemClock unless a test network gives one). */
  readonly clock: Clock;
  /** How TCP sockets are opened (nodeTransport unless a test network gives one). */
  readonly transport: Transport;
}

/**
 * Why an attempt failed: before connect (socket/bind: no CONNECTING event, no decoration) or at
 * it. A connect() failure may keep Node's own error, converted only if the error is shown (most
 * failed attempts of an operation never are).
 */
export type AttemptFailure =
  | { readonly stage: 'create'; readonly error: GError }
  | {
      readonly stage: 'connect';
      /** A GError, or Node's own error, converted only if the error is shown (ReportedError). */
      readonly error: Error;
      /**
       * A TCP socket whose connect() failed: once it emits 'close', the transport may connect it
       * again for the next attempt (Transport.reconnectTcp), if nothing else holds it.
       */
      readonly reusable?: Socket;
    };

export interface AttemptCallbacks<T> {
  /** The socket exists (and is bound); connect() is about to start. GIO's CONNECTING moment. */
  onConnecting(tag: T, connection: SocketConnection): void;
  onConnected(tag: T, connection: SocketConnection): void;
  onFailed(tag: T, failure: AttemptFailure): void;
}

/** The attempt a stream socket's shared listeners report to (see SocketAttempt#watch). */
const kAttempt = Symbol('gsocketclient.attempt');
type OwnedSocket = Socket & { [kAttempt]?: SocketAttempt<unknown> | null };

/**
 * One connect() to one address: the mechanism only (Go's dialSingle). Policy — when to start
 * attempts, which error wins — is the operation's. Exactly one of onConnected/onFailed is called,
 * unless abort() comes first, after which nothing is called and the socket is destroyed. The
 * callbacks get the attempt's `tag`, so one callbacks object serves every attempt of an operation.
 */
export class SocketAttempt<T> {
  readonly address: SocketAddress;
  /** Handed back with every callback: the operation's name for this attempt. */
  readonly tag: T;
  #connection: SocketConnection | null = null;
  #timer: ClockTimer | null = null;
  #settled = false;
  /** Waiting for a spare socket to emit 'close' before connecting it again. */
  #waiting = false;
  readonly #settings: SocketSettings;
  readonly #callbacks: AttemptCallbacks<T>;
  /** The stream socket whose events the shared listeners bring here (#watch). */
  #watched: OwnedSocket | null = null;
  /** The local address a stream socket binds to (names a bind failure). */
  #local: InetSocketAddress | null = null;
  /** Stops listening to a datagram socket. */
  #unwatchUdp: (() => void) | null = null;

  /**
   * @param spare - a failed attempt's socket (AttemptFailure.reusable) that nothing else holds:
   *   a plain TCP attempt connects it again once it has closed, instead of making a new socket.
   */
  constructor(
    tag: T,
    address: SocketAddress,
    settings: SocketSettings,
    callbacks: AttemptCallbacks<T>,
    spare: Socket | null = null,
  ) {
    this.tag = tag;
    this.address = address;
    this.#settings = settings;
    this.#callbacks = callbacks;
    // A plain TCP connect reports everything asynchronously (Transport's contract), so it starts
    // at once: one tick less between a failed attempt and the next one. Other kinds can call back
    // synchronously, so they start on the next tick, once the caller has registered the attempt.
    if (!startsQuietly(address, settings)) process.nextTick(() => this.#start());
    else if (spare === null || !this.#claim(spare)) this.#startQuietly(null);
  }

  get connection(): SocketConnection | null {
    return this.#connection;
  }

  /** Stops the attempt (a loser, or cancellation): destroys the socket, no callback afterwards. */
  abort(): void {
    this.#finish(false);
    this.#connection?.destroy();
  }

  /**
   * Takes a failed attempt's socket if it can still be connected again: its 'close' (which comes
   * after the 'error', net.Socket's documented order, in the same turn of the event loop) is
   * still to come, and only then may socket.connect() run. Closed already, or a transport that
   * cannot reconnect: a new socket instead.
   */
  #claim(spare: OwnedSocket): boolean {
    const previous = spare[kAttempt];
    if (this.#settings.transport.reconnectTcp === undefined) return false;
    if (previous === undefined || previous === null || !previous.#settled) return false;
    spare[kAttempt] = this;
    this.#waiting = true;
    return true;
  }

  /**
   * A plain TCP attempt that startsQuietly() accepted (its checks are done), on a new socket or
   * on `spare`, a failed attempt's socket.
   */
  #startQuietly(spare: Socket | null): void {
    if (this.#settled) return;
    const address = this.address as InetSocketAddress;
    const local = this.#settings.localAddress as InetSocketAddress | null;
    this.#startTcp(address, address.family, local, this.#settings, spare);
  }

  #start(): void {
    if (this.#settled) return;
    const settings = this.#settings;
    const created = checkSocketKind(this.address, settings);
    if (created !== null) {
      this.#fail({ stage: 'create', error: created });
      return;
    }
    if (this.address instanceof UnixSocketAddress) this.#startUnix(this.address, settings);
    else if (this.address instanceof InetSocketAddress) {
      const socketFamily = effectiveFamily(settings, this.address);
      const local = settings.localAddress as InetSocketAddress | null;
      if (local && local.family !== socketFamily) {
        // bind() of an address of the other family than the socket's fails before any event.
        this.#fail({ stage: 'create', error: bindError(local, 'EINVAL') });
        return;
      }
      if (settings.type === SocketType.DATAGRAM) this.#startUdp(this.address, socketFamily, local);
      else this.#startTcp(this.address, socketFamily, local, settings, null);
    } else {
      this.#fail({
        stage: 'create',
        error: new IOError(
          IOErrorEnum.NOT_SUPPORTED,
          'Unable to create socket: Address family not supported by protocol',
        ),
      });
    }
  }

  #armTimeout(): void {
    const settings = this.#settings;
    if (settings.timeoutMs <= 0) return;
    this.#timer = settings.clock.setTimeout(() => {
      this.#timer = null;
      this.#connection?.destroy();
      this.#fail({ stage: 'connect', error: timedOutError() });
    }, settings.timeoutMs);
  }

  #startTcp(
    address: InetSocketAddress,
    socketFamily: SocketFamily,
    local: InetSocketAddress | null,
    settings: SocketSettings,
    spare: Socket | null,
  ): void {
    if (socketFamily !== address.family) {
      // The socket is made for one family and the address is of the other; connect() fails after
      // the CONNECTING event, as in GIO. Linux's inet_stream_connect refuses an IPv6 address on an
      // IPv4 socket with EAFNOSUPPORT; inet6's connect refuses the shorter IPv4 sockaddr on an
      // IPv6 socket with EINVAL.
      const socket = new Socket(); // never connected: no file descriptor is opened
      const connection = new TcpConnection(socket, address, settings.clock);
      this.#connection = connection;
      this.#callbacks.onConnecting(this.tag, connection);
      if (this.#settled) return;
      const errno = socketFamily === SocketFamily.IPV6 ? 'EINVAL' : 'EAFNOSUPPORT';
      this.#fail({ stage: 'connect', error: errnoError(errno) });
      return;
    }
    const request: TcpConnectRequest = local
      ? {
          host: address.address.toNodeHost(),
          port: address.port,
          family: address.family === SocketFamily.IPV6 ? 6 : 4,
          localAddress: local.address.toNodeHost(),
          localPort: local.port || undefined,
        }
      : {
          host: address.address.toNodeHost(),
          port: address.port,
          family: address.family === SocketFamily.IPV6 ? 6 : 4,
        };
    const transport = settings.transport;
    const socket =
      spare !== null && transport.reconnectTcp !== undefined
        ? transport.reconnectTcp(spare, request)
        : transport.connectTcp(request);
    this.#connection = new TcpConnection(socket, address, settings.clock);
    // Node binds, then emits 'connectionAttempt' just before connect(): GIO's CONNECTING moment,
    // so a bind failure shows no CONNECTING event (as in g_socket_client_connect).
    this.#watch(socket, local, true);
  }

  #startUnix(address: UnixSocketAddress, settings: SocketSettings): void {
    const socket = netConnect({ path: address.nodePath, allowHalfOpen: true });
    const connection = new UnixConnection(socket, address, settings.clock);
    this.#connection = connection;
    this.#watch(socket, null, false);
    this.#armTimeout();
    this.#callbacks.onConnecting(this.tag, connection);
  }

  #startUdp(address: InetSocketAddress, socketFamily: SocketFamily, local: InetSocketAddress | null): void {
    const socket: DgramSocket = createUdpSocket(socketFamily === SocketFamily.IPV6 ? 'udp6' : 'udp4');
    const connection = new DatagramConnection(socket, address);
    this.#connection = connection;
    const onError = (err: Error): void => {
      const code = (err as NodeJS.ErrnoException).code;
      const syscall = (err as NodeJS.ErrnoException).syscall;
      if (syscall === 'bind' && local) this.#fail({ stage: 'create', error: bindError(local, code) });
      else this.#fail({ stage: 'connect', error: toGError(err) });
    };
    socket.on('error', onError);
    this.#unwatchUdp = () => socket.off('error', onError);
    const doConnect = (): void => {
      if (this.#settled) return;
      this.#callbacks.onConnecting(this.tag, connection);
      if (this.#settled) return;
      if (socketFamily !== address.family) {
        this.#fail({ stage: 'connect', error: errnoError('EAFNOSUPPORT') });
        return;
      }
      this.#armTimeout();
      socket.connect(address.port, address.address.toNodeHost(), () => {
        const info = socket.address();
        connection.markConnected(InetSocketAddress.newFromString(info.address, info.port));
        this.#succeed(connection);
      });
    };
    if (local)
      socket.bind({ address: local.address.toNodeHost(), port: local.port, exclusive: true }, doConnect);
    else doConnect();
  }

  /**
   * Listens for the outcome of a stream connect. The listeners are functions shared by every
   * attempt, which find their attempt on the socket: no closures per attempt. Each event fires
   * at most once before the attempt settles, and #finish removes them.
   */
  #watch(socket: OwnedSocket, local: InetSocketAddress | null, announces: boolean): void {
    socket[kAttempt] = this;
    this.#watched = socket;
    this.#local = local;
    socket.on('connect', SocketAttempt.#onConnect);
    socket.on('error', SocketAttempt.#onError);
    socket.on('close', SocketAttempt.#onClose);
    if (announces) socket.on('connectionAttempt', SocketAttempt.#onConnectionAttempt);
  }

  static #onConnectionAttempt(this: OwnedSocket): void {
    const attempt = this[kAttempt];
    if (!attempt || attempt.#settled) return;
    attempt.#armTimeout();
    attempt.#callbacks.onConnecting(attempt.tag, attempt.#connection!);
  }

  static #onConnect(this: OwnedSocket): void {
    const attempt = this[kAttempt];
    if (!attempt) return;
    const connection = attempt.#connection!;
    // The bound address is read from the socket when first asked (most callers never ask).
    connection.markConnected();
    attempt.#succeed(connection);
  }

  static #onError(this: OwnedSocket, err: NodeJS.ErrnoException): void {
    const attempt = this[kAttempt];
    if (!attempt) return;
    const local = attempt.#local;
    const address = attempt.address;
    if (err.syscall === 'bind' && local)
      attempt.#fail({ stage: 'create', error: bindError(local, err.code) });
    // A TCP failure is converted when shown; an abstract socket's refusal is explained now,
    // while /proc/net/unix still shows the listener as it was.
    else if (address instanceof InetSocketAddress)
      attempt.#fail({
        stage: 'connect',
        error: err,
        reusable: err.syscall === 'connect' ? this : undefined,
      });
    else
      attempt.#fail({
        stage: 'connect',
        error: explainAbstractRefusal(address, toGError(err)),
      });
  }

  static #onClose(this: OwnedSocket): void {
    const attempt = this[kAttempt];
    if (!attempt) return;
    if (attempt.#settled) {
      // A failed attempt's socket that no attempt took (or one that was aborted while waiting
      // for it): too late to connect it again.
      this.off('close', SocketAttempt.#onClose);
      this[kAttempt] = null;
    } else if (attempt.#waiting) {
      // The spare this attempt claimed has closed: connect it again (#watch listens anew).
      this.off('close', SocketAttempt.#onClose);
      attempt.#waiting = false;
      attempt.#startQuietly(this);
    } else attempt.#fail({ stage: 'connect', error: errnoError('ECONNRESET') });
  }

  #succeed(connection: SocketConnection): void {
    if (this.#settled) return;
    this.#finish(false);
    this.#callbacks.onConnected(this.tag, connection);
  }

  #fail(failure: AttemptFailure): void {
    if (this.#settled) return;
    // A socket that may be connected again keeps its 'close' listener: the 'close' tells the
    // attempt that claims it when to connect (or, unclaimed, that it can no longer be).
    this.#finish(failure.stage === 'connect' && failure.reusable !== undefined);
    this.#connection?.destroy();
    this.#callbacks.onFailed(this.tag, failure);
  }

  #finish(reusable: boolean): void {
    this.#settled = true;
    if (this.#timer) this.#settings.clock.clearTimeout(this.#timer);
    this.#timer = null;
    const watched = this.#watched;
    if (watched !== null) {
      this.#watched = null;
      watched.off('connect', SocketAttempt.#onConnect);
      watched.off('error', SocketAttempt.#onError);
      watched.off('connectionAttempt', SocketAttempt.#onConnectionAttempt);
      if (!reusable) {
        watched.off('close', SocketAttempt.#onClose);
        if (watched[kAttempt] === this) watched[kAttempt] = null;
      }
    }
    this.#unwatchUdp?.();
    this.#unwatchUdp = null;
    // While the client owns a socket, an 'error' event must never crash the process.
    const socket = this.#connection?.socket;
    if (socket && socket.listenerCount('error') === 0) socket.on('error', ignoreError);
  }
}

/**
 * Whether the attempt only opens a TCP socket (no callback before it returns): a stream socket to
 * an Inet address, of the address's family, with a local address of that family if any. #start's
 * checks would all pass, so #startQuietly skips them.
 */
function startsQuietly(address: SocketAddress, settings: SocketSettings): boolean {
  if (!(address instanceof InetSocketAddress) || settings.type !== SocketType.STREAM) return false;
  const local = settings.localAddress;
  if (local !== null && !(local instanceof InetSocketAddress && local.family === address.family))
    return false;
  return effectiveFamily(settings, address) === address.family && checkSocketKind(address, settings) === null;
}

/** GIO create_socket(): the family is the client's, else the local address's, else the target's. */
function effectiveFamily(settings: SocketSettings, address: InetSocketAddress): SocketFamily {
  if (settings.family !== SocketFamily.INVALID) return settings.family;
  if (settings.localAddress instanceof InetSocketAddress) return settings.localAddress.family;
  return address.family;
}

/** Socket kinds Node can open; others fail like socket(2) does in GIO's g_socket_new. */
function checkSocketKind(address: SocketAddress, settings: SocketSettings): GError | null {
  const { type, protocol } = settings;
  if (type !== SocketType.STREAM && type !== SocketType.DATAGRAM)
    return unsupported('Socket type not supported');
  if (address instanceof UnixSocketAddress) {
    if (type !== SocketType.STREAM) return unsupported('Socket type not supported');
    if (protocol !== SocketProtocol.DEFAULT) return unsupported('Protocol not supported');
    if (settings.family !== SocketFamily.INVALID && settings.family !== SocketFamily.UNIX) {
      return unsupported('Address family not supported by protocol');
    }
    return null;
  }
  if (settings.family === SocketFamily.UNIX) return unsupported('Address family not supported by protocol');
  if (type === SocketType.STREAM && protocol !== SocketProtocol.DEFAULT && protocol !== SocketProtocol.TCP) {
    return unsupported('Protocol not supported');
  }
  if (
    type === SocketType.DATAGRAM &&
    protocol !== SocketProtocol.DEFAULT &&
    protocol !== SocketProtocol.UDP
  ) {
    return unsupported('Protocol not supported');
  }
  return null;
}

function unsupported(what: string): GError {
  return new IOError(IOErrorEnum.NOT_SUPPORTED, `Unable to create socket: ${what}`);
}

function errnoError(code: string): GError {
  return new IOError(ioErrorCodeFromErrno(code), strerror(code));
}

/**
 * `Error binding to address <ip:port | [ip6%scope]:port>: <strerror>` (g_socket_bind's message),
 * not decorated.
 * gsocket.c's address_to_string always writes the port, even 0 (unlike the to_string forms).
 */
function bindError(local: InetSocketAddress, code: string | undefined): GError {
  const host = local.address.toNodeHost();
  const shown = local.family === SocketFamily.IPV6 ? `[${host}]:${local.port}` : `${host}:${local.port}`;
  return new IOError(
    ioErrorCodeFromErrno(code),
    `Error binding to address ${shown}: ${strerror(code, 'Unknown error')}`,
  );
}
