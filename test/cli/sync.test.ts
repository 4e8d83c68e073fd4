// --sync: the same command on the blocking API (connectSync, blocking read/write).
import assert from 'node:assert/strict';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { HAS_OPENSSL, testPki } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';
import { startEchoServer, startServer, unusedPort, type TestServer } from '../helpers/servers.js';
import { ndjson, runCli } from './spawn.js';

describe('gsocketclient --sync', () => {
  let echo: TestServer;
  /** Answers the first line in upper case, then closes: a request/response peer. */
  let shouty: TestServer;

  before(async () => {
    echo = await startEchoServer('127.0.0.1');
    shouty = await startServer('127.0.0.1', 0, (s) => {
      let text = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        text += d;
        if (text.includes('\n')) s.end(text.toUpperCase());
      });
    });
  });
  after(async () => {
    await echo.close();
    await shouty.close();
  });

  test('-z --json: the §2.1 event sequence, as with the Promise API', async () => {
    const r = await runCli(['--sync', '-z', '--json', `127.0.0.1:${echo.port}`]);
    assert.equal(r.status, 0, r.stderr);
    const records = ndjson(r.stderr);
    assert.deepEqual(
      records.filter((rec) => 'event' in rec).map((rec) => [rec.event, rec.remote]),
      [
        ['RESOLVING', null],
        ['RESOLVED', null],
        ['CONNECTING', `127.0.0.1:${echo.port}`],
        ['CONNECTED', `127.0.0.1:${echo.port}`],
        ['COMPLETE', `127.0.0.1:${echo.port}`],
      ],
    );
    assert.equal(records.at(-1)!.result, 'connected');
  });

  test('refused: exit 4 and the same GIO message', async () => {
    const port = await unusedPort('127.0.0.1');
    const r = await runCli(['--sync', '-z', `127.0.0.1:${port}`]);
    assert.equal(r.status, 4);
    assert.equal(
      r.stderr,
      'gsocketclient: g-io-error-quark CONNECTION_REFUSED: Could not connect to 127.0.0.1: Connection refused\n',
    );
  });

  test('relay: stdin is sent, then the reply is printed until the peer closes', async () => {
    const r = await runCli(['--sync', '-v', `127.0.0.1:${shouty.port}`], { stdin: 'ping\n' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'PING\n');
    assert.match(r.stderr, /closed: sent 5 bytes, received 5 bytes/);
  });

  test('a peer that never closes: the idle --timeout ends it with TIMED_OUT, exit 5', async () => {
    // Echoes, and stays open even after our FIN (half-open, so Node does not end it for us).
    const sockets = new Set<Socket>();
    const holder = createServer({ allowHalfOpen: true }, (s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('data', (d: Buffer) => s.write(d));
    });
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const port = (holder.address() as AddressInfo).port;
      const r = await runCli(['--sync', '--timeout', '0.5', `127.0.0.1:${port}`], { stdin: 'ping\n' });
      assert.equal(r.status, 5);
      assert.equal(r.stdout, 'ping\n');
      assert.equal(r.stderr, 'gsocketclient: g-io-error-quark TIMED_OUT: Socket I/O timed out\n');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => holder.close(r));
    }
  });

  test('an echo peer closes after our FIN: the echo is printed, exit 0', async () => {
    const r = await runCli(['--sync', '--timeout', '5', `127.0.0.1:${echo.port}`], { stdin: 'ping\n' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'ping\n');
  });

  test('--udp: replies are read until the linger time passes', async () => {
    const { createSocket } = await import('node:dgram');
    const udp = createSocket('udp4');
    udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    try {
      const r = await runCli(['--sync', '-u', '-w', '0.5', `127.0.0.1:${udp.address().port}`], {
        stdin: 'datagram\n',
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'datagram\n');
    } finally {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    }
  });

  test('--tls: TLS_HANDSHAKED shows the certificate of the blocking TLS connection', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl is needed for the test PKI')) return;
    const pki = testPki();
    const server: TlsServer = createTlsServer({ cert: pki.valid.cert, key: pki.valid.key }, (s) => {
      s.on('error', () => undefined);
      s.end('tls bye\n');
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await runCli(['--sync', '-v', '--tls', '--ca', pki.caFile, `127.0.0.1:${port}`]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'tls bye\n');
      assert.match(
        r.stderr,
        /TLS_HANDSHAKED 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ \[TLSv1\.[23]\] subject “CN=localhost”/,
      );
      const refused = await runCli(['--sync', '-z', '--tls', `127.0.0.1:${port}`]);
      assert.equal(refused.status, 7);
      assert.match(refused.stderr, /g-tls-error-quark BAD_CERTIFICATE/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
