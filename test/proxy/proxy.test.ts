// Imported first on purpose: the registry must be populated by importing proxy.ts alone.
import { getProxyForProtocol, registerProxy, type Proxy } from '../../src/proxy/proxy.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpProxy } from '../../src/proxy/http-proxy.js';
import { HttpsProxy } from '../../src/proxy/https-proxy.js';
import { Socks4Proxy } from '../../src/proxy/socks4.js';
import { Socks5Proxy } from '../../src/proxy/socks5.js';

describe('Proxy registry (§6.3)', () => {
  it('has the five built-ins, each with its hostname support', () => {
    const rows: readonly [string, abstract new (...a: never[]) => Proxy, boolean][] = [
      ['socks4', Socks4Proxy, false],
      ['socks4a', Socks4Proxy, true],
      ['socks5', Socks5Proxy, true],
      ['http', HttpProxy, true],
      ['https', HttpsProxy, true],
    ];
    for (const [name, cls, hostnames] of rows) {
      const proxy = getProxyForProtocol(name);
      assert.ok(proxy instanceof cls, name);
      assert.equal(proxy.supportsHostname(), hostnames, name);
    }
  });

  it('matches names lower-cased (SPEC §3); unknown names have none', () => {
    assert.equal(getProxyForProtocol('SOCKS5'), getProxyForProtocol('socks5'));
    assert.equal(getProxyForProtocol('Http'), getProxyForProtocol('http'));
    for (const name of ['foo', 'socks', 'direct', '', 'socks6'])
      assert.equal(getProxyForProtocol(name), null, name);
  });

  it('registerProxy adds and replaces implementations', () => {
    const original = getProxyForProtocol('http')!;
    const custom: Proxy = { supportsHostname: () => false, connect: (c) => Promise.resolve(c) };
    try {
      registerProxy('X-Custom', custom);
      assert.equal(getProxyForProtocol('x-custom'), custom);
      registerProxy('HTTP', custom);
      assert.equal(getProxyForProtocol('http'), custom);
    } finally {
      registerProxy('http', original);
    }
    assert.equal(getProxyForProtocol('http'), original);
  });
});
