// TLS through the blocking API: the handshake runs on the engine thread, and TLS_HANDSHAKING
// listeners on the blocked thread can still set what crosses threads (CA, ALPN, flags,
// accept-certificate decisions) before it starts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CertificateRefusedError,
  IOError,
  IOErrorEnum,
  SimpleProxyResolver,
  SocketClient,
  SocketClientEvent,
  SyncSocketConnection,
  SyncTlsClientConnection,
  TlsCertificateFlags,
  TlsError,
  TlsErrorEnum,
  type SocketClientOptions,
} from '../../src/index.js';
import { HAS_OPENSSL, testPki } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';
import { comparable, runAsync, runSync } from './compare.js';
import { startPeer, type Peer } from './peer.js';

const direct = new SimpleProxyResolver();

describe('blocking connect with TLS', () => {
  let trusted: Peer;
  let unknownCa: Peer;
  before(async () => {
    if (!HAS_OPENSSL) return; // each test then skips (or fails under CI) through requireOrSkip
    const pki = testPki();
    trusted = await startPeer({
      kind: 'tls',
      certFile: pki.valid.certFile,
      keyFile: pki.valid.keyFile,
      alpn: ['h2', 'x-echo'],
    });
    unknownCa = await startPeer({
      kind: 'tls',
      certFile: pki.unknownCa.certFile,
      keyFile: pki.unknownCa.keyFile,
    });
  });
  after(async () => {
    await trusted?.stop();
    await unknownCa?.stop();
  });

  it('tlsOptions.ca: the async events, a tcp-wrapper whose base shows the certificate; data flows', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl not installed')) return;
    const opts: SocketClientOptions = { proxyResolver: direct, tls: true, tlsOptions: { ca: testPki().ca } };
    const a = await runAsync(opts, (c) => c.connectToHost(`localhost:${trusted.port}`, 0));
    const s = runSync(opts, (c) => c.connectToHostSync(`localhost:${trusted.port}`, 0));
    assert.deepEqual(comparable(s), comparable(a));
    assert.ok(s.events.includes('TLS_HANDSHAKING') && s.events.includes('TLS_HANDSHAKED'));

    const conn = new SocketClient(opts).connectToHostSync(`127.0.0.1:${trusted.port}`, 0);
    try {
      assert.equal(conn.type, 'tcp-wrapper');
      const tls = conn.getBaseIOStream();
      assert.ok(tls instanceof SyncTlsClientConnection);
      assert.match(tls.peerCertificate?.subject ?? '', /localhost/);
      assert.equal(tls.peerCertificateErrors, TlsCertificateFlags.NO_FLAGS);
      conn.write('over tls');
      assert.equal(conn.readAll(8).toString(), 'over tls');
    } finally {
      conn.close();
    }
  });

  it('an unknown CA fails as in async; a TLS_HANDSHAKING listener can trust the CA and ask for ALPN', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl not installed')) return;
    const opts: SocketClientOptions = { proxyResolver: direct, tls: true };
    const a = await runAsync(opts, (c) => c.connectToHost(`127.0.0.1:${trusted.port}`, 0));
    const s = runSync(opts, (c) => c.connectToHostSync(`127.0.0.1:${trusted.port}`, 0));
    assert.deepEqual(comparable(s), comparable(a));
    assert.equal(s.error?.domain, 'g-tls-error-quark');

    const client = new SocketClient(opts);
    client.on('event', (event, _c, connection) => {
      if (event !== SocketClientEvent.TLS_HANDSHAKING) return;
      const tls = connection as unknown as SyncTlsClientConnection;
      tls.ca = testPki().ca;
      tls.ALPNProtocols = ['x-echo'];
    });
    const conn = client.connectToHostSync(`127.0.0.1:${trusted.port}`, 0);
    try {
      assert.equal(conn.getBaseIOStream()?.negotiatedProtocol, 'x-echo');
      assert.throws(
        () => (conn.getBaseIOStream()!.ca = testPki().ca),
        /only be changed inside the TLS_HANDSHAKING/,
      );
    } finally {
      conn.close();
    }
  });

  it('accept-certificate handlers on the blocked thread decide; a refusal is BAD_CERTIFICATE', (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl not installed')) return;
    const connect = (verdict: boolean): SyncSocketConnection => {
      const client = new SocketClient({ proxyResolver: direct, tls: true });
      client.on('event', (event, _c, connection) => {
        if (event !== SocketClientEvent.TLS_HANDSHAKING) return;
        const stand = connection as unknown as SyncTlsClientConnection;
        // A typo'd flags value must not switch verification off (INVALID_ARGUMENT, flags kept).
        for (const bad of [undefined, 0.5, 0x100] as unknown[]) {
          try {
            stand.validationFlags = bad as TlsCertificateFlags;
            badFlags.push(`accepted ${String(bad)}`);
          } catch (err) {
            if (!(err instanceof IOError) || err.code !== IOErrorEnum.INVALID_ARGUMENT)
              badFlags.push(String(err));
          }
        }
        if (stand.validationFlags !== TlsCertificateFlags.VALIDATE_ALL) badFlags.push('flags changed');
        stand.onAcceptCertificate((certificate, errors) => {
          seen.push({ errors, subject: certificate.subject });
          return verdict;
        });
      });
      return client.connectToHostSync(`127.0.0.1:${unknownCa.port}`, 0);
    };
    const seen: { errors: number; subject: string }[] = [];
    const badFlags: string[] = [];
    const conn = connect(true);
    try {
      assert.deepEqual(badFlags, []);
      assert.equal(seen.length, 1);
      assert.ok(seen[0].errors & TlsCertificateFlags.UNKNOWN_CA);
      conn.write('accepted');
      assert.equal(conn.readAll(8).toString(), 'accepted');
    } finally {
      conn.close();
    }
    assert.throws(
      () => connect(false),
      (err: unknown) =>
        err instanceof TlsError &&
        err.code === TlsErrorEnum.BAD_CERTIFICATE &&
        err.message === 'Unacceptable TLS certificate' &&
        // The flags cross from the engine thread with the error.
        err instanceof CertificateRefusedError &&
        (err.certificateErrors & TlsCertificateFlags.UNKNOWN_CA) !== 0,
    );
  });

  it('tlsValidationFlags is honoured (0: any certificate)', (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl not installed')) return;
    const conn = new SocketClient({
      proxyResolver: direct,
      tls: true,
      tlsValidationFlags: 0,
    }).connectToHostSync(`127.0.0.1:${unknownCa.port}`, 0);
    try {
      assert.ok((conn.getBaseIOStream()?.peerCertificateErrors ?? 0) & TlsCertificateFlags.UNKNOWN_CA);
    } finally {
      conn.close();
    }
  });
});
