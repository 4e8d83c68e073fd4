// A Proxy registered by the application (registerProxy) is called through the same
// negotiation step as the built-in ones. Its connect() is typed to return a Promise, but a
// JavaScript implementation may return the stream itself, as `await` accepts: that must connect
// as it always did, never throw out of the socket's 'connect' handler (an uncaught exception).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IOError,
  IOErrorEnum,
  ProxyAddress,
  SimpleProxyResolver,
  SocketClient,
  registerProxy,
  type IOStream,
  type Proxy,
} from '../../src/index.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { startEchoServer } from '../helpers/servers.js';

describe('an application-registered Proxy', () => {
  it(
    'whose connect() returns the stream itself, not a Promise: the connection goes through it',
    { timeout: 10_000 },
    async () => {
      const baseline = activeResources();
      const proxyServer = await startEchoServer('127.0.0.1');
      let calls = 0;
      const syncProxy = {
        supportsHostname: () => true,
        connect(connection: IOStream): IOStream {
          calls++;
          return connection;
        },
      } as unknown as Proxy;
      registerProxy('sync-return', syncProxy);
      try {
        const client = new SocketClient({
          proxyResolver: new SimpleProxyResolver(`sync-return://127.0.0.1:${proxyServer.port}`),
        });
        const conn = await client.connectToHost(`127.0.0.1:${proxyServer.port}`, 0);
        assert.equal(calls, 1);
        const remote = conn.getRemoteAddress();
        assert.ok(remote instanceof ProxyAddress);
        assert.equal(remote.protocol, 'sync-return');
        await conn.close();
      } finally {
        await proxyServer.close();
      }
      assert.deepEqual(await settleLeaks(baseline), {});
    },
  );

  it(
    'whose connect() throws synchronously: the connect fails with that error, nothing left behind',
    { timeout: 10_000 },
    async () => {
      const baseline = activeResources();
      const proxyServer = await startEchoServer('127.0.0.1');
      registerProxy('sync-throw', {
        supportsHostname: () => true,
        connect(): Promise<IOStream> {
          throw new IOError(IOErrorEnum.PROXY_FAILED, 'refused by the test proxy');
        },
      });
      try {
        const client = new SocketClient({
          proxyResolver: new SimpleProxyResolver(`sync-throw://127.0.0.1:${proxyServer.port}`),
        });
        await assert.rejects(client.connectToHost(`127.0.0.1:${proxyServer.port}`, 0), {
          code: IOErrorEnum.PROXY_FAILED,
          message: 'refused by the test proxy',
        });
      } finally {
        await proxyServer.close();
      }
      assert.deepEqual(await settleLeaks(baseline), {});
    },
  );
});
