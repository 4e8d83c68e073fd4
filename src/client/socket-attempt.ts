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
import type { Transport } from '../connection/transport.js';

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
 * it. `error` may be a function that makes the GError: a connect() failure keeps Node's error
 * and converts it only if the error is shown (most failed attempts of an operation never are).
 */
export type AttemptFailure =
  | { readonly stage: 'create'; readonly error: GError }
  | { readonly stage: 'connect'; readonly error: GError | (() => GError) };

export interface AttemptCallbacks {
  /** The socket exists (and is bound); connect() is about to start. GIO's CONNECTING moment. */
  onConnecting(connection: SocketConnection): void;
  onConnected(connection: SocketConnection): void;
  onFailed(failure: AttemptFailure): void;
}

/**
 * One connect() to one address: the mechanism only (Go's dialSingle). Policy — when to start
 * attempts, which error wins — is the operation's. Exactly one of onConnected/onFailed is called,
 * unless abort() comes first, after which nothing is called and the socket is destroyed.
 */
export class SocketAttempt {
  readonly address: SocketAddress;
  #connection: SocketConnection | null = null;
  #timer: ClockTimer | null = null;
  #clock: Clock | null = null;
  #settled = false;
  readonly #callbacks: AttemptCallbacks;
  readonly #cleanups: (() => void)[] = [];

