import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Socket } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { Cancellable } from '../../src/cancellable.js';
import { CONNECTION_CLOSED, IOErrorEnum } from '../../src/errors/enums.js';
import { IOError } from '../../src/errors/gerror.js';
import { negotiate } from '../../src/proxy/read-exact.js';
import { done, need } from '../../src/proxy/wire.js';
import {
  appRead,
  closedSoon,
  listenerCounts,
  proxyAddress,
  serverRead,
  startPeer,
  tcpConnect,
} from './peer.js';

const lostError = (): IOError => new IOError(CONNECTION_CLOSED, 'lost');

/** A toy protocol: the client sends "?", the server answers 4 bytes "OK!\n". */
async function toyNegotiate(socket: Socket, cancellable?: Cancellable): Promise<void> {
  await negotiate(socket, { cancellable, lostError }, async (io) => {
    io.write(Buffer.from('?'));
    const reply = await io.readExact(4);
    assert.equal(reply.toString(), 'OK!\n');
  });
}

async function withPeer(
  script: (s: Socket) => Promise<void>,
  body: (socket: Socket) => Promise<void>,
): Promise<void> {
  const peer = await startPeer(script);
  try {
    const connection = await tcpConnect(
      proxyAddress(peer.port, { protocol: 'toy', destinationHostname: 'x', destinationPort: 1 }),
    );
    try {
      await body(connection.socket);
    } finally {
      connection.socket.destroy();
    }
    assert.deepEqual(peer.errors, []);
  } finally {
    await peer.close();
  }
}

const PAYLOAD = Buffer.from('0123456789abcdef'.repeat(1000));

/** The peer answers, then immediately sends PAYLOAD in the same write, then more after a pause. */
const chatty = async (s: Socket): Promise<void> => {
  await serverRead(s, 1);
  s.write(Buffer.concat([Buffer.from('OK!\n'), PAYLOAD.subarray(0, 100)]));
  await new Promise((r) => setTimeout(r, 30));
  s.end(PAYLOAD.subarray(100));
};

describe(
  'ProxyIO: nothing past the reply is consumed, the stream is handed back clean',
  { timeout: 20_000 },
  () => {
    it("a 'data' listener attached in the same tick sees every byte", () =>
      withPeer(chatty, async (socket) => {
        const before = listenerCounts(socket);
        await toyNegotiate(socket);
        assert.deepEqual(listenerCounts(socket), before);
        assert.ok((await appRead(socket, PAYLOAD.length)).equals(PAYLOAD));
      }));

    it('a late reader (after the destination already sent) sees every byte', () =>
      withPeer(chatty, async (socket) => {
        await toyNegotiate(socket);
        await new Promise((r) => setTimeout(r, 100));
        assert.ok((await appRead(socket, PAYLOAD.length)).equals(PAYLOAD));
      }));

    it('for-await iteration sees every byte', () =>
      withPeer(chatty, async (socket) => {
        await toyNegotiate(socket);
        const chunks: Buffer[] = [];
        for await (const chunk of socket) chunks.push(chunk as Buffer); // ends: the peer closes
        assert.ok(Buffer.concat(chunks).equals(PAYLOAD));
      }));

    it('pipe() sees every byte', () =>
      withPeer(chatty, async (socket) => {
        await toyNegotiate(socket);
        const chunks: Buffer[] = [];
        await new Promise<void>((resolve, reject) => {
          const sink = new Writable({
            write(chunk: Buffer, _enc, cb) {
              chunks.push(chunk);
              cb();
            },
          });
          sink.on('finish', resolve).on('error', reject);
          socket.pipe(sink);
        });
        assert.ok(Buffer.concat(chunks).equals(PAYLOAD));
      }));

    it('a reply split over many segments is reassembled', () =>
      withPeer(
        async (s) => {
          await serverRead(s, 1);
          for (const ch of 'OK!\n') {
            s.write(ch);
            await new Promise((r) => setTimeout(r, 10));
          }
        },
        async (socket) => {
          await toyNegotiate(socket);
        },
      ));

    it('a stream destroyed before negotiation → lostError; errored → its GError', async () => {
      const destroyed = new PassThrough();
      destroyed.destroy();
      await assert.rejects(
        negotiate(destroyed, { lostError }, (io) => io.readExact(1)),
        (e: unknown) => e instanceof IOError && e.code === CONNECTION_CLOSED && e.message === 'lost',
      );
      const errored = new PassThrough();
      errored.on('error', () => undefined);
      errored.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      await assert.rejects(
        negotiate(errored, { lostError }, (io) => io.readExact(1)),
        (e: unknown) =>
          e instanceof IOError &&
          e.code === IOErrorEnum.BROKEN_PIPE &&
          e.message === 'Connection reset by peer',
      );
    });

    it('EOF in the middle of readExact → lostError and the stream is destroyed', async () => {
      const s = new PassThrough();
      const pending = negotiate(s, { lostError }, (io) => io.readExact(4));
      s.end(Buffer.from('OK'));
      await assert.rejects(pending, (e: unknown) => e instanceof IOError && e.message === 'lost');
      assert.equal(s.destroyed, true);
      assert.equal(s.listenerCount('readable') + s.listenerCount('end'), 0);
    });

    it('readReply in chunks mode puts back what follows the reply', async () => {
      const s = new PassThrough();
      s.write('abc|tail');
      const value = await negotiate(s, { lostError }, (io) =>
        io.readReply((b) => {
          const bar = b.indexOf('|');
          return bar >= 0 ? done(b.subarray(0, bar).toString(), bar + 1) : need(b.length + 1);
        }, 'chunks'),
      );
      assert.equal(value, 'abc');
      assert.equal((s.read() as Buffer).toString(), 'tail');
    });

    it('cancelling destroys the socket; its error is CANCELLED', () =>
      withPeer(
        async (s) => {
          await serverRead(s, 1);
        },
        async (socket) => {
          const c = new Cancellable();
          const pending = toyNegotiate(socket, c);
          setTimeout(() => c.cancel(), 20);
          await assert.rejects(
            pending,
            (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.CANCELLED,
          );
          assert.ok(await closedSoon(socket));
          assert.equal(c.handlerCount, 0);
        },
      ));
  },
);
