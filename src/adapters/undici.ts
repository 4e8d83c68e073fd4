/**
 * gsocketclient under undici (and so under `fetch`): a connector for undici's `connect` option and
 * a ready-made Dispatcher. Every connection undici opens goes through a SocketClient — name
 * resolution with Happy Eyeballs, proxies from the environment (SOCKS, HTTP CONNECT), GIO's TLS
 * validation flags and the `'event'` timeline.
 *
 * undici is an optional peer dependency: only this module imports it.
 *
 * @example
 * import { fetch } from 'undici';
 * import { UndiciAgent } from 'gsocketclient/undici';
 * const res = await fetch('https://example.org/', { dispatcher: new UndiciAgent() });
 *
 * @module
 */
import type { ConnectionOptions } from 'node:tls';
import { Agent, type buildConnector } from 'undici';
import { SocketClient, type SocketClientOptions } from '../client/socket-client.js';
import { IOErrorEnum } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import { ConnectError } from './connect-error.js';
import { originFor } from './origin.js';
import { nodeSemantics } from './socket.js';

export { ConnectError } from './connect-error.js';

/** Options of {@link createUndiciConnector}. */
export interface UndiciConnectorOptions {
  /** Offer HTTP/2 by ALPN on `https:` origins (set it with undici's `allowH2`). Default false. */
  readonly allowH2?: boolean;
  /** Extra Node TLS options for `https:` origins, merged over the client's `tlsOptions`. */
  readonly tlsOptions?: ConnectionOptions;
}

/**
 * A connector for undici's `connect` option (the shape `buildConnector()` returns): a TCP
 * connection for `http:` origins, TLS for `https:` ones (ALPN `http/1.1`, plus `h2` with
 * `allowH2`), all made by `client` — or by a new SocketClient built from the given options. The
 * client's own `tls` property is ignored here: the origin's scheme decides.
 *
 * Failures reach undici as {@link ConnectError}s whose `code` is Node's string (`ECONNREFUSED`, …),
 * so undici's RetryAgent retries exactly what it retries with its own connector.
 *
 * @example
 * import { Client } from 'undici';
 * const client = new SocketClient({ timeout: 5 });
 * const origin = new Client('http://localhost:8080', { connect: createUndiciConnector(client) });
 */
export function createUndiciConnector(
  clientOrOptions: SocketClient | SocketClientOptions = {},
  options: UndiciConnectorOptions = {},
): buildConnector.connector {
  const client =
    clientOrOptions instanceof SocketClient ? clientOrOptions : new SocketClient(clientOrOptions);
  const alpn = options.allowH2 === true ? ['h2', 'http/1.1'] : ['http/1.1'];
  return (request, callback) => {
    let origin;
    try {
      if (request.httpSocket !== undefined) {
        // undici's own ProxyAgent tunnels through a socket it made; gsocketclient does proxies itself.
        throw new IOError(
          IOErrorEnum.NOT_SUPPORTED,
          'Tunnelling over an httpSocket is not supported: gsocketclient connects through proxies itself',
        );
      }
      origin = originFor(request.protocol, request.hostname, request.port);
    } catch (err) {
      callback(ConnectError.from(err), null);
      return;
    }
    const tlsOptions = origin.secure ? { ALPNProtocols: alpn, ...options.tlsOptions } : undefined;
    client.connect(origin.target, { tls: origin.secure, tlsOptions }).then(
      (connection) => callback(null, nodeSemantics(connection)),
      (err: unknown) => callback(ConnectError.from(err), null),
    );
  };
}

/** Options of {@link UndiciAgent}: undici's Agent options, plus the SocketClient to connect with. */
export type UndiciAgentOptions = Omit<Agent.Options, 'connect'> & {
  /** The client that makes every connection (default: a new `SocketClient()`). */
  readonly client?: SocketClient;
  /** Extra Node TLS options for `https:` origins. */
  readonly tlsOptions?: ConnectionOptions;
};

/**
 * undici's Agent with every connection made by a SocketClient: use it as `fetch(url, {
 * dispatcher })`, with `setGlobalDispatcher()`, or anywhere undici takes a Dispatcher. Pooling,
 * keep-alive, pipelining and `allowH2` are undici's own.
 *
 * @example
 * import { fetch, setGlobalDispatcher } from 'undici';
 * setGlobalDispatcher(new UndiciAgent({ client: new SocketClient({ timeout: 10 }) }));
 * const body = await (await fetch('http://localhost:8080/')).text();
 */
export class UndiciAgent extends Agent {
  /** The SocketClient making this agent's connections (listen to its `'event'` for the timeline). */
  readonly client: SocketClient;

  constructor(options: UndiciAgentOptions = {}) {
    const { client = new SocketClient(), tlsOptions, ...agentOptions } = options;
    const connectorOptions: UndiciConnectorOptions = {
      ...(agentOptions.allowH2 === undefined ? {} : { allowH2: agentOptions.allowH2 }),
      ...(tlsOptions === undefined ? {} : { tlsOptions }),
    };
    super({ ...agentOptions, connect: createUndiciConnector(client, connectorOptions) });
    this.client = client;
  }
}
