// Issue 10 item 14: the to_string forms of GIO 2.74 (g_socket_connectable_to_string) for socket
// addresses and services, including on the objects a real connection hands back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InetAddress, InetSocketAddress, NetworkService, UnixSocketAddress } from '../../src/index.js';

const inet = (text: string, port: number): InetSocketAddress =>
  new InetSocketAddress(InetAddress.newFromString(text)!, port);

describe('InetSocketAddress (g_inet_socket_address_connectable_to_string)', () => {
  const table: readonly (readonly [string, number, string])[] = [
    ['127.0.0.1', 0, '127.0.0.1'],
    ['127.0.0.1', 80, '127.0.0.1:80'],
    ['::1', 0, '::1'],
    ['::1', 443, '[::1]:443'],
    ['2001:db8::1', 0, '2001:db8::1'],
    ['fe80::1%lo', 0, 'fe80::1%lo'],
    ['fe80::1%lo', 8080, '[fe80::1%lo]:8080'],
  ];
  for (const [ip, port, shown] of table) {
    it(`${ip} port ${port} → ${shown}`, () => {
      assert.equal(inet(ip, port).toString(), shown);
    });
  }
});

describe('UnixSocketAddress (g_unix_socket_address_connectable_to_string)', () => {
  it('a path prints as is; an abstract name prints without `@`', () => {
    assert.equal(new UnixSocketAddress('/run/x.sock').toString(), '/run/x.sock');
    assert.equal(UnixSocketAddress.newAbstract('my-name').toString(), 'my-name');
  });

  it('bytes outside printable ASCII are written \\xNN (UTF-8 bytes one by one)', () => {
    assert.equal(UnixSocketAddress.newAbstract('a\x01b\n').toString(), 'a\\x01b\\x0a');
    assert.equal(new UnixSocketAddress('/tmp/ü').toString(), '/tmp/\\xc3\\xbc');
  });
  // A live connection's remote address is checked in test/client/socket-kinds.test.ts.
});

describe('NetworkService (g_network_service_connectable_to_string)', () => {
  it('never prints `(null)`: an unset scheme shows as it reads (the service)', () => {
    const service = new NetworkService('http', 'tcp', 'good.test');
    assert.equal(service.toString(), '(http, tcp, good.test, http)');
    service.scheme = 'https';
    assert.equal(String(service), '(http, tcp, good.test, https)');
  });
});
