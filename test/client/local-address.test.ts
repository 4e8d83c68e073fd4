// Issue 12 fast path: a connection's local address is read from the socket (getsockname) when it
// is first asked for, not eagerly for every connection. The address must be the same either way.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { InetAddress, InetSocketAddress, SocketClient, TcpConnection } from '../../src/index.js';
import { startEchoServer } from '../helpers/servers.js';

async function handMade(port: number): Promise<{ connection: TcpConnection; local: string }> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const connection = new TcpConnection(
    socket,
    new InetSocketAddress(InetAddress.newFromString('127.0.0.1')!, port),
  );
  return { connection, local: `${socket.localAddress}:${socket.localPort}` };
}

describe('local address on first request', () => {
  it('the client’s connections report the bound address and port', async () => {
    const server = await startEchoServer('127.0.0.1');
    try {
      const connection = await new SocketClient().connectToHost(`127.0.0.1:${server.port}`, 0);
      try {
        const local = connection.getLocalAddress();
        assert.ok(local instanceof InetSocketAddress);
        assert.equal(local.toString(), server.peers[0]);
        assert.equal(connection.getLocalAddress(), local, 'read once, then the same object');
      } finally {
        await connection.close();
      }
      assert.equal(connection.getLocalAddress()?.toString(), server.peers[0], 'still known after close');
    } finally {
      await server.close();
    }
  });

  it('markConnected() without an address reads it on first request', async () => {
    const server = await startEchoServer('127.0.0.1');
    try {
      const { connection, local } = await handMade(server.port);
      assert.equal(connection.getLocalAddress(), null, 'null until connected');
      connection.markConnected();
      assert.equal(connection.getLocalAddress()?.toString(), local);
      await connection.close();
      assert.equal(connection.getLocalAddress()?.toString(), local, 'kept once read');
    } finally {
      await server.close();
    }
  });

  it('an address given to markConnected() is used as given; never asked before close: null', async () => {
    const server = await startEchoServer('127.0.0.1');
    try {
      const given = new InetSocketAddress(InetAddress.newFromString('127.0.0.9')!, 9);
      const first = await handMade(server.port);
      first.connection.markConnected(given);
      assert.equal(first.connection.getLocalAddress(), given);
      await first.connection.close();

      // GIO's getsockname() on a closed socket has nothing to read either.
      const second = await handMade(server.port);
      second.connection.markConnected();
      await second.connection.close();
      assert.equal(second.connection.getLocalAddress(), null);
    } finally {
      await server.close();
    }
  });
});
