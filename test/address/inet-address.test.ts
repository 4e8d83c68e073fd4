import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InetAddress } from '../../src/address/inet-address.js';
import { SocketFamily } from '../../src/errors/enums.js';

describe('InetAddress.newFromString (strict, like inet_pton)', () => {
  const ok: readonly (readonly [string, string, SocketFamily, string])[] = [
    ['1.2.3.4', '1.2.3.4', SocketFamily.IPV4, ''],
    ['0.0.0.0', '0.0.0.0', SocketFamily.IPV4, ''],
    ['255.255.255.255', '255.255.255.255', SocketFamily.IPV4, ''],
    ['::1', '::1', SocketFamily.IPV6, ''],
    ['::', '::', SocketFamily.IPV6, ''],
    ['FE80::ABCD', 'fe80::abcd', SocketFamily.IPV6, ''],
    ['fe80::1%eth0', 'fe80::1', SocketFamily.IPV6, 'eth0'],
    ['fe80::1%2', 'fe80::1', SocketFamily.IPV6, '2'],
    // canonical text, as inet_ntop writes it (g_inet_address_to_string)
    ['0:0:0:0:0:0:0:1', '::1', SocketFamily.IPV6, ''],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1', SocketFamily.IPV6, ''],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3', SocketFamily.IPV6, ''],
    ['1:0:0:0:1:0:0:0', '1::1:0:0:0', SocketFamily.IPV6, ''], // first of equal runs
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0', SocketFamily.IPV6, ''], // one zero group is not compressed
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4', SocketFamily.IPV6, ''],
    ['0:0:0:0:0:ffff:102:304', '::ffff:1.2.3.4', SocketFamily.IPV6, ''],
  ];
  for (const [text, canonical, family, scope] of ok) {
    it(`${text} → ${canonical}`, () => {
      const a = InetAddress.newFromString(text);
      assert.ok(a);
      assert.equal(a.toString(), canonical);
      assert.equal(a.family, family);
      assert.equal(a.scope, scope);
    });
  }
  const bad = [
    '',
    '1.2.3',
    '01.2.3.4',
    '1.2.3.4.',
    '256.1.1.1',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.4%eth0',
    '3232235778',
    '0xc0a80102',
    '0300.0250.0001.0001',
    '192.168.258',
    ':::',
    '1::2::3',
    '12345::1',
    '1:2:3:4:5:6:7:8:9',
    'fe80::1%',
    '[::1]',
    '::1:80:',
    'localhost',
  ];
  for (const text of bad)
    it(`${JSON.stringify(text)} is not an address`, () =>
      assert.equal(InetAddress.newFromString(text), null));

  it('loopback and any', () => {
    assert.equal(InetAddress.newFromString('0:0::1')?.isLoopback, true);
    assert.equal(InetAddress.newFromString('0::0')?.isAny, true);
    assert.equal(InetAddress.newFromString('127.1.2.3')?.isLoopback, true);
    assert.ok(InetAddress.newFromString('::1')?.equals(InetAddress.newLoopback(SocketFamily.IPV6)));
  });
});
