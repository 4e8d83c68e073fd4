import type { Socket } from 'node:net';
import { InetAddress } from '../address/inet-address.js';
import type { TcpConnectRequest, Transport } from '../connection/transport.js';
import { invalidArgument } from '../errors/gerror.js';
import { SocketClient, type SocketClientOptions } from '../client/socket-client.js';
import { SimpleProxyResolver } from '../proxy/simple-proxy-resolver.js';
import { SocketFamily, type SocketType } from '../errors/enums.js';
import { systemError } from './system-error.js';
import { VirtualClock } from './virtual-clock.js';
import { VirtualResolver, type HostTable, type LookupDelays, type LookupRecord } from './virtual-resolver.js';
import { VirtualSocket } from './virtual-socket.js';

/** What a server on the virtual network learns about an accepted connection. */
export interface AcceptInfo {
  /** The network, e.g. for a proxy that connects onwards. */
  readonly network: VirtualNetwork;
  /** The client's address. */
  readonly remoteAddress: string;
  /** The client's (ephemeral) port. */
  readonly remotePort: number;
  /** The address that accepted. */
  readonly localAddress: string;
  /** The port that accepted. */
  readonly localPort: number;
}

/** Runs a server's side of one accepted connection (e.g. `echoServer`, `socks5Proxy(...)`). */
export type ConnectionHandler = (socket: VirtualSocket, info: AcceptInfo) => void;

/** Timing of a behaviour, in virtual milliseconds after the connect() reached the address. */
export interface AfterOptions {
  /** Default 0: at once (on a later turn of the event loop, as over loopback). */
  readonly delayMs?: number;
}

/** Options of {@link VirtualNetwork.reset}. */
export interface ConnectHandlerOptions extends AfterOptions {
  /** How long after accepting the reset comes (default 0). */
  readonly afterMs?: number;
  /** The server side until then (none: silent). */
  readonly handler?: ConnectionHandler;
}

/** What an address:port does with a connect(). */
type PortBehaviour =
  | { readonly kind: 'accept'; readonly delayMs: number; readonly handler: ConnectionHandler | null }
  | { readonly kind: 'refuse'; readonly delayMs: number }
  | { readonly kind: 'unreachable'; readonly delayMs: number }
  | { readonly kind: 'timeout'; readonly delayMs: number }
  | { readonly kind: 'blackhole' }
  | {
      readonly kind: 'reset';
      readonly delayMs: number;
      readonly afterMs: number;
      readonly handler: ConnectionHandler | null;
    };

/** How a connect() ended, as the network saw it. */
export type ConnectOutcome = 'pending' | 'accepted' | 'refused' | 'unreachable' | 'timed-out' | 'aborted';

/** One connect() on the network, for assertions. Times are virtual milliseconds. */
export interface ConnectRecord {
  /** When connect() was called. */
  readonly at: number;
  /** 'client' for a client's attempt, else the address of the proxy that connected onwards. */
  readonly from: string;
  /** The address connected to (canonical text form). */
  readonly address: string;
  /** The port connected to. */
  readonly port: number;
  /** The address family. */
  readonly family: 4 | 6;
  /** What happened; 'aborted' when the client gave up (destroyed the socket) before an answer. */
  readonly outcome: ConnectOutcome;
  /** When the outcome was decided (null while pending). */
  readonly settledAt: number | null;
  /** When the client's end of the socket was destroyed or closed (null while it lives). */
  readonly closedAt: number | null;
}

type MutableRecord = { -readonly [K in keyof ConnectRecord]: ConnectRecord[K] };

/** Options of a VirtualNetwork. */
export interface VirtualNetworkOptions {
  /** The clock to run on; a new VirtualClock by default. */
  readonly clock?: VirtualClock;
  /** The client's own IPv4 address, from which its connections come (default 198.51.100.1). */
  readonly localIpv4?: string;
  /** The client's own IPv6 address (default 2001:db8:ffff::1). */
  readonly localIpv6?: string;
}

interface HostEntry {
  readonly addresses: readonly InetAddress[];
  readonly delays: LookupDelays;
}

