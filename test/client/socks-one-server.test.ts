// `socks://` expands to socks5, socks4a, socks4 of one server (GIO's libproxy rule). They are tried
// one at a time, not raced after the Happy Eyeballs attempt delay, so the destination is resolved
// locally (for socks4) only once socks5 and socks4a have failed: no DNS leak while socks5 is asked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Cancellable,
  IOErrorEnum,
  SimpleProxyResolver,
  SocketClient,
  SocketClientEvent,
  type TcpConnection,
} from '../../src/index.js';
import { canFirewall, requireOrSkip } from '../helpers/env.js';
import { names, recordEvents } from '../helpers/events.js';
import { blackholePort } from '../helpers/firewall.js';
import { startServer } from '../helpers/servers.js';
import { RecordingResolver } from '../proxy/fakes.js';

interface Seen {
  readonly askedAtAccept: readonly string[];
  firstBytes: Buffer;
}

describe('socks:// candidates are one server', () => {
  it('a SOCKS server that never answers: socks5, then socks4a, then socks4, each after the previous ended', async () => {
    const resolver = new RecordingResolver({ 'example.test': ['127.0.0.1'] });
    const seen: Seen[] = [];
    // Records what each connection sends and never answers (a proxy slow to answer).
    const proxy = await startServer('127.0.0.1', 0, (socket) => {
      const entry: Seen = { askedAtAccept: [...resolver.asked], firstBytes: Buffer.alloc(0) };
      seen.push(entry);
      socket.on('data', (d: Buffer) => {
        entry.firstBytes = Buffer.concat([entry.firstBytes, d]).subarray(0, 16);
      });
    });
    try {
      const c = new SocketClient({
        timeout: 1,
        resolver,
        proxyResolver: new SimpleProxyResolver(`socks://127.0.0.1:${proxy.port}`),
      });
      const events = recordEvents(c);
      // At each CONNECTING: were all earlier attempts' sockets already destroyed by the client?
      const earlierEnded: boolean[] = [];
      const attempts: TcpConnection[] = [];
      c.on('event', (event, _target, connection) => {
        if (event !== SocketClientEvent.CONNECTING) return;
        earlierEnded.push(attempts.every((a) => a.socket.destroyed));
        attempts.push(connection as TcpConnection);
      });
      await assert.rejects(c.connectToHost('example.test:80', 0), {
        code: IOErrorEnum.TIMED_OUT,
        message: 'Socket I/O timed out',
      });
      assert.equal(seen.length, 3, 'one connection per SOCKS version');
      assert.equal(names(events).filter((n) => n === 'CONNECTING').length, 3);
      assert.deepEqual(earlierEnded, [true, true, true], 'one candidate at a time');
      // socks5 greeting; socks4a with DSTIP 0.0.0.1 (the name goes to the proxy); socks4 with the IP.
      assert.equal(seen[0].firstBytes[0], 5);
      assert.equal(seen[1].firstBytes[0], 4);
      assert.deepEqual([...seen[1].firstBytes.subarray(4, 8)], [0, 0, 0, 1]);
      assert.equal(seen[2].firstBytes[0], 4);
      assert.deepEqual([...seen[2].firstBytes.subarray(4, 8)], [127, 0, 0, 1]);
      // The destination was looked up locally only for socks4, after socks5 and socks4a ended.
      assert.deepEqual(seen[0].askedAtAccept, []);
      assert.deepEqual(seen[1].askedAtAccept, []);
      assert.deepEqual(seen[2].askedAtAccept, ['example.test']);
      assert.deepEqual(resolver.asked, ['example.test']);
    } finally {
      await proxy.close();
    }
  });

  it('a proxy slow to accept (SYN dropped): no second candidate and no local lookup while socks5 is pending', async (t) => {
    if (!requireOrSkip(t, canFirewall(), 'needs root and iptables to blackhole a loopback port')) return;
    const proxy = await startServer('127.0.0.1', 0, () => undefined);
    const unblock = blackholePort(proxy.port, 4);
    const cancellable = new Cancellable();
    try {
      const resolver = new RecordingResolver({ 'example.test': ['127.0.0.1'] });
      const c = new SocketClient({
        resolver,
        proxyResolver: new SimpleProxyResolver(`socks://127.0.0.1:${proxy.port}`),
      });
      const events = recordEvents(c);
      const done = c.connectToHost('example.test:80', 0, { cancellable });
      done.catch(() => undefined); // awaited below; no unhandled rejection if an assertion fails first
      // Well past two attempt delays (250 ms each), when socks4a and socks4 used to be raced.
      await new Promise((r) => setTimeout(r, 1200));
      assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING']);
      assert.deepEqual(resolver.asked, [], 'the destination was not resolved locally');
      cancellable.cancel();
      await assert.rejects(done, { code: IOErrorEnum.CANCELLED });
    } finally {
      cancellable.cancel();
      unblock();
      await proxy.close();
    }
  });
});
