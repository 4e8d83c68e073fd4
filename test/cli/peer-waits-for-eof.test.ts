// A peer that answers only after our EOF (like `wc -c` behind a socket): stdin EOF shuts down the
// connection's write side in both relays, so the answer comes and the command ends with status 0.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { runCli } from './spawn.js';

describe('gsocketclient and a peer that waits for EOF', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  before(async () => {
    server = createServer({ allowHalfOpen: true }, (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      let count = 0;
      socket.on('data', (d: Buffer) => (count += d.length));
      socket.on('end', () => socket.end(`got ${count} bytes\n`));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  for (const mode of [[], ['--sync']] as const) {
    const name = mode.length === 0 ? 'async' : '--sync';
    test(`${name}: the answer after our FIN is printed, exit 0`, async () => {
      const port = (server.address() as AddressInfo).port;
      const r = await runCli([...mode, '--timeout', '5', `127.0.0.1:${port}`], { stdin: 'twelve bytes' });
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, 'got 12 bytes\n');
      assert.equal(r.status, 0);
    });
  }
});
