/**
 * Addresses and errors to and from plain data, for both sides of the sync channel. Rebuilt
 * objects are the library's own classes, so a caller compares and prints them as usual.
 */
import type { SocketConnectable } from '../address/connectable.js';
import { InetAddress } from '../address/inet-address.js';
import { NetworkAddress } from '../address/network-address.js';
import {
  InetSocketAddress,
  ProxyAddress,
  UnixSocketAddress,
  type SocketAddress,
} from '../address/socket-address.js';
import { IOErrorEnum } from '../errors/enums.js';
import { GError, IOError, ResolverError, TlsError } from '../errors/gerror.js';
import { toGError } from '../errors/errno.js';
import { CertificateRefusedError } from '../tls/certificate-refusal.js';
import { annotateProxyFailure } from '../proxy/proxy-explanation.js';
import { NetworkService } from '../resolver/network-service.js';
import type { AddressDesc, ConnectableDesc, ErrorDesc } from './protocol.js';

export function describeAddress(address: SocketAddress): AddressDesc | null {
  if (address instanceof ProxyAddress) {
    return {
      kind: 'proxy',
      host: address.address.toNodeHost(),
      port: address.port,
      protocol: address.protocol,
      destinationProtocol: address.destinationProtocol,
      destinationHostname: address.destinationHostname,
      destinationPort: address.destinationPort,
      username: address.username,
      password: address.password,
      uri: address.uri,
    };
  }
  if (address instanceof InetSocketAddress) {
    return { kind: 'inet', host: address.address.toNodeHost(), port: address.port };
  }
  if (address instanceof UnixSocketAddress) {
    return { kind: 'unix', path: address.path, abstract: address.abstract };
  }
  return null;
}

export function rebuildAddress(desc: AddressDesc): SocketAddress {
  if (desc.kind === 'unix') return new UnixSocketAddress(desc.path, { abstract: desc.abstract });
  const inet = InetAddress.newFromString(desc.host);
  if (inet === null) throw new IOError(IOErrorEnum.INVALID_DATA, `Invalid address “${desc.host}”`);
  if (desc.kind === 'inet') return new InetSocketAddress(inet, desc.port);
  return new ProxyAddress(inet, desc.port, {
    protocol: desc.protocol,
    destinationProtocol: desc.destinationProtocol,
    destinationHostname: desc.destinationHostname,
    destinationPort: desc.destinationPort,
    username: desc.username,
    password: desc.password,
    uri: desc.uri,
  });
}

export function describeError(err: unknown): ErrorDesc {
  const error = toGError(err);
  const cause = error.cause;
  return {
    domain: error.domain,
    code: error.code,
    message: error.message,
    cause:
      cause instanceof Error
        ? {
            name: cause.name,
            message: cause.message,
            ...(typeof (cause as NodeJS.ErrnoException).code === 'string'
              ? { code: (cause as NodeJS.ErrnoException).code }
              : {}),
          }
        : null,
    ...(error instanceof CertificateRefusedError
      ? {
          certificate: {
            certificateErrors: error.certificateErrors,
            peerSubject: error.peerSubject,
            peerIssuer: error.peerIssuer,
          },
        }
      : {}),
    ...(error.proxy ? { proxy: { uri: error.proxy.uri, source: error.proxy.source } } : {}),
  };
}

/** The GError again, of the same class, code and message; `cause` is a plain Error with its text. */
export function rebuildError(desc: ErrorDesc): GError {
  let cause: Error | undefined;
  if (desc.cause) {
    cause = new Error(desc.cause.message);
    cause.name = desc.cause.name;
    if (desc.cause.code !== undefined) (cause as NodeJS.ErrnoException).code = desc.cause.code;
  }
  const error = rebuildGError(desc, cause);
  if (desc.proxy) annotateProxyFailure(error, desc.proxy);
  return error;
}

function rebuildGError(desc: ErrorDesc, cause: Error | undefined): GError {
  const options = cause ? { cause } : undefined;
  switch (desc.domain) {
    case 'g-resolver-error-quark':
      return new ResolverError(desc.code, desc.message, options);
    case 'g-tls-error-quark':
      return desc.certificate
        ? new CertificateRefusedError(desc.code, desc.message, { cause, details: desc.certificate })
        : new TlsError(desc.code, desc.message, options);
    default:
      return new IOError(desc.code, desc.message, options);
  }
}

/**
 * The built-in connectables, as data. Only exact instances qualify: a subclass may override
 * enumerate(), and that code cannot run on the worker thread. Null for anything else.
 */
export function describeConnectable(connectable: SocketConnectable): ConnectableDesc | null {
  const proto: unknown = Object.getPrototypeOf(connectable);
  if (proto === NetworkAddress.prototype) {
    const na = connectable as NetworkAddress;
    return { kind: 'network-address', hostname: na.hostname, port: na.port, scheme: na.scheme };
  }
  if (proto === NetworkService.prototype) {
    const ns = connectable as NetworkService;
    return {
      kind: 'network-service',
      service: ns.service,
      protocol: ns.protocol,
      domain: ns.domain,
      scheme: ns.scheme,
    };
  }
  if (
    proto === InetSocketAddress.prototype ||
    proto === ProxyAddress.prototype ||
    proto === UnixSocketAddress.prototype
  ) {
    const address = describeAddress(connectable as SocketAddress);
    return address ? { kind: 'address', address } : null;
  }
  return null;
}

export function rebuildConnectable(desc: ConnectableDesc): SocketConnectable {
  switch (desc.kind) {
    case 'network-address':
      return new NetworkAddress(desc.hostname, desc.port, desc.scheme);
    case 'network-service': {
      const ns = new NetworkService(desc.service, desc.protocol, desc.domain);
      // The getter gives the service name when no scheme was set, which is what the proxy
      // enumeration would use anyway.
      ns.scheme = desc.scheme;
      return ns;
    }
    case 'address':
      return rebuildAddress(desc.address);
  }
}
