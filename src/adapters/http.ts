/**
 * gsocketclient under `node:http`, `node:https` and everything built on them (`ws`, `axios`'s
 * Node adapter, `got`): Agents whose connections are made by a SocketClient, with Node's own
 * keep-alive pooling kept intact.
 *
 * @example
 * import https from 'node:https';
 * import { HttpsAgent } from 'gsocketclient/http';
 * https.get('https://example.org/', { agent: new HttpsAgent() }, (res) => res.resume());
 *
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { SocketClient } from '../client/socket-client.js';
import { invalidArgument } from '../errors/gerror.js';
import { ConnectError } from './connect-error.js';
import { originFor } from './origin.js';
import { nodeSemantics } from './socket.js';

export { ConnectError } from './connect-error.js';

/** The callback Node's Agent passes to `createConnection`: the connected socket, or the error. */
export type CreateCallback = (err: Error | null, stream: Duplex) => void;

/** Options of {@link HttpAgent}: Node's agent options plus the SocketClient to connect with. */
export interface HttpAgentOptions extends http.AgentOptions {
  /** The client that makes every connection (default: a new `SocketClient()`). */
  readonly client?: SocketClient;
}

/** Options of {@link HttpsAgent}: Node's https agent options plus the SocketClient to connect with. */
export interface HttpsAgentOptions extends https.AgentOptions {
  /** The client that makes every connection (default: a new `SocketClient()`). */
  readonly client?: SocketClient;
}

/**
 * `http.Agent` whose `createConnection` goes through a SocketClient: `http.get(url, { agent })`
 * and `new WebSocket('ws://…', { agent })` (ws) resolve, race addresses, use proxies and report
 * events the way the client does. Keep-alive and socket pooling are Node's.
 *
 * @example
 * const agent = new HttpAgent({ keepAlive: true, client: new SocketClient({ timeout: 5 }) });
 * http.get('http://localhost:8080/', { agent }, (res) => res.pipe(process.stdout));
 */
export class HttpAgent extends http.Agent {
  /** The SocketClient making this agent's connections. */
  readonly client: SocketClient;

  constructor(options: HttpAgentOptions = {}) {
    const { client = new SocketClient(), ...agentOptions } = options;
    super(agentOptions);
    this.client = client;
  }

  /** Connects through the client; the socket reaches Node by `callback` (Node's async form). */
  override createConnection(options: http.ClientRequestArgs, callback?: CreateCallback): undefined {
    connectFor(this.client, 'http:', options, () => undefined, callback);
    return undefined;
  }
}

/**
 * `https.Agent` whose connections are made by a SocketClient with TLS: the certificate is judged by
 * GIO's rules (the client's `tlsValidationFlags` and accept-certificate handlers, seen in the
 * `TLS_HANDSHAKING` event), the server identity is the request's host. The request's `ca`, `cert`,
 * `key`, `pfx`, `passphrase`, `crl`, `ciphers`, `minVersion`, `maxVersion` and `ALPNProtocols` are
 * passed to the handshake. `rejectUnauthorized: false` is refused: relax validation on the
 * client instead (`tlsValidationFlags`), where the choice is visible.
 *
 * @example
 * const agent = new HttpsAgent({ keepAlive: true, ca: myCaPem });
 * https.get('https://localhost:8443/', { agent }, (res) => res.resume());
 */
export class HttpsAgent extends https.Agent {
  /** The SocketClient making this agent's connections. */
  readonly client: SocketClient;

  constructor(options: HttpsAgentOptions = {}) {
    const { client = new SocketClient(), ...agentOptions } = options;
    super(agentOptions);
    this.client = client;
  }

  /** Connects and handshakes through the client; the TLS socket reaches Node by `callback`. */
  override createConnection(options: https.RequestOptions, callback?: CreateCallback): undefined {
    connectFor(this.client, 'https:', options, () => tlsOptionsOf(options), callback);
    return undefined;
  }
}

/** The request's TLS options that mean the same under GIO's validation. */
const FORWARDED_TLS_KEYS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'crl',
  'ciphers',
  'minVersion',
  'maxVersion',
  'ALPNProtocols',
] as const;

function tlsOptionsOf(options: https.RequestOptions): ConnectionOptions {
  if (options.rejectUnauthorized === false) {
    throw invalidArgument(
      'rejectUnauthorized: false is not honoured by HttpsAgent: set the SocketClient’s tlsValidationFlags instead',
    );
  }
  const out: Record<string, unknown> = {};
  // Node passes the agent's and the request's TLS options together; ALPNProtocols is among them
  // although RequestOptions does not declare it.
  const given = options as Readonly<Record<string, unknown>>;
  for (const key of FORWARDED_TLS_KEYS) if (given[key] !== undefined) out[key] = given[key];
  return out;
}

function connectFor(
  client: SocketClient,
  protocol: 'http:' | 'https:',
  options: http.ClientRequestArgs,
  tlsOptionsFor: () => ConnectionOptions | undefined,
  callback: CreateCallback | undefined,
): void {
  if (typeof callback !== 'function') throw invalidArgument('createConnection needs a callback');
  const fail = (err: unknown): void => callback(ConnectError.from(err), undefined as unknown as Duplex);
  let origin;
  let tlsOptions;
  try {
    origin = originFor(protocol, options.hostname ?? options.host ?? 'localhost', options.port);
    tlsOptions = tlsOptionsFor();
  } catch (err) {
    process.nextTick(fail, err);
    return;
  }
  client
    .connect(origin.target, { tls: origin.secure, ...(tlsOptions === undefined ? {} : { tlsOptions }) })
    .then((connection) => callback(null, nodeSemantics(connection)), fail);
}
