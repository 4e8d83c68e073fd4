// OpenSSH's dynamic forwarding (`ssh -D`) as an independent, real SOCKS4a peer: GIO's socks4a
// sends the name and the sshd at the other end resolves and connects to it (channels.c
// channel_decode_socks4). Dante, the other SOCKS4 daemon here, has no SOCKS4a.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ProxyAddress, SimpleProxyResolver, SocketClient, type SocketConnection } from '../../src/index.js';
import { canStartSshSocks, startSshSocks, type Daemon } from '../helpers/daemons.js';
import { requireOrSkip } from '../helpers/env.js';
import { names, recordEvents } from '../helpers/events.js';
import { FakeResolver } from '../helpers/resolvers.js';
import { startEchoServer, type TestServer } from '../helpers/servers.js';

describe('interop: OpenSSH ssh -D (SOCKS4a)', { timeout: 60_000 }, () => {
  it('socks4a to the name localhost: resolved by the sshd, GIO events, bytes both ways', async (t) => {
    if (!requireOrSkip(t, canStartSshSocks(), 'needs root, sshd, ssh and ssh-keygen')) return;
    let proxy: Daemon | null = null;
    let echo: TestServer | null = null;
    try {
      echo = await startEchoServer('127.0.0.1');
      proxy = await startSshSocks();
      // The client resolves nothing: the proxy is an IP literal and the name goes to the proxy.
      const resolver = new FakeResolver({});
      const daemon = proxy;
      const output = (): string => daemon.output();
      for (const uri of [`socks4a://someone@127.0.0.1:${proxy.port}`, `socks4://127.0.0.1:${proxy.port}`]) {
        const client = new SocketClient({ resolver, proxyResolver: new SimpleProxyResolver(uri) });
        const events = recordEvents(client);
        const target: string = uri.startsWith('socks4a')
          ? `localhost:${echo.port}`
          : `127.0.0.1:${echo.port}`;
        const conn: SocketConnection = await client.connectToHost(target, 0);
        try {
          assert.deepEqual(
            names(events),
            [
              'RESOLVING',
              'RESOLVED',
              'CONNECTING',
              'CONNECTED',
              'PROXY_NEGOTIATING',
              'PROXY_NEGOTIATED',
              'COMPLETE',
            ],
            uri,
          );
          const remote = conn.getRemoteAddress();
          assert.ok(remote instanceof ProxyAddress);
          assert.equal(remote.protocol, uri.slice(0, uri.indexOf(':')));
          const data = randomBytes(64 * 1024);
          const back: Buffer[] = [];
          let got = 0;
          await new Promise<void>((resolve, reject) => {
            conn.stream.on('data', (chunk: Buffer) => {
              back.push(chunk);
              got += chunk.length;
              if (got >= data.length) resolve();
            });
            conn.stream.once('error', reject);
            conn.stream.once('end', () => reject(new Error(`end after ${got} bytes\n${output()}`)));
            conn.stream.write(data);
          });
          assert.ok(Buffer.concat(back).equals(data), uri);
        } finally {
          await conn.close();
        }
      }
      assert.deepEqual(resolver.queries, []);
      assert.equal(echo.peers.length, 2, 'the sshd connected to the echo server for both');
    } finally {
      await proxy?.stop();
      await echo?.close();
    }
  });
});
