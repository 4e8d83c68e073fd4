// Happy Eyeballs and timeouts with real blackholes: an ip(6)tables DROP rule on one loopback
// port makes its connect hang (needs root; required in CI). These few are the end-to-end proof on
// real sockets; the exact, table-driven timing scenarios (attempt delays, timeouts, cancellation,
// the inactivity timeout) run on the virtual network in test/testing/.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IOError, IOErrorEnum, SocketClient, TcpConnection } from '../../src/index.js';
import { canFirewall, requireOrSkip } from '../helpers/env.js';
import { names, recordEvents } from '../helpers/events.js';
import { blackholePort } from '../helpers/firewall.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { startEchoServer, unusedPort } from '../helpers/servers.js';
import { DIRECT } from '../helpers/resolvers.js';

const firewall = canFirewall();
const REASON = 'needs root and ip6tables/iptables to blackhole a loopback port';

describe('Happy Eyeballs (§3.4, RFC 8305)', () => {
  it('localhost with ::1 blackholed: 127.0.0.1 connects after one attempt delay; the loser is destroyed', async (t) => {
    if (!requireOrSkip(t, firewall, REASON)) return;
    const baseline = activeResources();
    const v4 = await startEchoServer('127.0.0.1');
    const unblock = blackholePort(v4.port, 6);
    try {
      const c = new SocketClient({ proxyResolver: DIRECT });
      const events = recordEvents(c);
      const t0 = Date.now();
      const conn = await c.connectToHost(`localhost:${v4.port}`, 0);
      const elapsed = Date.now() - t0;
      assert.deepEqual(names(events), [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTING',
        'CONNECTED',
        'COMPLETE',
      ]);
      assert.equal(events[2].remote, `[::1]:${v4.port}`);
      assert.equal(events[3].remote, `127.0.0.1:${v4.port}`);
      assert.ok(
        events[3].at >= 200 && events[3].at < 1000,
        `second attempt at ${events[3].at} ms (expected ~250)`,
      );
      assert.ok(elapsed >= 200 && elapsed < 1500, `connected after ${elapsed} ms`);
      const loser = events[2].connection as TcpConnection;
      assert.equal(loser.socket.destroyed, true, 'the blackholed attempt was destroyed');
      assert.equal(conn.getRemoteAddress().toString(), `127.0.0.1:${v4.port}`);
      await conn.close();
    } finally {
      unblock();
      await v4.close();
    }
    assert.deepEqual(await settleLeaks(baseline), {});
  });

  it('both blackholed, timeout=1: TIMED_OUT only after the later attempt times out (Q1 fix)', async (t) => {
    if (!requireOrSkip(t, firewall, REASON)) return;
    const port = await unusedPort();
    const unblock6 = blackholePort(port, 6);
    const unblock4 = blackholePort(port, 4);
    try {
      const c = new SocketClient({ proxyResolver: DIRECT, timeout: 1 });
      const events = recordEvents(c);
      const t0 = Date.now();
      await assert.rejects(c.connectToHost(`localhost:${port}`, 0), (err: unknown) => {
        assert.ok(err instanceof IOError);
        assert.equal(err.code, IOErrorEnum.TIMED_OUT);
        assert.equal(err.message, 'Could not connect to localhost: Socket I/O timed out');
        return true;
      });
      const elapsed = Date.now() - t0;
      assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTING', 'COMPLETE']);
      // GIO 2.74 fails at ~1000 ms when the first attempt times out; we wait for the second.
      assert.ok(elapsed >= 1200, `failed after ${elapsed} ms, before the second attempt's timeout`);
      assert.ok(elapsed < 3000, `failed after ${elapsed} ms`);
    } finally {
      unblock6();
      unblock4();
    }
  });
});

describe('timeout (§9)', () => {
  it('a blackholed connect fails with "Could not connect to …: Socket I/O timed out" after ~timeout', async (t) => {
    if (!requireOrSkip(t, firewall, REASON)) return;
    const baseline = activeResources();
    const port = await unusedPort();
    const unblock = blackholePort(port, 4);
    try {
      const c = new SocketClient({ proxyResolver: DIRECT, timeout: 1 });
      const t0 = Date.now();
      await assert.rejects(c.connectToHost(`127.0.0.1:${port}`, 0), {
        code: IOErrorEnum.TIMED_OUT,
        message: 'Could not connect to 127.0.0.1: Socket I/O timed out',
      });
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 950 && elapsed < 2500, `timed out after ${elapsed} ms`);
    } finally {
      unblock();
    }
    assert.deepEqual(await settleLeaks(baseline), {});
  });
});
