import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { relay } from '../../src/cli/relay.js';
import { Cancellable, IOError, IOErrorEnum } from '../../src/index.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { startEchoServer, startServer, type TestServer } from '../helpers/servers.js';

let echo: TestServer;
before(async () => {
  echo = await startEchoServer('127.0.0.1');
});
after(async () => {
  await echo.close();
});

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** A slow stdout: small buffer, each write completes on a later tick (forces back-pressure). */
function slowSink(): Writable & { data(): Buffer } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      setImmediate(cb);
    },
  });
  return Object.assign(w, { data: () => Buffer.concat(chunks) });
}

test('4 MiB through an echo server arrive intact with back-pressure on both sides; nothing leaks', async () => {
  const baseline = activeResources();
  const payload = randomBytes(4 * 1024 * 1024);
  const socket = await dial(echo.port);
  const input = new PassThrough({ highWaterMark: 1024 });
  const output = slowSink();
  const cancellable = new Cancellable();
  const listenersBefore = output.listenerCount('drain') + output.listenerCount('error');
  const done = relay(socket, input, output, cancellable);
  input.end(payload);
  const stats = await done;
  assert.deepEqual(stats, { sent: payload.length, received: payload.length });
  assert.ok(output.data().equals(payload));
  assert.equal(cancellable.handlerCount, 0);
  assert.equal(output.listenerCount('drain') + output.listenerCount('error'), listenersBefore);
  assert.equal(input.listenerCount('data'), 0);
  assert.deepEqual(await settleLeaks(baseline), {});
});

test('cancellation destroys the connection and rejects with CANCELLED', async () => {
  const silent = await startServer('127.0.0.1', 0, () => undefined);
  try {
    const socket = await dial(silent.port);
    const cancellable = new Cancellable();
    const done = relay(socket, new PassThrough(), slowSink(), cancellable);
    setTimeout(() => cancellable.cancel(), 20);
    await assert.rejects(
      done,
      (err: unknown) => err instanceof IOError && err.code === IOErrorEnum.CANCELLED,
    );
    assert.ok(socket.destroyed);
    assert.equal(cancellable.handlerCount, 0);
  } finally {
    await silent.close();
  }
});

test('a connection error rejects with a GError, never a raw Node error', async () => {
  const resetter = await startServer('127.0.0.1', 0, (s) => setTimeout(() => s.resetAndDestroy(), 10));
  try {
    const socket = await dial(resetter.port);
    const done = relay(socket, new PassThrough(), slowSink(), new Cancellable());
    await assert.rejects(
      done,
      (err: unknown) => err instanceof IOError && err.message === 'Connection reset by peer',
    );
  } finally {
    await resetter.close();
  }
});
