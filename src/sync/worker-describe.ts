/**
 * Worker side: the objects an 'event' carries, described as data for the caller, each with an
 * id that stays the same across events (GIO passes the *same* object from CONNECTING to
 * COMPLETE in GSocketClient::event), so the caller can hand its listeners the same stand-in object too.
 */
import type { X509Certificate } from 'node:crypto';
import type { SocketConnectable } from '../address/connectable.js';
import type { EventConnection } from '../client/connect-operation.js';
import { DatagramConnection } from '../connection/datagram-connection.js';
import { SocketConnection } from '../connection/socket-connection.js';
import { TcpConnection } from '../connection/tcp-connection.js';
import { TcpWrapperConnection } from '../connection/tcp-wrapper-connection.js';
import { UnixConnection } from '../connection/unix-connection.js';
import { TlsClientConnection } from '../tls/tls-client-connection.js';
import { describeAddress, describeConnectable } from './codec.js';
import type { ConnectionDesc, SocketConnectionType, TlsDesc } from './protocol.js';

const ids = new WeakMap<object, number>();
let nextId = 1;

export function idOf(object: object): number {
  let id = ids.get(object);
  if (id === undefined) {
    id = nextId++;
    ids.set(object, id);
  }
  return id;
}

export function describeConnection(connection: EventConnection, target: SocketConnectable): ConnectionDesc {
  if (connection instanceof TlsClientConnection) {
    return { kind: 'tls', id: idOf(connection), tls: describeTls(connection, target) };
  }
  if (connection instanceof SocketConnection) {
    const remote = connection.getRemoteAddress();
    const local = connection.getLocalAddress();
    return {
      kind: 'socket',
      id: idOf(connection),
      type: socketType(connection),
      remote: describeAddress(remote),
      local: local ? describeAddress(local) : null,
      connected: connection.isConnected(),
      // instanceof on a generic class narrows to its `any` instantiation: name the default one.
      baseId:
        connection instanceof TcpWrapperConnection
          ? idOf((connection as TcpWrapperConnection).getBaseIOStream())
          : null,
    };
  }
  return { kind: 'stream', id: idOf(connection) };
}

/**
 * The streams under `connection` (a TLS result's TLS connection, and the socket under that),
 * innermost first: what the events would have shown a listening caller, for one that did not listen.
 */
export function describeBases(connection: SocketConnection, target: SocketConnectable): ConnectionDesc[] {
  const bases: ConnectionDesc[] = [];
  let current: unknown = connection;
  // Bounded: a TLS result has two layers under it (TLS over a proxy's TLS, three at most).
  for (let depth = 0; depth < 4; depth++) {
    const base: unknown =
      current instanceof TcpWrapperConnection
        ? (current as TcpWrapperConnection).getBaseIOStream()
        : current instanceof TlsClientConnection
          ? current.baseIOStream
          : null;
    if (!(base instanceof TlsClientConnection || base instanceof SocketConnection)) break;
    bases.unshift(describeConnection(base, target));
    current = base;
  }
  return bases;
}

export function describeTls(tls: TlsClientConnection, target: SocketConnectable): TlsDesc {
  const identity = tls.serverIdentity;
  return {
    serverIdentity: identity ? describeConnectable(identity) : null,
    identityIsTarget: identity === target,
    validationFlags: tls.validationFlags,
    peerCertificates: peerChain(tls).map((c) => c.toString()),
    peerCertificateErrors: tls.peerCertificateErrors,
    negotiatedProtocol: tls.negotiatedProtocol,
    protocolVersion: tls.protocolVersion,
    ciphersuiteName: tls.ciphersuiteName,
    baseId: idOf(tls.baseIOStream),
  };
}

function peerChain(tls: TlsClientConnection): readonly X509Certificate[] {
  if (tls.peerCertificateChain.length > 0) return tls.peerCertificateChain;
  return tls.peerCertificate ? [tls.peerCertificate] : [];
}

function socketType(connection: SocketConnection): SocketConnectionType {
  if (connection instanceof TcpWrapperConnection) return 'tcp-wrapper';
  if (connection instanceof TcpConnection) return 'tcp';
  if (connection instanceof UnixConnection) return 'unix';
  if (connection instanceof DatagramConnection) return 'udp';
  return 'socket';
}
