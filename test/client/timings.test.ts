// conn.timings and err.attempts (docs/timings.md) against real loopback servers: refused ports
// for failed attempts, microsocks for the proxy phase, a TLS server for the handshake phase.
// Assertions are on structure and ordering, never on absolute times.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GError,
  IOErrorEnum,
  InetSocketAddress,
  IOError,
  ProxyAddress,
  ResolverError,
  SimpleProxyResolver,
  SocketClient,
  SocketClientEvent,
  TlsCertificateFlags,
  type ConnectAttempt,
  type ConnectionTimings,
} from '../../src/index.js';
import { HAS_OPENSSL, testPki } from '../helpers/certs.js';
import { hasDaemon, startMicrosocks } from '../helpers/daemons.js';
import { requireOrSkip } from '../helpers/env.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { DIRECT, FakeResolver } from '../helpers/resolvers.js';
import { startEchoServer, unusedPort } from '../helpers/servers.js';
import { startTlsServer } from '../tls/tls-peers.js';

/** resolve <= connect <= proxy <= tls <= total for the phases that happened. */
function assertOrdered(t: ConnectionTimings): void {
  const phases = [t.resolve, t.connect, t.proxy, t.tls, t.total].filter((v): v is number => v !== null);
  assert.ok(
    phases.every((v) => Number.isFinite(v) && v >= 0),
    `finite: ${phases.join(', ')}`,
  );
  for (let i = 1; i < phases.length; i++) {
    assert.ok(phases[i - 1] <= phases[i], `phases in order: ${phases.join(' <= ')}`);
  }
  for (let i = 1; i < t.attempts.length; i++) {
    assert.ok(t.attempts[i - 1].start <= t.attempts[i].start, 'attempts in start order');
  }
  for (const a of t.attempts) {
    const marks = [a.start, a.connected, a.proxy, a.tls, a.end].filter((v): v is number => v !== null);
    for (let i = 1; i < marks.length; i++) assert.ok(marks[i - 1] <= marks[i], `attempt marks in order`);
  }
}

function attemptsOf(err: unknown): readonly ConnectAttempt[] {
  assert.ok(err instanceof GError, `a GError: ${String(err)}`);
  assert.ok(err.attempts, 'the error carries its attempts');
  return err.attempts;
}

