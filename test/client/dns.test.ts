// Name resolution through a real DNS server (dnsmasq on loopback) with the async engine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResolverError, ResolverErrorEnum, SocketClient } from '../../src/index.js';
import { dnsmasqAvailable, startDnsmasq } from '../helpers/dnsmasq.js';
import { requireOrSkip } from '../helpers/env.js';
import { names, recordEvents } from '../helpers/events.js';
import { DIRECT } from '../helpers/resolvers.js';
import { startEchoServer } from '../helpers/servers.js';

const REASON = 'needs dnsmasq (Debian package dnsmasq-base)';

describe('SocketClient with a DnsResolver', () => {
  it('a dual-stack name: both families are looked up, IPv6 is tried first, the echo works', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), REASON)) return;
    const dns = await startDnsmasq({ hosts: [{ name: 'dual.test', ipv4: '127.0.0.1', ipv6: '::1' }] });
    const v6 = await startEchoServer('::1');
    try {
      const c = new SocketClient({ resolver: dns.resolver, proxyResolver: DIRECT });
      const events = recordEvents(c);
      const conn = await c.connectToHost(`dual.test:${v6.port}`, 0);
      assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);
      assert.equal(events[2].remote, `[::1]:${v6.port}`);
      await conn.close();
    } finally {
      await v6.close();
      await dns.stop();
    }
  });

  it('an IPv4-only name connects over IPv4', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), REASON)) return;
    const dns = await startDnsmasq({ hosts: [{ name: 'v4only.test', ipv4: '127.0.0.1' }] });
    const v4 = await startEchoServer('127.0.0.1');
    try {
      const c = new SocketClient({ resolver: dns.resolver, proxyResolver: DIRECT });
      const conn = await c.connectToHost(`v4only.test:${v4.port}`, 0);
      assert.equal(conn.getRemoteAddress().toString(), `127.0.0.1:${v4.port}`);
      await conn.close();
    } finally {
      await v4.close();
      await dns.stop();
    }
  });

  it('NXDOMAIN: ResolverError NOT_FOUND with GIO’s message, RESOLVING then COMPLETE(null)', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), REASON)) return;
    const dns = await startDnsmasq({});
    try {
      const c = new SocketClient({ resolver: dns.resolver, proxyResolver: DIRECT });
      const events = recordEvents(c);
      await assert.rejects(c.connectToHost('missing.test:80', 0), (err: unknown) => {
        assert.ok(err instanceof ResolverError);
        assert.equal(err.code, ResolverErrorEnum.NOT_FOUND);
        assert.equal(err.message, 'Error resolving “missing.test”: Name or service not known');
        return true;
      });
      assert.deepEqual(names(events), ['RESOLVING', 'COMPLETE']);
    } finally {
      await dns.stop();
    }
  });
});
