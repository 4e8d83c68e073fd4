// TlsClientConnection against `openssl s_server`, an independent TLS implementation: versions,
// ALPN, client certificates, certificate flags over a chain s_server builds, close_notify.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { ConnectionOptions } from 'node:tls';
import { NetworkAddress } from '../../src/address/network-address.js';
import { TlsCertificateFlags as F, TlsErrorEnum } from '../../src/errors/enums.js';
import { TlsError } from '../../src/errors/gerror.js';
import { formatCertificateFlags } from '../../src/tls/certificate-flags.js';
import type { TlsClientConnection } from '../../src/tls/tls-client-connection.js';
import { HAS_OPENSSL, testPki, type TestPki } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { echo, tlsClient } from '../tls/tls-peers.js';
import { startOpensslServer, type OpensslServer } from './tls-openssl-server.js';

function pki(t: TestContext): TestPki | null {
  return requireOrSkip(t, HAS_OPENSSL, 'openssl CLI (s_server and the test PKI)') ? testPki() : null;
}

/** Runs `body` against an s_server started with `args`, always stopping it. */
async function withServer(args: readonly string[], body: (s: OpensslServer) => Promise<void>): Promise<void> {
  const server = await startOpensslServer(args);
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

async function connect(
  s: OpensslServer,
  options: ConnectionOptions,
): Promise<{ tls: TlsClientConnection; socketClosed: () => boolean }> {
  const { tcp, tls } = await tlsClient('127.0.0.1', s.port, new NetworkAddress('localhost', s.port), options);
  return { tls, socketClosed: () => tcp.socket.destroyed };
}

/** s_server -rev answers each line reversed. */
async function assertReversed(tls: TlsClientConnection): Promise<void> {
  assert.equal(await echo(tls.stream, 'hello\n'), 'olleh\n');
}

async function assertTlsError(promise: Promise<unknown>, code: TlsErrorEnum, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof TlsError, String(err));
    assert.equal(err.code, code, `${err.codeName}: ${err.message}`);
    assert.equal(err.message, message);
    return true;
  });
}

/** Waits (bounded) for s_server to print `text`. */
async function printed(s: OpensslServer, text: string): Promise<boolean> {
  for (let i = 0; i < 100 && !s.output().includes(text); i++) await new Promise((r) => setTimeout(r, 20));
  return s.output().includes(text);
}

