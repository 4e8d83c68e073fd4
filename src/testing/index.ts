/**
 * `gsocketclient/testing`: a virtual network and clock to test code that connects with
 * gsocketclient — Happy Eyeballs fallbacks, refused or stalled servers, proxies, timeouts and
 * cancellation — deterministically, in memory, without root and without waiting. See
 * docs/testing.md.
 *
 * @example
 * import { VirtualNetwork, echoServer } from 'gsocketclient/testing';
 * const net = new VirtualNetwork();
 * net.addHost('api.example', ['2001:db8::1', '192.0.2.1']);
 * net.blackhole('2001:db8::1', 443); // IPv6 broken
 * net.accept('192.0.2.1', 443, echoServer);
 * const pending = net.client().connectToHost('api.example', 443);
 * await net.clock.advance(250);
 * const conn = await pending; // over IPv4, at exactly 250 ms
 *
 * @module
 */
import '../index.js';

export { VirtualClock } from './virtual-clock.js';
export {
  VirtualNetwork,
  type AcceptInfo,
  type AfterOptions,
  type ConnectHandlerOptions,
  type ConnectionHandler,
  type ConnectOutcome,
  type ConnectRecord,
  type VirtualNetworkOptions,
} from './virtual-network.js';
export { VirtualResolver, type LookupDelays, type LookupRecord } from './virtual-resolver.js';
export { VirtualSocket, type VirtualEndpoints } from './virtual-socket.js';
export { echoServer, greetingServer, silentServer } from './servers.js';
export { httpConnectProxy, socks5Proxy, type VirtualProxyOptions } from './proxy-servers.js';
export type { Clock, ClockTimer } from '../clock.js';
export type { Transport, TcpConnectRequest } from '../connection/transport.js';
