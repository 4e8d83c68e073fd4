// The timeout model through the blocking API (docs/timeouts.md): `timeout` is a deadline per stage,
// `connectTimeout` bounds the whole connect and nothing after it. The settings cross to the sync
// engine thread with the rest of the client's; the peers run in child processes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IOErrorEnum, SimpleProxyResolver, SocketClient } from '../../src/index.js';
import { comparable, runAsync, runSync } from './compare.js';
import { startPeer, type Peer } from './peer.js';

describe('blocking connect: stage deadlines and connectTimeout', () => {
  let silent: Peer;
  let echo: Peer;
  before(async () => {
    silent = await startPeer({ kind: 'tcp', mode: 'silent' });
    echo = await startPeer({ kind: 'tcp' });
  });
  after(async () => {
    await silent.stop();
    await echo.stop();
  });

  it('connectTimeout ends a connect held by a proxy that never answers, as async', async () => {
    const opts = {
      proxyResolver: new SimpleProxyResolver(`http://127.0.0.1:${silent.port}`),
      connectTimeout: 0.5,
    };
    const a = await runAsync(opts, (c) => c.connectToHost('example.test:80', 0));
    const s = runSync(opts, (c) => c.connectToHostSync('example.test:80', 0));
    assert.deepEqual(comparable(s), comparable(a));
    assert.equal(s.error?.code, IOErrorEnum.TIMED_OUT);
    assert.equal(s.error?.message, 'Could not connect to example.test: Socket I/O timed out');
    assert.ok(s.elapsed >= 400 && s.elapsed < 4000, `failed after ${s.elapsed} ms`);
  });

  it('timeout bounds proxy negotiation: TIMED_OUT "Socket I/O timed out", as async', async () => {
    const opts = { proxyResolver: new SimpleProxyResolver(`http://127.0.0.1:${silent.port}`), timeout: 0.5 };
    const a = await runAsync(opts, (c) => c.connectToHost('example.test:80', 0));
    const s = runSync(opts, (c) => c.connectToHostSync('example.test:80', 0));
    assert.deepEqual(comparable(s), comparable(a));
    assert.equal(s.error?.code, IOErrorEnum.TIMED_OUT);
    assert.equal(s.error?.message, 'Socket I/O timed out');
    assert.ok(s.elapsed >= 400 && s.elapsed < 4000, `failed after ${s.elapsed} ms`);
  });

  it('connectTimeout does not end the connection afterwards', async () => {
    const client = new SocketClient({ proxyResolver: new SimpleProxyResolver(), connectTimeout: 0.3 });
    const conn = client.connectToHostSync(`127.0.0.1:${echo.port}`, 0);
    try {
      await new Promise((r) => setTimeout(r, 800));
      assert.equal(conn.write('ping'), 4);
      assert.equal(conn.read(4).toString(), 'ping');
    } finally {
      conn.close();
    }
  });
});