describe('interop: openssl s_server', () => {
  let baseline: Record<string, number>;
  before(() => {
    baseline = activeResources();
  });
  after(async () => {
    assert.deepEqual(await settleLeaks(baseline), {}, 'no sockets, timers or processes left behind');
  });

  for (const [flag, version] of [
    ['-tls1_2', 'TLSv1.2'],
    ['-tls1_3', 'TLSv1.3'],
  ] as const) {
    it(`${version}: handshake, data both ways, close_notify seen by the server`, async (t) => {
      const p = pki(t);
      if (!p) return;
      await withServer(['-cert', p.valid.certFile, '-key', p.valid.keyFile, '-rev', flag], async (s) => {
        const { tls, socketClosed } = await connect(s, { ca: p.ca });
        await tls.handshake();
        assert.equal(tls.protocolVersion, version);
        assert.equal(tls.peerCertificateErrors, F.NO_FLAGS);
        await assertReversed(tls);
        await tls.close();
        assert.equal(socketClosed(), true);
        // s_server reports a clean TLS shutdown this way (an abrupt one prints an error).
        assert.equal(await printed(s, 'CONNECTION CLOSED'), true, s.output());
      });
    });
  }

  it('ALPN: the server’s choice among ours; no overlap is refused with an alert → HANDSHAKE', async (t) => {
    const p = pki(t);
    if (!p) return;
    await withServer(
      ['-cert', p.valid.certFile, '-key', p.valid.keyFile, '-rev', '-alpn', 'h2,http/1.1'],
      async (s) => {
        const a = await connect(s, { ca: p.ca, ALPNProtocols: ['http/1.1', 'h2'] });
        await a.tls.handshake();
        assert.equal(a.tls.negotiatedProtocol, 'h2', 's_server prefers its own order');
        await assertReversed(a.tls);
        await a.tls.close();
        const b = await connect(s, { ca: p.ca, ALPNProtocols: ['spdy/3'] });
        await assertTlsError(
          b.tls.handshake(),
          TlsErrorEnum.HANDSHAKE,
          'Error performing TLS handshake: tlsv1 alert no application protocol',
        );
        assert.equal(b.socketClosed(), true);
        const c = await connect(s, { ca: p.ca });
        await c.tls.handshake();
        assert.equal(c.tls.negotiatedProtocol, null, 'none offered, none negotiated');
        await c.tls.close();
      },
    );
  });

  it('all the flags of an expired, unknown-CA, wrong-name certificate at once', async (t) => {
    const p = pki(t);
    if (!p) return;
    const pair = p.expiredUnknownWrongName;
    await withServer(['-cert', pair.certFile, '-key', pair.keyFile, '-rev'], async (s) => {
      const { tls, socketClosed } = await connect(s, { ca: p.ca });
      const seen: F[] = [];
      tls.onAcceptCertificate((_c, errors) => {
        seen.push(errors);
        return false;
      });
      await assertTlsError(tls.handshake(), TlsErrorEnum.BAD_CERTIFICATE, 'Unacceptable TLS certificate');
      assert.deepEqual(seen.map(formatCertificateFlags), ['UNKNOWN_CA|BAD_IDENTITY|EXPIRED']);
      assert.equal(socketClosed(), true);
    });
  });

  it('a chain with an intermediate (s_server -cert_chain) validates', async (t) => {
    const p = pki(t);
    if (!p) return;
    const leaf = p.intermediateLeafOnly;
    await withServer(
      ['-cert', leaf.certFile, '-key', leaf.keyFile, '-cert_chain', join(p.dir, 'inter.pem'), '-rev'],
      async (s) => {
        const { tls } = await connect(s, { ca: p.ca });
        await tls.handshake();
        assert.equal(tls.peerCertificateErrors, F.NO_FLAGS);
        assert.equal(tls.peerCertificateChain.length >= 2, true);
        await assertReversed(tls);
        await tls.close();
      },
    );
  });

  for (const kind of ['sha1', 'rsa1024'] as const) {
    it(`${kind}: INSECURE (security level 0 on both sides so the handshake happens)`, async (t) => {
      const p = pki(t);
      if (!p) return;
      const pair = p[kind];
      await withServer(
        ['-cert', pair.certFile, '-key', pair.keyFile, '-rev', '-cipher', 'DEFAULT:@SECLEVEL=0'],
        async (s) => {
          const { tls } = await connect(s, { ca: p.ca, ciphers: 'DEFAULT:@SECLEVEL=0' });
          await assertTlsError(tls.handshake(), TlsErrorEnum.BAD_CERTIFICATE, 'Unacceptable TLS certificate');
          assert.equal(formatCertificateFlags(tls.peerCertificateErrors), 'INSECURE');
        },
      );
    });
  }

  for (const [flag, version] of [
    ['-tls1_2', 'TLSv1.2'],
    ['-tls1_3', 'TLSv1.3'],
  ] as const) {
    const clientAuth = (p: TestPki): string[] => [
      '-cert',
      p.valid.certFile,
      '-key',
      p.valid.keyFile,
      '-rev',
      flag,
      '-Verify',
      '1',
      '-CAfile',
      p.caFile,
      '-verify_return_error',
    ];

    it(`${version} -Verify: a client certificate from the CA is accepted`, async (t) => {
      const p = pki(t);
      if (!p) return;
      await withServer(clientAuth(p), async (s) => {
        const { tls } = await connect(s, { ca: p.ca, cert: p.client.cert, key: p.client.key });
        await tls.handshake();
        assert.equal(tls.protocolVersion, version);
        await assertReversed(tls);
        await tls.close();
      });
    });

    it(`${version} -Verify: no client certificate → CERTIFICATE_REQUIRED`, async (t) => {
      const p = pki(t);
      if (!p) return;
      await withServer(clientAuth(p), async (s) => {
        const { tls, socketClosed } = await connect(s, { ca: p.ca });
        await assert.rejects(tls.handshake(), (err: unknown) => {
          assert.ok(err instanceof TlsError, String(err));
          assert.equal(err.code, TlsErrorEnum.CERTIFICATE_REQUIRED, err.message);
          return true;
        });
        assert.equal(socketClosed(), true);
      });
    });

    it(`${version} -Verify: a client certificate from an unknown CA → BAD_CERTIFICATE`, async (t) => {
      const p = pki(t);
      if (!p) return;
      await withServer(clientAuth(p), async (s) => {
        const { tls, socketClosed } = await connect(s, {
          ca: p.ca,
          cert: p.clientUnknownCa.cert,
          key: p.clientUnknownCa.key,
        });
        await assertTlsError(
          tls.handshake(),
          TlsErrorEnum.BAD_CERTIFICATE,
          'Unacceptable TLS certificate authority',
        );
        assert.equal(socketClosed(), true);
      });
    });
  }

  it('a version the server does not speak → HANDSHAKE', async (t) => {
    const p = pki(t);
    if (!p) return;
    await withServer(['-cert', p.valid.certFile, '-key', p.valid.keyFile, '-tls1_2'], async (s) => {
      const { tls, socketClosed } = await connect(s, { ca: p.ca, minVersion: 'TLSv1.3' });
      await assert.rejects(tls.handshake(), (err: unknown) => {
        assert.ok(err instanceof TlsError, String(err));
        assert.equal(err.code, TlsErrorEnum.HANDSHAKE);
        assert.match(err.message, /^Error performing TLS handshake: .*protocol version/);
        return true;
      });
      assert.equal(socketClosed(), true);
    });
  });
});
