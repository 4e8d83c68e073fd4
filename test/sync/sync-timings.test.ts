// The blocking API carries conn.timings and err.attempts across the worker boundary, as the async
// API has them (docs/timings.md). The server is a child process: this thread blocks in the call.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import {
  GError,
  IOError,
  IOErrorEnum,
  InetSocketAddress,
  SimpleProxyResolver,
  SocketClient,
} from '../../src/index.js';
import { unusedPort } from '../helpers/servers.js';
import { startPeer, type Peer } from './peer.js';

const direct = new SimpleProxyResolver();

describe('blocking connect: timings and attempts', () => {
  let peer: Peer;
  before(async () => {
    peer = await startPeer({ kind: 'tcp' });
  });
  after(async () => {
    await peer.stop();
  });

  it('the returned connection has the refused [::1] attempt and the winner, with ordered phases', () => {
    const client = new SocketClient({ proxyResolver: direct });
    const before = performance.now();
    const conn = client.connectToHostSync(`localhost:${peer.port}`, 0);
    const after = performance.now();
    try {
      const t = conn.timings;
      assert.ok(t, 'timings crossed the worker boundary');
      assert.ok(t.resolve <= t.connect && t.connect <= t.total, JSON.stringify(t));
      // startTime is moved to this thread's clock: within the call.
      assert.ok(t.startTime >= before - 1 && t.startTime <= after + 1, `${before} ${t.startTime} ${after}`);
      assert.deepEqual(
        t.attempts.map((a) => [a.address.toString(), a.stage, a.outcome]),
        [
          [`[::1]:${peer.port}`, 'connect', 'failed'],
          [`127.0.0.1:${peer.port}`, 'complete', 'succeeded'],
        ],
      );
      assert.ok(t.attempts[0].address instanceof InetSocketAddress);
      assert.ok(t.attempts[0].error?.matches(IOError, IOErrorEnum.CONNECTION_REFUSED));
    } finally {
      conn.close();
    }
  });

  it('a refused connect throws GIO’s error with every attempt on it', async () => {
    const port = await unusedPort();
    const client = new SocketClient({ proxyResolver: direct });
    let caught: unknown = null;
    try {
      client.connectToHostSync(`localhost:${port}`, 0).close();
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof GError && caught.code === IOErrorEnum.CONNECTION_REFUSED);
    assert.equal(caught.message, 'Could not connect to localhost: Connection refused');
    assert.deepEqual(
      caught.attempts?.map((a) => [a.address.toString(), a.outcome, a.error?.message]),
      [
        [`[::1]:${port}`, 'failed', 'Could not connect to localhost: Connection refused'],
        [`127.0.0.1:${port}`, 'failed', 'Could not connect to localhost: Connection refused'],
      ],
    );
  });
});