  constructor(address: SocketAddress, settings: SocketSettings, callbacks: AttemptCallbacks) {
    this.address = address;
    this.#callbacks = callbacks;
    // A plain TCP connect reports everything asynchronously (Transport's contract), so it starts
    // at once: one tick less between a failed attempt and the next one. Other kinds can call back
    // synchronously, so they start on the next tick, once the caller has registered the attempt.
    if (startsQuietly(address, settings)) this.#start(settings);
    else process.nextTick(() => this.#start(settings));
  }

  get connection(): SocketConnection | null {
    return this.#connection;
  }

  /** Stops the attempt (a loser, or cancellation): destroys the socket, no callback afterwards. */
  abort(): void {
    this.#finish();
    this.#connection?.destroy();
  }

  #start(settings: SocketSettings): void {
    if (this.#settled) return;
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
      if (settings.type === SocketType.DATAGRAM) this.#startUdp(this.address, socketFamily, local, settings);
      else this.#startTcp(this.address, socketFamily, local, settings);
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

  #armTimeout(settings: SocketSettings): void {
    if (settings.timeoutMs <= 0) return;
    this.#clock = settings.clock;
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
  ): void {
    if (socketFamily !== address.family) {
      // The socket is made for one family and the address is of the other; connect() fails after
      // the CONNECTING event, as in GIO. Linux's inet_stream_connect refuses an IPv6 address on an
      // IPv4 socket with EAFNOSUPPORT; inet6's connect refuses the shorter IPv4 sockaddr on an
      // IPv6 socket with EINVAL.
      const socket = new Socket(); // never connected: no file descriptor is opened
      const connection = new TcpConnection(socket, address, settings.clock);
      this.#connection = connection;
      this.#callbacks.onConnecting(connection);
      if (this.#settled) return;
      const errno = socketFamily === SocketFamily.IPV6 ? 'EINVAL' : 'EAFNOSUPPORT';
      this.#fail({ stage: 'connect', error: errnoError(errno) });
      return;
    }
    // No conditional spread: it would make a dictionary-mode object on every connect.
    const family = address.family === SocketFamily.IPV6 ? 6 : 4;
    const host = address.address.toNodeHost();
    const socket = settings.transport.connectTcp(
      local
        ? {
            host,
            port: address.port,
            family,
            localAddress: local.address.toNodeHost(),
            localPort: local.port || undefined,
          }
        : { host, port: address.port, family },
    );
    const connection = new TcpConnection(socket, address, settings.clock);
    this.#connection = connection;
    this.#watch(socket, connection, local);
    // Node binds, then emits 'connectionAttempt' just before connect(): GIO's CONNECTING moment,
    // so a bind failure shows no CONNECTING event (as in g_socket_client_connect).
    // `on`, not `once` (no wrapper per attempt): Node emits it once per connect, and the
    // listener goes with the others when the attempt settles.
    const onAttempt = (): void => {
      if (this.#settled) return;
      this.#armTimeout(settings);
      this.#callbacks.onConnecting(connection);
    };
    socket.on('connectionAttempt', onAttempt);
    this.#cleanups.push(() => socket.off('connectionAttempt', onAttempt));
  }

  #startUnix(address: UnixSocketAddress, settings: SocketSettings): void {
    const socket = netConnect({ path: address.nodePath, allowHalfOpen: true });
    const connection = new UnixConnection(socket, address, settings.clock);
    this.#connection = connection;
    this.#watch(socket, connection, null);
    this.#armTimeout(settings);
    this.#callbacks.onConnecting(connection);
  }

  #startUdp(
    address: InetSocketAddress,
    socketFamily: SocketFamily,
    local: InetSocketAddress | null,
    settings: SocketSettings,
  ): void {
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
    this.#cleanups.push(() => socket.off('error', onError));
    const doConnect = (): void => {
      if (this.#settled) return;
      this.#callbacks.onConnecting(connection);
      if (this.#settled) return;
      if (socketFamily !== address.family) {
        this.#fail({ stage: 'connect', error: errnoError('EAFNOSUPPORT') });
        return;
      }
      this.#armTimeout(settings);
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

  /** Listens for the outcome of a stream connect; all listeners are removed once it settles. */
  #watch(socket: Socket, connection: SocketConnection, local: InetSocketAddress | null): void {
    const onConnect = (): void => {
      // The bound address is read from the socket when first asked (most callers never ask).
      connection.markConnected();
      this.#succeed(connection);
    };
    const onError = (err: Error): void => {
      const e = err as NodeJS.ErrnoException;
      if (e.syscall === 'bind' && local) this.#fail({ stage: 'create', error: bindError(local, e.code) });
      // A TCP failure is converted when shown; an abstract socket's refusal is explained now,
      // while /proc/net/unix still shows the listener as it was.
      else if (this.address instanceof InetSocketAddress)
        this.#fail({ stage: 'connect', error: () => toGError(err) });
      else this.#fail({ stage: 'connect', error: explainAbstractRefusal(this.address, toGError(err)) });
    };
    const onClose = (): void => this.#fail({ stage: 'connect', error: errnoError('ECONNRESET') });
    // Each fires at most once before the attempt settles, and #finish removes all three: `on`
    // spares the once-wrappers of every attempt.
    socket.on('connect', onConnect);
    socket.on('error', onError);
    socket.on('close', onClose);
    this.#cleanups.push(() => {
      socket.off('connect', onConnect);
      socket.off('error', onError);
      socket.off('close', onClose);
    });
  }

  #succeed(connection: SocketConnection): void {
    if (this.#settled) return;
    this.#finish();
    this.#callbacks.onConnected(connection);
  }

  #fail(failure: AttemptFailure): void {
    if (this.#settled) return;
    this.#finish();
    this.#connection?.destroy();
    this.#callbacks.onFailed(failure);
  }

  #finish(): void {
    this.#settled = true;
    if (this.#timer) this.#clock?.clearTimeout(this.#timer);
    this.#timer = null;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    // While the client owns a socket, an 'error' event must never crash the process.
    const socket = this.#connection?.socket;
    if (socket && socket.listenerCount('error') === 0) socket.on('error', ignoreError);
  }
}

/** Whether #start only opens a TCP socket (no callback before it returns). */
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
  const unsupported = (what: string): GError =>
    new IOError(IOErrorEnum.NOT_SUPPORTED, `Unable to create socket: ${what}`);
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