/**
 * A network in memory, on a clock you advance by hand: hosts with A/AAAA records (its own
 * {@link VirtualResolver}), and per address and port a behaviour — accept (with a server),
 * refuse, unreachable, blackhole, time out, reset after accepting, each after a chosen virtual
 * delay. Clients made by {@link VirtualNetwork.client} (or given to {@link VirtualNetwork.attach})
 * run the real engine — Happy Eyeballs, proxies, TLS, timeouts — over it, so a test can check
 * what code does when IPv6 is broken or a proxy stalls, exactly and without root.
 *
 * A connect() to an address no host or behaviour names fails with ENETUNREACH; to a known
 * address on a port with no behaviour, with ECONNREFUSED.
 *
 * @example
 * const net = new VirtualNetwork();
 * net.addHost('api.example', ['2001:db8::1', '192.0.2.1']);
 * net.blackhole('2001:db8::1', 443);
 * net.accept('192.0.2.1', 443, echoServer);
 * const client = net.client();
 * const pending = client.connectToHost('api.example', 443);
 * await net.clock.advance(250); // Happy Eyeballs moves to IPv4 after 250 ms
 * const conn = await pending;
 * console.log(conn.timings?.connect); // 250
 */
export class VirtualNetwork {
  /** The network's clock; advance it to let time pass. */
  readonly clock: VirtualClock;
  /** The resolver of the hosts added with addHost(). */
  readonly resolver: VirtualResolver;
  /** The transport clients attached to this network open their TCP sockets with. */
  readonly transport: Transport;
  readonly #hosts = new Map<string, HostEntry>();
  readonly #ports = new Map<string, PortBehaviour>();
  readonly #known = new Set<string>();
  readonly #connects: MutableRecord[] = [];
  readonly #lookups: LookupRecord[] = [];
  readonly #localIpv4: string;
  readonly #localIpv6: string;
  #serial = 0;
  #nextPort = 49152;

  constructor(opts: VirtualNetworkOptions = {}) {
    this.clock = opts.clock ?? new VirtualClock();
    this.#localIpv4 = canonical(opts.localIpv4 ?? '198.51.100.1', 4);
    this.#localIpv6 = canonical(opts.localIpv6 ?? '2001:db8:ffff::1', 6);
    const serialOf = (): number => this.#serial;
    const table: HostTable = {
      clock: this.clock,
      records: (name) => this.#hosts.get(name.toLowerCase()) ?? null,
      noteLookup: (record) => this.#lookups.push(Object.freeze(record)),
      get serial() {
        return serialOf();
      },
    };
    this.resolver = new VirtualResolver(table);
    this.transport = Object.freeze({
      // A VirtualSocket has every member of net.Socket the engine, proxies and TLS use (see its
      // documentation); the rest (connect(), bufferSize...) is never called on a connected socket.
      connectTcp: (request: TcpConnectRequest): Socket =>
        this.#connect(request, 'client') as unknown as Socket,
    });
  }

  /**
   * Adds a host name with its addresses (IPv4 and IPv6 literals, in the order the name server
   * gives them); `delays` sets how long its A and AAAA answers take. A name added again is replaced.
   */
  addHost(name: string, addresses: readonly string[], delays: LookupDelays = {}): this {
    const parsed = addresses.map((text) => {
      const a = InetAddress.newFromString(text);
      if (!a) throw invalidArgument(`VirtualNetwork: ${JSON.stringify(text)} is not an IP address`);
      this.#known.add(a.toString());
      return a;
    });
    this.#hosts.set(name.toLowerCase(), { addresses: parsed, delays: { ...delays } });
    this.#serial++;
    return this;
  }

  /** Accepts connections on address:port; `handler` runs the server side (none: accept and stay silent). */
  accept(
    address: string,
    port: number,
    handler: ConnectionHandler | null = null,
    opts: AfterOptions = {},
  ): this {
    return this.#set(address, port, { kind: 'accept', delayMs: delayOf(opts), handler });
  }

  /** Refuses connections on address:port (ECONNREFUSED, "Connection refused"). */
  refuse(address: string, port: number, opts: AfterOptions = {}): this {
    return this.#set(address, port, { kind: 'refuse', delayMs: delayOf(opts) });
  }