describe('connection timings and attempts', () => {
  it('a refused [::1] then 127.0.0.1: both attempts listed, in order, with their own outcome', async () => {
    const baseline = activeResources();
    const v4 = await startEchoServer('127.0.0.1');
    try {
      const client = new SocketClient({ proxyResolver: DIRECT });
      const conn = await client.connectToHost(`localhost:${v4.port}`, 0);
      const timings = conn.timings;
      assert.ok(timings, 'the returned connection has timings');
      assertOrdered(timings);
      assert.equal(timings.proxy, null);
      assert.equal(timings.tls, null);
      assert.deepEqual(
        timings.attempts.map((a) => [a.address.toString(), a.stage, a.outcome]),
        [
          [`[::1]:${v4.port}`, 'connect', 'failed'],
          [`127.0.0.1:${v4.port}`, 'complete', 'succeeded'],
        ],
      );
      const [refused, winner] = timings.attempts;
      assert.ok(refused.error?.matches(IOError, IOErrorEnum.CONNECTION_REFUSED));
      assert.equal(refused.error?.message, 'Could not connect to localhost: Connection refused');
      assert.equal(refused.connected, null);
      assert.ok(refused.end !== null);
      assert.equal(winner.error, null);
      assert.equal(winner.connected, timings.connect);
      assert.equal(winner.end, timings.total);
      assert.ok(Object.isFrozen(timings) && Object.isFrozen(timings.attempts));
      await conn.close();
    } finally {
      await v4.close();
    }
    assert.deepEqual(await settleLeaks(baseline), {});
  });

  it('timings after a fallback, first read after close: the same attempts, built once, Node’s error as cause', async () => {
    const v4 = await startEchoServer('127.0.0.1');
    try {
      const client = new SocketClient({ proxyResolver: DIRECT });
      const conn = await client.connectToHost(`localhost:${v4.port}`, 0);
      await conn.close();
      const timings = conn.timings;
      assert.ok(timings, 'the returned connection has timings');
      assert.equal(conn.timings, timings, 'built once');
      assertOrdered(timings);
      assert.deepEqual(
        timings.attempts.map((a) => [a.address.toString(), a.stage, a.outcome, a.connected === null]),
        [
          [`[::1]:${v4.port}`, 'connect', 'failed', true],
          [`127.0.0.1:${v4.port}`, 'complete', 'succeeded', false],
        ],
      );
      const refused = timings.attempts[0].error;
      assert.ok(refused instanceof IOError && refused.code === IOErrorEnum.CONNECTION_REFUSED);
      assert.equal(refused.message, 'Could not connect to localhost: Connection refused');
      assert.equal(refused.nodeCode, 'ECONNREFUSED');
      const cause = refused.cause as NodeJS.ErrnoException;
      assert.ok(cause instanceof Error && cause.code === 'ECONNREFUSED' && cause.syscall === 'connect');
    } finally {
      await v4.close();
    }
  });

  it('every address refused: the error is GIO’s, unchanged, and lists each attempt', async () => {
    const port = await unusedPort();
    const client = new SocketClient({ proxyResolver: DIRECT });
    const err = await client.connectToHost(`localhost:${port}`, 0).then(
      () => assert.fail('connected to an unused port'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof IOError && err.code === IOErrorEnum.CONNECTION_REFUSED);
    assert.equal(err.message, 'Could not connect to localhost: Connection refused');
    assert.ok(!Object.keys(err).includes('attempts'), 'not enumerable: logs stay as GIO’s');
    const attempts = attemptsOf(err);
    assert.deepEqual(
      attempts.map((a) => [a.address.toString(), a.stage, a.outcome, a.error?.code]),
      [
        [`[::1]:${port}`, 'connect', 'failed', IOErrorEnum.CONNECTION_REFUSED],
        [`127.0.0.1:${port}`, 'connect', 'failed', IOErrorEnum.CONNECTION_REFUSED],
      ],
    );
    assert.ok(attempts[1].error === err, 'the reported error is the last (best) attempt’s own');
  });

  it('a name that does not resolve: the error lists no attempts', async () => {
    const client = new SocketClient({ proxyResolver: DIRECT, resolver: new FakeResolver() });
    const err = await client.connectToHost('nowhere.test:80', 0).then(
      () => assert.fail('resolved an unknown name'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ResolverError);
    assert.deepEqual(attemptsOf(err), []);
  });

  it('a socket that cannot be bound: the attempt stops at the socket stage', async () => {
    const busy = await startEchoServer('127.0.0.1');
    try {
      const client = new SocketClient({
        proxyResolver: DIRECT,
        localAddress: InetSocketAddress.newFromString('127.0.0.1', busy.port),
      });
      const err = await client.connectToHost(`127.0.0.1:${busy.port}`, 0).then(
        () => assert.fail('bound to a port in use'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError && err.code === IOErrorEnum.ADDRESS_IN_USE, String(err));
      assert.deepEqual(
        attemptsOf(err).map((a) => [a.stage, a.outcome, a.connected]),
        [['socket', 'failed', null]],
      );
    } finally {
      await busy.close();
    }
  });

  it('onAttemptEnd reports the refused attempt before the operation completes', async () => {
    const v4 = await startEchoServer('127.0.0.1');
    try {
      const client = new SocketClient({ proxyResolver: DIRECT });
      const seen: string[] = [];
      client.on('event', (event) => {
        if (event === SocketClientEvent.CONNECTED) seen.push('CONNECTED');
      });
      const conn = await client.connectToHost(`localhost:${v4.port}`, 0, {
        onAttemptEnd: (a) => seen.push(`${a.address.toString()} ${a.outcome}`),
      });
      assert.deepEqual(seen, [`[::1]:${v4.port} failed`, 'CONNECTED', `127.0.0.1:${v4.port} succeeded`]);
      await conn.close();
      await assert.rejects(
        client.connectToHost(`127.0.0.1:${v4.port}`, 0, {
          onAttemptEnd: 'no' as unknown as () => void,
        }),
        (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.INVALID_ARGUMENT,
      );
    } finally {
      await v4.close();
    }
  });

  it('through microsocks: the proxy phase is timed and the attempt names the proxy', async (t) => {
    if (!requireOrSkip(t, hasDaemon('microsocks'), 'microsocks is not installed')) return;
    const echo = await startEchoServer('127.0.0.1');
    const socks = await startMicrosocks();
    try {
      const client = new SocketClient({
        proxyResolver: new SimpleProxyResolver(`socks5://127.0.0.1:${socks.port}`),
      });
      const conn = await client.connectToHost(`127.0.0.1:${echo.port}`, 0);
      const timings = conn.timings!;
      assertOrdered(timings);
      assert.ok(timings.proxy !== null && timings.proxy >= timings.connect);
      assert.equal(timings.tls, null);
      assert.equal(timings.attempts.length, 1);
      const [attempt] = timings.attempts;
      assert.ok(attempt.address instanceof ProxyAddress);
      assert.equal(attempt.address.port, socks.port);
      assert.equal(attempt.proxy, timings.proxy);
      await conn.close();
    } finally {
      await socks.stop();
      await echo.close();
    }
  });

  it('TLS: the handshake phase is timed; a refused certificate fails at the tls stage', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI (test PKI)')) return;
    const pki = testPki();
    const server = await startTlsServer('127.0.0.1', pki.valid);
    try {
      const client = new SocketClient({ proxyResolver: DIRECT, tls: true, tlsOptions: { ca: pki.ca } });
      const conn = await client.connectToHost(`localhost:${server.port}`, 0);
      const timings = conn.timings!;
      assertOrdered(timings);
      assert.ok(timings.tls !== null && timings.tls >= timings.connect);
      assert.equal(timings.attempts.at(-1)?.tls, timings.tls);
      await conn.close();

      const strict = new SocketClient({ proxyResolver: DIRECT, tls: true });
      strict.tlsValidationFlags = TlsCertificateFlags.VALIDATE_ALL;
      const err = await strict.connectToHost(`127.0.0.1:${server.port}`, 0).then(
        () => assert.fail('an unknown CA was accepted'),
        (e: unknown) => e,
      );
      const attempts = attemptsOf(err);
      assert.deepEqual(
        attempts.map((a) => [a.stage, a.outcome]),
        [['tls', 'failed']],
      );
      assert.ok(attempts[0].connected !== null && attempts[0].tls === null);
      assert.equal(attempts[0].error, err);
    } finally {
      await server.close();
    }
  });
});
