// Everything public is exported from here; other modules are internal.
export * from './errors/index.js';
export { Cancellable, type CancelOptions } from './cancellable.js';
export type { Clock, ClockTimer } from './clock.js';
export { InetAddress } from './address/inet-address.js';
export {
  SocketAddress,
  InetSocketAddress,
  UnixSocketAddress,
  ProxyAddress,
  type ProxyAddressInit,
} from './address/socket-address.js';
export {
  BaseAddressEnumerator,
  ListAddressEnumerator,
  type SocketAddressEnumerator,
  type SocketConnectable,
  type EnumerateOptions,
} from './address/connectable.js';
export { NetworkAddress } from './address/network-address.js';
export { Resolver, type LookupOptions } from './resolver/resolver.js';
export { SystemResolver, type SystemResolverOptions } from './resolver/system-resolver.js';
export { DnsResolver, type DnsResolverOptions } from './resolver/dns-resolver.js';
export { PinnedResolver } from './resolver/pinned-resolver.js';
export { SrvTarget } from './resolver/srv-target.js';
export type { RandomSource } from './resolver/srv-order.js';
export { NetworkService } from './resolver/network-service.js';
export { ProxyResolver, getDefaultProxyResolver, setDefaultProxyResolver } from './proxy/proxy-resolver.js';
export { SimpleProxyResolver } from './proxy/simple-proxy-resolver.js';
export { EnvironmentProxyResolver, type ProxyEnvironment } from './proxy/environment-proxy-resolver.js';
export type { EnvironmentProxyOptions } from './proxy/environment-proxy-resolver.js';
export {
  SystemProxyResolver,
  type SystemProxyOptions,
  type SystemProxySource,
} from './proxy/system-proxy-resolver.js';
export { PacProxyResolver, type PacProxyOptions } from './proxy/pac-proxy-resolver.js';
export type { PacOutcome, ProxyExplanation, ProxyFailureInfo } from './proxy/proxy-explanation.js';
export { ProxyAddressEnumerator } from './proxy/proxy-address-enumerator.js';
export { registerProxy, getProxyForProtocol, type Proxy, type ProxyConnectOptions } from './proxy/proxy.js';
export { Socks4Proxy } from './proxy/socks4.js';
export { Socks5Proxy } from './proxy/socks5.js';
export { HttpProxy } from './proxy/http-proxy.js';
export { HttpsProxy } from './proxy/https-proxy.js';
export type { IOStream } from './connection/io-stream.js';
export { SocketConnection } from './connection/socket-connection.js';
export { TcpConnection } from './connection/tcp-connection.js';
export { UnixConnection } from './connection/unix-connection.js';
export { TcpWrapperConnection } from './connection/tcp-wrapper-connection.js';
export type {
  AttemptOutcome,
  AttemptStage,
  ConnectAttempt,
  ConnectionTimings,
} from './connection/timings.js';
export { TlsClientConnection, type AcceptCertificateHandler } from './tls/tls-client-connection.js';
export { formatCertificateFlags } from './tls/certificate-flags.js';
export { CertificateRefusedError, type CertificateRefusalDetails } from './tls/certificate-refusal.js';
export { CertificateVerificationError } from './tls/openssl-verdict.js';
export {
  systemTrustStore,
  findSystemTrustStore,
  type SystemTrustStore,
  type TrustStoreSource,
} from './tls/system-trust-store.js';
export { DatagramConnection, DatagramStream } from './connection/datagram-connection.js';
export {
  SocketClient,
  DEFAULT_ATTEMPT_DELAY_MS,
  AsyncResult,
  type AsyncReadyCallback,
  type SocketClientOptions,
  type SocketClientEvents,
  type ConnectOptions,
  type EventConnection,
  type NoTlsOverride,
  type OperationTls,
  type SocketClientConnection,
  type SocketClientEventArgs,
  type SocketClientEventListener,
  type SocketClientNarrowingListener,
} from './client/socket-client.js';
export { SyncSocketConnection } from './sync/sync-socket-connection.js';
export { SyncTlsClientConnection, type SyncAcceptCertificateHandler } from './sync/sync-tls-connection.js';
export { SharedCancellable } from './sync/shared-cancellable.js';
export type { SyncEventConnection } from './sync/sync-connect.js';
// Loaded for its effect: it installs the blocking entry points behind SocketClient's …Sync methods.
import './sync/sync-connect.js';
// Loaded for its effect: it lets PAC resolvers fetch http:/https: scripts with the client.
import './client/pac-fetch.js';
