// A proxy whose connection fails while its reply is being read: GSocket's wording, "Error receiving
// data: <strerror>" (g_socket_receive), with the errno's code. EOF mid-reply keeps each codec's own
// "… lost" / "closed" error (tested with the codecs).
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { CONNECTION_CLOSED } from '../../src/errors/enums.js';
import { SocketClient } from '../../src/index.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { startServer } from '../helpers/servers.js';
import { FakeProxyResolver } from './fakes.js';
import { serverRead, serverReadHeader } from './peer.js';

/** Sends `partial`, then resets the connection (RST) once it has surely been read. */
function resetAfter(socket: Socket, partial: string | Buffer): void {
  socket.write(partial, () => {
    const timer = setTimeout(() => socket.resetAndDestroy(), 50);
    socket.once('close', () => clearTimeout(timer));
  });
}

const cases: { scheme: string; peer: (s: Socket) => void }[] = [
  {
    scheme: 'socks5',
    peer: (s) =>
      void serverRead(s, 3).then(
        () => resetAfter(s, Buffer.from([5])),
        () => undefined,
      ),
  },
  {
    scheme: 'socks4a',
    peer: (s) =>
      void serverRead(s, 8).then(
        () => resetAfter(s, Buffer.from([0, 0x5a])),
        () => undefined,
      ),
  },
  {
    scheme: 'http',
    peer: (s) =>
      void serverReadHeader(s).then(
        () => resetAfter(s, 'HTTP/1.1 200'),
        () => undefined,
      ),
  },
];

describe('a proxy reset in the middle of its reply', () => {
  for (const { scheme, peer } of cases) {
    it(`${scheme}: CONNECTION_CLOSED "Error receiving data: Connection reset by peer"`, async () => {
      const baseline = activeResources();
      const proxy = await startServer('127.0.0.1', 0, peer);
      try {
        const c = new SocketClient({
          proxyResolver: new FakeProxyResolver([`${scheme}://127.0.0.1:${proxy.port}`]),
        });
        await assert.rejects(c.connectToHost('example.test:80', 0), {
          code: CONNECTION_CLOSED,
          message: 'Error receiving data: Connection reset by peer',
        });
      } finally {
        await proxy.close();
      }
      assert.deepEqual(await settleLeaks(baseline), {});
    });
  }
});
