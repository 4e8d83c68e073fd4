// Shared by the blocking-I/O tests: a blocking connection to a peer in a child process, and an
// assert.throws matcher for the IOError a blocking call throws.
import assert from 'node:assert/strict';
import { IOError, SimpleProxyResolver, SocketClient, type SyncSocketConnection } from '../../src/index.js';
import { startPeer, type Peer, type PeerSpec } from './peer.js';

const direct = new SimpleProxyResolver();

/** Runs `body` with a blocking connection (I/O `timeout` in seconds) to a fresh peer; closes both. */
export async function withPeer(
  spec: PeerSpec,
  timeout: number,
  body: (conn: SyncSocketConnection, peer: Peer) => void | Promise<void>,
): Promise<void> {
  const peer = await startPeer(spec);
  try {
    const conn = new SocketClient({ proxyResolver: direct, timeout }).connectToHostSync(
      `127.0.0.1:${peer.port}`,
      0,
    );
    try {
      await body(conn, peer);
    } finally {
      conn.close();
    }
  } finally {
    await peer.stop();
  }
}

/** An assert.throws matcher: an IOError with `code`, and `message` if given. */
export const isIOError =
  (code: number, message?: string | RegExp) =>
  (err: unknown): true => {
    assert.ok(err instanceof IOError, String(err));
    assert.equal(err.code, code, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  };
