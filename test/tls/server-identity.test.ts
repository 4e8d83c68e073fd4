// Server identity and SNI derived from the connectable (gio-behaviour §8.2).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SocketConnectable } from '../../src/address/connectable.js';
import { InetAddress } from '../../src/address/inet-address.js';
import { NetworkAddress } from '../../src/address/network-address.js';
import { InetSocketAddress, ProxyAddress, UnixSocketAddress } from '../../src/address/socket-address.js';
import { NetworkService } from '../../src/resolver/network-service.js';
import { serverIdentityOf, sniFor, type ServerIdentity } from '../../src/tls/server-identity.js';

const isa = (ip: string, port = 443): InetSocketAddress =>
  new InetSocketAddress(InetAddress.newFromString(ip)!, port);

const CASES: readonly (readonly [string, SocketConnectable | null, ServerIdentity])[] = [
  ['NetworkAddress host', new NetworkAddress('localhost', 443), { kind: 'host', host: 'localhost' }],
  [
    'NetworkAddress with scheme',
    NetworkAddress.parseUri('https://Example.COM:8443/x', 443),
    { kind: 'host', host: 'example.com' },
  ],
  ['trailing dot dropped', new NetworkAddress('example.com.', 443), { kind: 'host', host: 'example.com' }],
  [
    'IDN to A-labels',
    new NetworkAddress('bücher.example', 443),
    { kind: 'host', host: 'xn--bcher-kva.example' },
  ],
  ['NetworkAddress IPv4 literal', new NetworkAddress('127.0.0.1', 443), { kind: 'ip', ip: '127.0.0.1' }],
  ['NetworkAddress IPv6 literal', new NetworkAddress('::1', 443), { kind: 'ip', ip: '::1' }],
  ['NetworkAddress IPv6 with zone', new NetworkAddress('fe80::1%lo', 443), { kind: 'ip', ip: 'fe80::1' }],
  [
    'NetworkAddress bracketed IPv6',
    new NetworkAddress('[2001:DB8::1]', 443),
    { kind: 'ip', ip: '2001:db8::1' },
  ],
  [
    'NetworkService domain',
    new NetworkService('xmpp-client', 'tcp', 'example.org'),
    { kind: 'host', host: 'example.org' },
  ],
  ['InetSocketAddress v4', isa('127.0.0.1'), { kind: 'ip', ip: '127.0.0.1' }],
  ['InetSocketAddress v6', isa('::1'), { kind: 'ip', ip: '::1' }],
  [
    'ProxyAddress: the destination, not the proxy',
    new ProxyAddress(InetAddress.newFromString('127.0.0.1')!, 1080, {
      protocol: 'socks5',
      destinationProtocol: 'https',
      destinationHostname: 'dest.example',
      destinationPort: 443,
    }),
    { kind: 'host', host: 'dest.example' },
  ],
  ['null', null, { kind: 'none' }],
  ['UnixSocketAddress', new UnixSocketAddress('/tmp/x.sock'), { kind: 'none' }],
  ['empty host name', new NetworkAddress('.', 443), { kind: 'none' }],
];

describe('serverIdentityOf', () => {
  for (const [name, connectable, expected] of CASES) {
    it(name, () => assert.deepEqual(serverIdentityOf(connectable), expected));
  }
});

describe('sniFor', () => {
  it('host names only: never an IP (RFC 6066 §3, glib-networking 2.72)', () => {
    assert.equal(sniFor({ kind: 'host', host: 'localhost' }), 'localhost');
    assert.equal(sniFor({ kind: 'ip', ip: '127.0.0.1' }), undefined);
    assert.equal(sniFor({ kind: 'none' }), undefined);
  });
});