  /** Fails connections to address:port with ENETUNREACH ("Network is unreachable"): a broken route. */
  unreachable(address: string, port: number, opts: AfterOptions = {}): this {
    return this.#set(address, port, { kind: 'unreachable', delayMs: delayOf(opts) });
  }

  /** Fails connections to address:port with ETIMEDOUT after `delayMs`: the kernel giving up on SYNs. */
  timeOut(address: string, port: number, opts: AfterOptions = {}): this {
    return this.#set(address, port, { kind: 'timeout', delayMs: delayOf(opts) });
  }

  /** Never answers a connection to address:port (dropped SYNs): only the client's own timers end it. */
  blackhole(address: string, port: number): this {
    return this.#set(address, port, { kind: 'blackhole' });
  }

  /** Accepts (after `delayMs`), then resets the connection `afterMs` later (ECONNRESET at the client). */
  reset(address: string, port: number, opts: ConnectHandlerOptions = {}): this {
    const afterMs = opts.afterMs ?? 0;
    if (!Number.isFinite(afterMs) || afterMs < 0)
      throw invalidArgument('VirtualNetwork: afterMs must be >= 0');
    return this.#set(address, port, {
      kind: 'reset',
      delayMs: delayOf(opts),
      afterMs,
      handler: opts.handler ?? null,
    });
  }

  /** Every connect() so far, oldest first (a snapshot). */
  get connects(): readonly ConnectRecord[] {
    return Object.freeze(this.#connects.map((r) => Object.freeze({ ...r })));
  }

  /** Every name lookup so far, oldest first. */
  get lookups(): readonly LookupRecord[] {
    return Object.freeze([...this.#lookups]);
  }

  /**
   * A SocketClient on this network: `options` as for `new SocketClient()`; the resolver defaults
   * to the network's and the proxy resolver to one that never proxies (the environment's proxy
   * settings do not leak into a test). Its blocking API is refused (NOT_SUPPORTED).
   */
  client<T extends SocketType = SocketType.STREAM>(options: SocketClientOptions<T> = {}): SocketClient<T> {
    const client = new SocketClient<T>({
      proxyResolver: new SimpleProxyResolver(null),
      resolver: this.resolver,
      ...options,
    });
    return this.attach(client);
  }

  /** Puts an existing client on this network (its clock and transport); its resolver is left as is. */
  attach<C extends SocketClient<SocketType>>(client: C): C {
    client.attachNetwork({ clock: this.clock, transport: this.transport });
    return client;
  }

  /**
   * Opens a TCP connection from a server of this network (`from`, e.g. a proxy's address) to
   * address:port, as a client's connect() would; recorded in {@link VirtualNetwork.connects}.
   */
  connectFrom(from: string, address: string, port: number): VirtualSocket {
    const literal = InetAddress.newFromString(address);
    if (!literal) throw invalidArgument(`VirtualNetwork: ${JSON.stringify(address)} is not an IP address`);
    return this.#connect(
      { host: literal.toString(), port, family: literal.family === SocketFamily.IPV6 ? 6 : 4 },
      from,
    );
  }

  /** The addresses of a host added with addHost() (IPv6 first), or an empty list. */
  addressesOf(name: string): readonly string[] {
    const entry = this.#hosts.get(name.toLowerCase());
    if (!entry) return [];
    const v6 = entry.addresses.filter((a) => a.family === SocketFamily.IPV6).map(String);
    const v4 = entry.addresses.filter((a) => a.family === SocketFamily.IPV4).map(String);
    return [...v6, ...v4];
  }

  #set(address: string, port: number, behaviour: PortBehaviour): this {
    const literal = InetAddress.newFromString(address);
    if (!literal) throw invalidArgument(`VirtualNetwork: ${JSON.stringify(address)} is not an IP address`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw invalidArgument(`VirtualNetwork: invalid port ${String(port)}`);
    }
    this.#known.add(literal.toString());
    this.#ports.set(`${literal.toString()}|${port}`, behaviour);
    return this;
  }

  #connect(request: TcpConnectRequest, from: string): VirtualSocket {
    const clock = this.clock;
    const activity = (): void => clock.noteActivity();
    const socket = new VirtualSocket(clock, activity, { connecting: true, allowHalfOpen: true });
    const host = canonical(request.host, request.family);
    const record: MutableRecord = {
      at: clock.now(),
      from,
      address: host,
      port: request.port,
      family: request.family,
      outcome: 'pending',
      settledAt: null,
      closedAt: null,
    };
    this.#connects.push(record);
    socket.once('close', () => (record.closedAt ??= clock.now()));
    const settle = (outcome: ConnectOutcome): void => {
      if (record.outcome !== 'pending') return;
      record.outcome = outcome;
      record.settledAt = clock.now();
    };
    const behaviour = this.#behaviourOf(host, request.port);
    let timer: ReturnType<VirtualClock['setTimeout']> | null = null;
    socket.onAbort(() => {
      if (timer) clock.clearTimeout(timer);
      timer = null;
      settle('aborted');
      record.closedAt ??= clock.now();
    });
    const fail = (code: 'ECONNREFUSED' | 'ENETUNREACH' | 'ETIMEDOUT', outcome: ConnectOutcome): void => {
      settle(outcome);
      socket.onAbort(() => undefined);
      socket.destroy(systemError(code, 'connect', host, request.port));
    };
    const later = (ms: number, fn: () => void): void => {
      timer = clock.setTimeout(() => {
        timer = null;
        fn();
      }, ms);
    };
    // As net.connect to an IP literal: 'connectionAttempt' on the next tick, then the answer.
    process.nextTick(() => {
      if (socket.destroyed) return;
      socket.emit('connectionAttempt', host, request.port, request.family);
      switch (behaviour.kind) {
        case 'accept':
          later(behaviour.delayMs, () => {
            settle('accepted');
            this.#establish(socket, host, request, behaviour.handler);
          });
          break;
        case 'reset':
          later(behaviour.delayMs, () => {
            settle('accepted');
            const server = this.#establish(socket, host, request, behaviour.handler);
            later(behaviour.afterMs, () => server.resetAndDestroy());
          });
          break;
        case 'refuse':
          later(behaviour.delayMs, () => fail('ECONNREFUSED', 'refused'));
          break;
        case 'unreachable':
          later(behaviour.delayMs, () => fail('ENETUNREACH', 'unreachable'));
          break;
        case 'timeout':
          later(behaviour.delayMs, () => fail('ETIMEDOUT', 'timed-out'));
          break;
        case 'blackhole':
          break;
      }
    });
    return socket;
  }

  #establish(
    client: VirtualSocket,
    host: string,
    request: TcpConnectRequest,
    handler: ConnectionHandler | null,
  ): VirtualSocket {
    const server = new VirtualSocket(this.clock, () => this.clock.noteActivity(), {
      connecting: false,
      allowHalfOpen: false,
    });
    const localAddress = request.family === 6 ? this.#localIpv6 : this.#localIpv4;
    const localPort = this.#nextPort;
    this.#nextPort = this.#nextPort >= 65535 ? 49152 : this.#nextPort + 1;
    server.establish(client, {
      localAddress: host,
      localPort: request.port,
      remoteAddress: localAddress,
      remotePort: localPort,
    });
    client.establish(server, { localAddress, localPort, remoteAddress: host, remotePort: request.port });
    // A server that does not handle errors must not crash the test when the client goes away.
    server.on('error', () => undefined);
    if (handler) {
      handler(server, {
        network: this,
        remoteAddress: localAddress,
        remotePort: localPort,
        localAddress: host,
        localPort: request.port,
      });
    }
    return server;
  }

  #behaviourOf(host: string, port: number): PortBehaviour {
    const set = this.#ports.get(`${host}|${port}`);
    if (set) return set;
    if (this.#known.has(host)) return { kind: 'refuse', delayMs: 0 };
    return { kind: 'unreachable', delayMs: 0 };
  }
}

function delayOf(opts: AfterOptions): number {
  const ms = opts.delayMs ?? 0;
  if (!Number.isFinite(ms) || ms < 0) throw invalidArgument('VirtualNetwork: delayMs must be >= 0');
  return ms;
}

function canonical(text: string, family: 4 | 6): string {
  const a = InetAddress.newFromString(text);
  if (!a) throw invalidArgument(`VirtualNetwork: ${JSON.stringify(text)} is not an IPv${family} address`);
  return a.toString();
}
