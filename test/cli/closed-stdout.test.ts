// A closed stdout (`gsocketclient host:port | head -c5`) ends the relay quietly, exit status 0, as
// netcat and socat do: the reader went away, the connection did nothing wrong.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/servers.js';
import { runCli } from './spawn.js';

/** Bounded: a firehose sends at most this much, then closes. */
const FIREHOSE_BYTES = 64 * 1024 * 1024;

/** Sends data as fast as the client takes it (bounded), so the CLI is writing when stdout closes. */
function firehose(socket: Socket): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let sent = 0;
  const pump = (): void => {
    while (sent < FIREHOSE_BYTES && !socket.destroyed) {
      sent += chunk.length;
      if (!socket.write(chunk)) return;
    }
    if (sent >= FIREHOSE_BYTES) socket.end();
  };
  socket.on('drain', pump);
  socket.resume();
  pump();
}

describe('gsocketclient with a closed stdout', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('127.0.0.1', 0, firehose);
  });
  after(async () => {
    await server.close();
  });

  for (const mode of [[], ['--sync']] as const) {
    const name = mode.length === 0 ? 'async' : '--sync';
    test(`${name}: stdout closed after 5 bytes → exit 0, nothing on stderr`, async () => {
      const started = Date.now();
      const r = await runCli([...mode, `127.0.0.1:${server.port}`], { closeStdoutAfter: 5 });
      assert.equal(r.killed, false, 'the CLI ended on its own');
      assert.equal(r.stdout, 'xxxxx');
      assert.equal(r.stderr, '');
      assert.equal(r.status, 0);
      assert.ok(Date.now() - started < 10_000, 'promptly, not after the firehose ran dry');
    });
  }
});
