// The CLI's TLS flags against a Node TLS server on loopback, with the throw-away test PKI.
import assert from 'node:assert/strict';
import { createServer, type Server, type TLSSocket, type TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { HAS_OPENSSL, testPki, type CertPair } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';
import { ndjson, runCli } from './spawn.js';

interface TlsEcho {
  readonly port: number;
  /** Subject CN of each client certificate the server saw. */
  readonly clientNames: string[];
  close(): Promise<void>;
}

async function startTlsEcho(pair: CertPair, extra: TlsOptions = {}): Promise<TlsEcho> {
  const clientNames: string[] = [];
  const sockets = new Set<TLSSocket>();
  const server: Server = createServer({ cert: pair.cert, key: pair.key, ...extra }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    const peer = s.getPeerCertificate();
    if (peer && peer.subject) clientNames.push(String(peer.subject.CN));
    s.pipe(s);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    clientNames,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Runs `body` with a TLS echo server, or skips when openssl (for the PKI) is missing. */
async function withServer(
  t: TestContext,
  pick: (pki: ReturnType<typeof testPki>) => CertPair,
  extra: TlsOptions,
  body: (server: TlsEcho, pki: ReturnType<typeof testPki>) => Promise<void>,
): Promise<void> {
  if (!requireOrSkip(t, HAS_OPENSSL, 'openssl is needed for the test PKI')) return;
  const pki = testPki();
  const server = await startTlsEcho(pick(pki), extra);
  try {
    await body(server, pki);
  } finally {
    await server.close();
  }
}

const timelineLine = (stderr: string, event: string): string =>
  stderr.split('\n').find((l) => new RegExp(`^\\+\\d+ms ${event} `).test(l)) ?? '';

describe('gsocketclient --tls', () => {
  test('--tls --ca --alpn: relays through TLS; TLS_HANDSHAKED shows the certificate, flags and ALPN', (t) =>
    withServer(
      t,
      (pki) => pki.valid,
      { ALPNProtocols: ['h2', 'http/1.1'] },
      async (server, pki) => {
        const r = await runCli(
          ['-v', '--tls', '--ca', pki.caFile, '--alpn', 'h2', `127.0.0.1:${server.port}`],
          {
            stdin: 'over tls\n',
          },
        );
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, 'over tls\n');
        const names = r.stderr
          .split('\n')
          .filter((l) => /^\+\d+ms [A-Z_]+ /.test(l))
          .map((l) => l.split(' ')[1]);
        assert.deepEqual(names, [
          'RESOLVING',
          'RESOLVED',
          'CONNECTING',
          'CONNECTED',
          'TLS_HANDSHAKING',
          'TLS_HANDSHAKED',
          'COMPLETE',
        ]);
        const handshaked = timelineLine(r.stderr, 'TLS_HANDSHAKED');
        assert.match(handshaked, /\[TLSv1\.[23], ALPN h2\]/);
        assert.match(handshaked, /subject “CN=localhost”/);
        assert.match(handshaked, /issuer “CN=gsocketclient test CA”/);
        assert.match(handshaked, /valid \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ to \d{4}-/);
        assert.match(handshaked, /errors NO_FLAGS$/);
      },
    ));

  test('an untrusted certificate: exit 7, BAD_CERTIFICATE, and the refused certificate with its flags', (t) =>
    withServer(
      t,
      (pki) => pki.valid,
      {},
      async (server) => {
        const r = await runCli(['-z', '-v', '--tls', `127.0.0.1:${server.port}`]);
        assert.equal(r.status, 7);
        assert.match(r.stderr, /peer certificate .*subject “CN=localhost”.*errors UNKNOWN_CA\n/);
        // The one-line error names the certificate's problems.
        assert.match(
          r.stderr,
          /gsocketclient: g-tls-error-quark BAD_CERTIFICATE: Unacceptable TLS certificate \(UNKNOWN_CA\)\n$/,
        );
      },
    ));

  test('--insecure accepts it; --json reports the unmasked flags', (t) =>
    withServer(
      t,
      (pki) => pki.valid,
      {},
      async (server) => {
        const r = await runCli(['-z', '--json', '--tls', '--insecure', `127.0.0.1:${server.port}`]);
        assert.equal(r.status, 0, r.stderr);
        const handshaked = ndjson(r.stderr).find((rec) => rec.event === 'TLS_HANDSHAKED');
        const tls = handshaked?.tls as Record<string, unknown>;
        assert.deepEqual(tls.errors, ['UNKNOWN_CA']);
        assert.equal(tls.subject, 'CN=localhost');
        assert.match(String(tls.version), /^TLSv1\.[23]$/);
      },
    ));

  test('--validation-flags: only the listed problems fail the handshake', (t) =>
    withServer(
      t,
      (pki) => pki.wrongName,
      {},
      async (server, pki) => {
        const strict = await runCli(['-z', '--tls', '--ca', pki.caFile, `127.0.0.1:${server.port}`]);
        assert.equal(strict.status, 7);
        const lenient = await runCli([
          '-z',
          '--json',
          '--tls',
          '--ca',
          pki.caFile,
          '--validation-flags',
          'UNKNOWN_CA,EXPIRED',
          `127.0.0.1:${server.port}`,
        ]);
        assert.equal(lenient.status, 0, lenient.stderr);
        const tls = ndjson(lenient.stderr).find((rec) => rec.event === 'TLS_HANDSHAKED')?.tls as Record<
          string,
          unknown
        >;
        assert.deepEqual(tls.errors, ['BAD_IDENTITY']);
      },
    ));

  test('--cert/--key present a client certificate', (t) =>
    withServer(
      t,
      (pki) => pki.valid,
      { requestCert: true, rejectUnauthorized: true, ca: testPkiCa() },
      async (server, pki) => {
        const r = await runCli(
          [
            '--tls',
            '--ca',
            pki.caFile,
            '--cert',
            pki.client.certFile,
            '--key',
            pki.client.keyFile,
            `127.0.0.1:${server.port}`,
          ],
          { stdin: 'client auth\n' },
        );
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, 'client auth\n');
        assert.deepEqual(server.clientNames, ['client']);
      },
    ));

  test('an unreadable --ca file is an argument error (exit 2), before any event', async () => {
    const r = await runCli(['-z', '-v', '--tls', '--ca', '/nonexistent/ca.pem', '127.0.0.1:1']);
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr,
      'gsocketclient: g-io-error-quark INVALID_ARGUMENT: --ca: could not read ‘/nonexistent/ca.pem’: No such file or directory\n',
    );
  });
});

/** The trusted root, for the server side of the client-certificate test (only called with openssl). */
function testPkiCa(): string | undefined {
  return HAS_OPENSSL ? testPki().ca : undefined;
}
