// TlsClientConnection against Node TLS servers and hostile peers on loopback: the flags of every
// certificate kind with the default mask, a hiding mask, accepting and refusing handlers
// (gio-behaviour §8.3); identity and SNI (§8.2); typed handshake errors; close_notify.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { connect as netConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { TLSSocket } from 'node:tls';
import { InetAddress } from '../../src/address/inet-address.js';
import { NetworkAddress } from '../../src/address/network-address.js';
import { InetSocketAddress } from '../../src/address/socket-address.js';
import { Cancellable } from '../../src/cancellable.js';
import { IOErrorEnum, TlsCertificateFlags as F, TlsErrorEnum } from '../../src/errors/enums.js';
import { IOError, TlsError } from '../../src/errors/gerror.js';
import { NetworkService } from '../../src/resolver/network-service.js';
import { formatCertificateFlags } from '../../src/tls/certificate-flags.js';
import { CertificateRefusedError } from '../../src/tls/certificate-refusal.js';
import { CertificateVerificationError } from '../../src/tls/openssl-verdict.js';
import { TlsClientConnection } from '../../src/tls/tls-client-connection.js';
import { HAS_OPENSSL, testPki, type CertKind, type CertPair, type TestPki } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { startServer, type TestServer } from '../helpers/servers.js';
import { echo, startTlsServer, tlsClient } from './tls-peers.js';

function pki(t: TestContext): TestPki | null {
  return requireOrSkip(t, HAS_OPENSSL, 'openssl CLI (test PKI)') ? testPki() : null;
}

const localhost = (port: number): NetworkAddress => new NetworkAddress('localhost', port);
const isa = (ip: string, port: number): InetSocketAddress =>
  new InetSocketAddress(InetAddress.newFromString(ip)!, port);
const flagNames = formatCertificateFlags;

/** Asserts `promise` rejects with exactly this GError class, code and message. */
async function rejectsWith(
  promise: Promise<unknown>,
  cls: typeof TlsError | typeof IOError,
  code: number,
  message: string | RegExp,
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    assert.equal(err.code, code, `code of ${err.message}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

/** Waits (bounded) until the socket has closed. */
async function closed(socket: Socket): Promise<boolean> {
  if (socket.destroyed) return true;
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(socket.destroyed), 2000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

interface KindCase {
  readonly kind: CertKind;
  readonly flags: F;
  /** 1024-bit keys and SHA-1 need OpenSSL's security level 0 on both sides. */
  readonly weak?: boolean;
  readonly crl?: boolean;
}

const KINDS: readonly KindCase[] = [
  { kind: 'expired', flags: F.EXPIRED },
  { kind: 'notYetValid', flags: F.NOT_ACTIVATED },
  { kind: 'wrongName', flags: F.BAD_IDENTITY },
  { kind: 'selfSigned', flags: F.UNKNOWN_CA },
  { kind: 'unknownCa', flags: F.UNKNOWN_CA },
  { kind: 'expiredUnknownWrongName', flags: F.UNKNOWN_CA | F.BAD_IDENTITY | F.EXPIRED },
  { kind: 'sha1', flags: F.INSECURE, weak: true },
  { kind: 'rsa1024', flags: F.INSECURE, weak: true },
  { kind: 'revoked', flags: F.REVOKED, crl: true },
  { kind: 'intermediateLeafOnly', flags: F.UNKNOWN_CA },
  { kind: 'client', flags: F.BAD_IDENTITY | F.GENERIC_ERROR },
];

describe('TlsClientConnection: certificate flags, masks and accept-certificate', () => {
  let baseline: Record<string, number>;
  before(() => {
    baseline = activeResources();
  });
  after(async () => {
    assert.deepEqual(await settleLeaks(baseline), {}, 'no sockets or timers left behind');
  });

  it('a valid certificate: accepted silently, data flows through the TLS socket', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.valid);
    try {
      const { tcp, tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), { ca: p.ca });
      let calls = 0;
      tls.onAcceptCertificate(() => {
        calls++;
        return false;
      });
      assert.equal(tls.stream, tcp.socket, 'before the handshake, stream is the base stream');
      await tls.handshake();
      assert.equal(calls, 0);
      assert.equal(tls.peerCertificateErrors, F.NO_FLAGS);
      assert.ok(tls.peerCertificate instanceof X509Certificate);
      assert.equal(tls.peerCertificate.subject, 'CN=localhost');
      assert.equal(tls.peerCertificateChain[0], tls.peerCertificate);
      assert.equal(tls.protocolVersion, 'TLSv1.3');
      assert.match(tls.ciphersuiteName ?? '', /^TLS_/);
      assert.equal(tls.negotiatedProtocol, null);
      assert.ok(tls.stream instanceof TLSSocket);
      assert.equal(tls.tlsSocket, tls.stream);
      assert.notEqual(tls.stream, tcp.socket);
      assert.equal(await echo(tls.stream, 'ping'), 'ping');
      await tls.close();
      assert.equal(tcp.socket.destroyed, true);
    } finally {
      await server.close();
    }
  });

  for (const c of KINDS) {
    const name = `${c.kind} → ${flagNames(c.flags)}`;
    const serverOptions = (): TlsOptions => (c.weak ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {});
    const clientOptions = (p: TestPki): ConnectionOptions => ({
      ca: p.ca,
      ...(c.weak ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      ...(c.crl ? { crl: p.crl } : {}),
    });
    const pair = (p: TestPki): CertPair => p[c.kind];

    it(`${name}: default flags refuse with BAD_CERTIFICATE and destroy the socket`, async (t) => {
      const p = pki(t);
      if (!p) return;
      const server = await startTlsServer('127.0.0.1', pair(p), serverOptions());
      try {
        const { tcp, tls } = await tlsClient(
          '127.0.0.1',
          server.port,
          localhost(server.port),
          clientOptions(p),
        );
        assert.equal(tls.validationFlags, F.VALIDATE_ALL);
        await rejectsWith(
          tls.handshake(),
          TlsError,
          TlsErrorEnum.BAD_CERTIFICATE,
          'Unacceptable TLS certificate',
        );
        assert.equal(flagNames(tls.peerCertificateErrors), flagNames(c.flags), 'every flag that applies');
        assert.ok(tls.peerCertificate, 'the refused certificate is still recorded');
        assert.equal(await closed(tcp.socket), true);
        assert.equal(tls.stream.destroyed, true);
      } finally {
        await server.close();
      }
    });

    it(`${name}: a mask that hides it accepts silently, without calling the handler`, async (t) => {
      const p = pki(t);
      if (!p) return;
      const server = await startTlsServer('127.0.0.1', pair(p), serverOptions());
      try {
        const { tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), clientOptions(p));
        tls.validationFlags = F.VALIDATE_ALL & ~c.flags;
        let calls = 0;
        tls.onAcceptCertificate(() => {
          calls++;
          return false;
        });
        await tls.handshake();
        assert.equal(calls, 0);
        assert.equal(flagNames(tls.peerCertificateErrors), flagNames(c.flags), 'unmasked set recorded');
        assert.equal(await echo(tls.stream, 'masked'), 'masked');
        await tls.close();
      } finally {
        await server.close();
      }
    });

    it(`${name}: an accepting handler is called once with the unmasked flags`, async (t) => {
      const p = pki(t);
      if (!p) return;
      const server = await startTlsServer('127.0.0.1', pair(p), serverOptions());
      try {
        const { tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), clientOptions(p));
        // Validating just one of the problems still asks the handler, with the full set.
        tls.validationFlags = c.flags & -c.flags;
        const seen: { cert: X509Certificate; errors: F; conn: TlsClientConnection }[] = [];
        tls.onAcceptCertificate((cert, errors, conn) => {
          seen.push({ cert, errors, conn });
          return true;
        });
        await tls.handshake();
        assert.equal(seen.length, 1);
        assert.equal(flagNames(seen[0].errors), flagNames(c.flags));
        assert.equal(seen[0].conn, tls);
        assert.equal(seen[0].cert.fingerprint256, new X509Certificate(pair(p).cert).fingerprint256);
        assert.equal(tls.peerCertificate?.fingerprint256, seen[0].cert.fingerprint256);
        await tls.close();
      } finally {
        await server.close();
      }
    });

    it(`${name}: a refusing handler fails the handshake`, async (t) => {
      const p = pki(t);
      if (!p) return;
      const server = await startTlsServer('127.0.0.1', pair(p), serverOptions());
      try {
        const { tcp, tls } = await tlsClient(
          '127.0.0.1',
          server.port,
          localhost(server.port),
          clientOptions(p),
        );
        let calls = 0;
        tls.onAcceptCertificate((_cert, errors) => {
          calls++;
          assert.equal(errors, c.flags);
          return false;
        });
        await rejectsWith(
          tls.handshake(),
          TlsError,
          TlsErrorEnum.BAD_CERTIFICATE,
          'Unacceptable TLS certificate',
        );
        assert.equal(calls, 1);
        assert.equal(await closed(tcp.socket), true);
      } finally {
        await server.close();
      }
    });
  }
});

describe('TlsClientConnection: identity, SNI and trust', () => {
  let baseline: Record<string, number>;
  before(() => {
    baseline = activeResources();
  });
  after(async () => {
    assert.deepEqual(await settleLeaks(baseline), {}, 'no sockets or timers left behind');
  });

  /** Handshakes (accepting anything) and returns the flags and the SNI the server saw. */
  async function probe(
    p: TestPki,
    host: string,
    pair: CertPair,
    identity: (port: number) => ConstructorParameters<typeof TlsClientConnection>[1],
    options: ConnectionOptions = { ca: p.ca },
  ): Promise<{ flags: string; sni: string | false | undefined }> {
    const server = await startTlsServer(host, pair);
    try {
      const { tls } = await tlsClient(host, server.port, identity(server.port), options);
      tls.validationFlags = F.NO_FLAGS;
      await tls.handshake();
      // One round trip so the server has recorded the connection.
      await echo(tls.stream, 'x');
      const flags = flagNames(tls.peerCertificateErrors);
      await tls.close();
      return { flags, sni: server.servernames[0] };
    } finally {
      await server.close();
    }
  }

  it('NetworkAddress: its host name is sent as SNI and checked', async (t) => {
    const p = pki(t);
    if (!p) return;
    assert.deepEqual(await probe(p, '127.0.0.1', p.valid, localhost), {
      flags: 'NO_FLAGS',
      sni: 'localhost',
    });
    assert.deepEqual(await probe(p, '127.0.0.1', p.wrongName, localhost), {
      flags: 'BAD_IDENTITY',
      sni: 'localhost',
    });
  });

  it('tlsOptions.servername changes the SNI only; the connectable is still what is checked', async (t) => {
    const p = pki(t);
    if (!p) return;
    const named = (port: number): NetworkAddress => new NetworkAddress('wrong.example', port);
    assert.deepEqual(
      await probe(p, '127.0.0.1', p.valid, localhost, { ca: p.ca, servername: 'sni.example' }),
      {
        flags: 'NO_FLAGS',
        sni: 'sni.example',
      },
    );
    assert.deepEqual(await probe(p, '127.0.0.1', p.valid, named, { ca: p.ca, servername: 'localhost' }), {
      flags: 'BAD_IDENTITY',
      sni: 'localhost',
    });
  });

  it('InetSocketAddress: no SNI; the IP is checked against IP SANs (v4 and v6)', async (t) => {
    const p = pki(t);
    if (!p) return;
    assert.deepEqual(await probe(p, '127.0.0.1', p.valid, (port) => isa('127.0.0.1', port)), {
      flags: 'NO_FLAGS',
      sni: false,
    });
    assert.deepEqual(await probe(p, '::1', p.valid, (port) => isa('::1', port)), {
      flags: 'NO_FLAGS',
      sni: false,
    });
    assert.deepEqual(await probe(p, '127.0.0.1', p.wrongName, (port) => isa('127.0.0.1', port)), {
      flags: 'BAD_IDENTITY',
      sni: false,
    });
  });

  it('NetworkAddress with an IP literal host: no SNI, IP checked', async (t) => {
    const p = pki(t);
    if (!p) return;
    assert.deepEqual(await probe(p, '127.0.0.1', p.valid, (port) => new NetworkAddress('127.0.0.1', port)), {
      flags: 'NO_FLAGS',
      sni: false,
    });
  });

  it('NetworkService: its domain is the SNI and the identity', async (t) => {
    const p = pki(t);
    if (!p) return;
    const svc = (): NetworkService => new NetworkService('https', 'tcp', 'localhost');
    assert.deepEqual(await probe(p, '127.0.0.1', p.valid, svc), { flags: 'NO_FLAGS', sni: 'localhost' });
  });

  it('no identity: BAD_IDENTITY, no SNI', async (t) => {
    const p = pki(t);
    if (!p) return;
    assert.deepEqual(await probe(p, '127.0.0.1', p.valid, () => null), { flags: 'BAD_IDENTITY', sni: false });
  });

  it('an intermediate sent by the server completes the chain', async (t) => {
    const p = pki(t);
    if (!p) return;
    assert.deepEqual(await probe(p, '127.0.0.1', p.intermediate, localhost), {
      flags: 'NO_FLAGS',
      sni: 'localhost',
    });
  });

  it('without `ca` the default store is used: our test CA is unknown there', async (t) => {
    const p = pki(t);
    if (!p) return;
    assert.equal((await probe(p, '127.0.0.1', p.valid, localhost, {})).flags, 'UNKNOWN_CA');
  });

  it('a pinned self-signed certificate given as `ca` is trusted', async (t) => {
    const p = pki(t);
    if (!p) return;
    const r = await probe(p, '127.0.0.1', p.selfSigned, localhost, { ca: p.selfSigned.cert });
    assert.equal(r.flags, 'NO_FLAGS');
  });

  it('CRLs: DER works, a forged CRL is ignored, a stale one is GENERIC_ERROR', async (t) => {
    const p = pki(t);
    if (!p) return;
    assert.equal(
      (await probe(p, '127.0.0.1', p.revoked, localhost, { ca: p.ca, crl: p.crlDer })).flags,
      'REVOKED',
    );
    assert.equal((await probe(p, '127.0.0.1', p.revoked, localhost, { ca: p.ca })).flags, 'NO_FLAGS');
    assert.equal(
      (await probe(p, '127.0.0.1', p.valid, localhost, { ca: p.ca, crl: p.forgedCrl })).flags,
      'NO_FLAGS',
    );
    assert.equal(
      (await probe(p, '127.0.0.1', p.valid, localhost, { ca: p.ca, crl: p.staleCrl })).flags,
      'GENERIC_ERROR',
    );
  });
});

describe('TlsClientConnection: handlers and options', () => {
  let baseline: Record<string, number>;
  before(() => {
    baseline = activeResources();
  });
  after(async () => {
    assert.deepEqual(await settleLeaks(baseline), {}, 'no sockets or timers left behind');
  });

  it('handlers run in order; the first returning true wins and later ones are not called', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.selfSigned);
    try {
      const { tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), { ca: p.ca });
      const order: string[] = [];
      const off = tls.onAcceptCertificate(() => {
        order.push('removed');
        return true;
      });
      tls.onAcceptCertificate(() => {
        order.push('a');
        return false;
      });
      tls.onAcceptCertificate(async () => {
        order.push('b');
        await new Promise((r) => setTimeout(r, 10));
        return true;
      });
      tls.onAcceptCertificate(() => {
        order.push('c');
        return true;
      });
      off();
      await tls.handshake();
      assert.deepEqual(order, ['a', 'b']);
      await tls.close();
    } finally {
      await server.close();
    }
  });

  it('a throwing handler refuses the certificate; its error is the cause', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.selfSigned);
    try {
      const { tcp, tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), { ca: p.ca });
      const boom = new Error('handler bug');
      tls.onAcceptCertificate(() => {
        throw boom;
      });
      await assert.rejects(tls.handshake(), (err: unknown) => {
        assert.ok(err instanceof TlsError);
        assert.equal(err.code, TlsErrorEnum.BAD_CERTIFICATE);
        assert.equal(err.cause, boom);
        assert.ok(err instanceof CertificateRefusedError);
        assert.equal(err.certificateErrors, F.UNKNOWN_CA);
        return true;
      });
      // GIO sets peer-certificate-errors whatever the handlers did, a failing one included.
      assert.equal(tls.peerCertificateErrors, F.UNKNOWN_CA);
      assert.ok(tls.peerCertificate);
      assert.equal(await closed(tcp.socket), true);
    } finally {
      await server.close();
    }
  });

  it('a refusal explains itself: the flags, OpenSSL reason as cause, the peer subject/issuer', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.expired);
    try {
      const { tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), { ca: p.ca });
      await assert.rejects(tls.handshake(), (err: unknown) => {
        assert.ok(err instanceof CertificateRefusedError, String(err));
        assert.equal(err.message, 'Unacceptable TLS certificate');
        assert.equal(err.code, TlsErrorEnum.BAD_CERTIFICATE);
        assert.equal(err.certificateErrors, F.EXPIRED);
        assert.equal(err.certificateErrorNames, 'EXPIRED');
        assert.equal(err.peerSubject, 'CN=localhost');
        assert.match(err.peerIssuer ?? '', /^CN=gsocketclient test CA/);
        assert.ok(err.cause instanceof CertificateVerificationError);
        assert.equal(err.cause.code, 'CERT_HAS_EXPIRED');
        // A "Could not connect to …:" prefix keeps the details.
        const prefixed = err.withPrefix('Could not connect to localhost: ');
        assert.equal(prefixed.certificateErrors, F.EXPIRED);
        assert.equal(prefixed.cause, err.cause);
        return true;
      });
    } finally {
      await server.close();
    }
  });

  it('options can be set until the handshake starts, then PENDING, then FAILED', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.valid, { ALPNProtocols: ['h2', 'http/1.1'] });
    try {
      const { tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port));
      // Options that would replace GIO's verification are refused, naming the key.
      for (const conflicting of [
        { rejectUnauthorized: true },
        { rejectUnauthorized: false },
        { checkServerIdentity: () => new Error('never used') },
      ] as const) {
        const key = Object.keys(conflicting)[0];
        assert.throws(
          () => tls.setOptions(conflicting),
          (e: unknown) =>
            e instanceof IOError &&
            e.code === IOErrorEnum.INVALID_ARGUMENT &&
            e.message.includes(`tlsOptions.${key}`),
        );
      }
      assert.equal('rejectUnauthorized' in tls.options, false, 'verification is ours');
      // Validation flags that are not GTlsCertificateFlags bits never switch checks off.
      for (const bad of [undefined, null, 1.5, -1, 0x80, Number.NaN, '127'] as unknown[]) {
        assert.throws(
          () => (tls.validationFlags = bad as F),
          (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.INVALID_ARGUMENT,
          String(bad),
        );
      }
      assert.equal(tls.validationFlags, F.VALIDATE_ALL);
      tls.ca = p.ca;
      tls.ALPNProtocols = ['http/1.1'];
      tls.setOptions({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
      assert.equal(tls.ca, p.ca);
      assert.deepEqual(tls.options.ALPNProtocols, ['http/1.1']);
      const running = tls.handshake();
      assert.throws(
        () => (tls.ca = p.otherCa),
        (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.PENDING,
      );
      assert.throws(
        () => tls.setServerIdentity(null),
        (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.PENDING,
      );
      await rejectsWith(
        tls.handshake(),
        IOError,
        IOErrorEnum.PENDING,
        'A TLS handshake is already in progress',
      );
      await running;
      assert.equal(tls.peerCertificateErrors, F.NO_FLAGS);
      assert.equal(tls.negotiatedProtocol, 'http/1.1');
      assert.equal(tls.protocolVersion, 'TLSv1.2');
      assert.throws(
        () => tls.setOptions({ ciphers: 'DEFAULT' }),
        (e: unknown) => e instanceof IOError && e.code === IOErrorEnum.FAILED,
      );
      await tls.handshake(); // already done: resolves at once
      // Validation flags stay settable (they only matter during a handshake).
      tls.validationFlags = F.NO_FLAGS;
      assert.equal(tls.getValidationFlags(), F.NO_FLAGS);
      await tls.close();
      await rejectsWith(tls.handshake(), IOError, IOErrorEnum.CLOSED, 'Connection is closed');
    } finally {
      await server.close();
    }
  });

  it('an unparsable `ca` fails with INVALID_ARGUMENT and closes the connection', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.valid);
    try {
      const { tcp, tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), {
        ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      });
      await rejectsWith(tls.handshake(), IOError, IOErrorEnum.INVALID_ARGUMENT, /^Invalid TLS options: /);
      assert.equal(await closed(tcp.socket), true);
    } finally {
      await server.close();
    }
  });
});

describe('TlsClientConnection: client certificates (Node server requiring one)', () => {
  let baseline: Record<string, number>;
  before(() => {
    baseline = activeResources();
  });
  after(async () => {
    assert.deepEqual(await settleLeaks(baseline), {}, 'no sockets or timers left behind');
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version}: with a client certificate the server accepts`, async (t) => {
      const p = pki(t);
      if (!p) return;
      const server = await startTlsServer('127.0.0.1', p.valid, {
        requestCert: true,
        rejectUnauthorized: true,
        ca: p.ca,
      });
      try {
        const { tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), {
          ca: p.ca,
          cert: p.client.cert,
          key: p.client.key,
          maxVersion: version,
        });
        await tls.handshake();
        assert.equal(tls.protocolVersion, version);
        assert.equal(await echo(tls.stream, 'mtls'), 'mtls');
        await tls.close();
      } finally {
        await server.close();
      }
    });

    it(`${version}: without one → CERTIFICATE_REQUIRED from handshake(), socket destroyed`, async (t) => {
      const p = pki(t);
      if (!p) return;
      const server = await startTlsServer('127.0.0.1', p.valid, {
        requestCert: true,
        rejectUnauthorized: true,
        ca: p.ca,
      });
      try {
        const { tcp, tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), {
          ca: p.ca,
          maxVersion: version,
        });
        await rejectsWith(
          tls.handshake(),
          TlsError,
          TlsErrorEnum.CERTIFICATE_REQUIRED,
          version === 'TLSv1.3'
            ? 'TLS connection peer did not send a certificate'
            : 'Server required TLS certificate',
        );
        assert.equal(await closed(tcp.socket), true);
      } finally {
        await server.close();
      }
    });
  }

  it('TLSv1.3: a server that only asks (optional certificate) and accepts none is not an error', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.valid, {
      requestCert: true,
      rejectUnauthorized: false,
      ca: p.ca,
    });
    try {
      const { tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), { ca: p.ca });
      await tls.handshake();
      assert.equal(await echo(tls.stream, 'optional'), 'optional');
      await tls.close();
    } finally {
      await server.close();
    }
  });
});

describe('TlsClientConnection: broken peers give typed errors and leave nothing behind', () => {
  let baseline: Record<string, number>;
  before(() => {
    baseline = activeResources();
  });
  after(async () => {
    assert.deepEqual(await settleLeaks(baseline), {}, 'no sockets or timers left behind');
  });

  /** Runs a handshake against a hand-written TCP peer and checks the error and the cleanup. */
  async function against(
    t: TestContext,
    onConnection: (s: Socket) => void,
    expect: { cls: typeof TlsError | typeof IOError; code: number; message: string | RegExp },
    setup: (tcpSocket: Socket, tls: TlsClientConnection) => Cancellable | null = () => null,
  ): Promise<void> {
    const p = pki(t);
    if (!p) return;
    const start = activeResources();
    const server: TestServer = await startServer('127.0.0.1', 0, onConnection);
    try {
      const { tcp, tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), { ca: p.ca });
      const cancellable = setup(tcp.socket, tls);
      await rejectsWith(tls.handshake(cancellable), expect.cls, expect.code, expect.message);
      assert.equal(await closed(tcp.socket), true, 'TCP socket destroyed');
      assert.equal(tls.stream.destroyed, true, 'TLS socket destroyed');
    } finally {
      await server.close();
    }
    assert.deepEqual(await settleLeaks(start), {}, 'nothing leaked');
  }

  it('a plain TCP echo server (not TLS) → MISC "Error performing TLS handshake: …"', async (t) => {
    await against(t, (s) => s.pipe(s), {
      cls: TlsError,
      code: TlsErrorEnum.MISC,
      message: 'Error performing TLS handshake: An unexpected TLS handshake packet was received.',
    });
  });

  it('an HTTP server answering the ClientHello → MISC "…: An unexpected TLS packet was received."', async (t) => {
    await against(t, (s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')), {
      cls: TlsError,
      code: TlsErrorEnum.MISC,
      message: 'Error performing TLS handshake: An unexpected TLS packet was received.',
    });
  });

  it('a server that closes after the ClientHello → NOT_TLS "…non-properly terminated."', async (t) => {
    await against(t, (s) => s.once('data', () => s.end()), {
      cls: TlsError,
      code: TlsErrorEnum.NOT_TLS,
      message: 'Peer failed to perform TLS handshake: The TLS connection was non-properly terminated.',
    });
  });

  it('a server that resets mid-handshake → NOT_TLS "Peer failed to perform TLS handshake: …"', async (t) => {
    await against(t, (s) => s.once('data', () => s.resetAndDestroy()), {
      cls: TlsError,
      code: TlsErrorEnum.NOT_TLS,
      message: 'Peer failed to perform TLS handshake: Connection reset by peer',
    });
  });

  it('a stalled handshake past the socket timeout (as the client applies it) → TIMED_OUT', async (t) => {
    const t0 = Date.now();
    await against(
      t,
      () => undefined,
      { cls: IOError, code: IOErrorEnum.TIMED_OUT, message: 'Socket I/O timed out' },
      (socket) => {
        socket.setTimeout(300, () =>
          socket.destroy(new IOError(IOErrorEnum.TIMED_OUT, 'Socket I/O timed out')),
        );
        return null;
      },
    );
    if (HAS_OPENSSL) assert.ok(Date.now() - t0 >= 250, 'not before the timeout');
  });

  it('cancelled during a stalled handshake → CANCELLED', async (t) => {
    await against(
      t,
      () => undefined,
      { cls: IOError, code: IOErrorEnum.CANCELLED, message: 'Operation was cancelled' },
      () => {
        const c = new Cancellable();
        setTimeout(() => c.cancel(), 50);
        return c;
      },
    );
  });

  it('already cancelled → CANCELLED before any TLS byte is sent', async (t) => {
    let received = 0;
    await against(
      t,
      (s) => s.on('data', (d: Buffer) => (received += d.length)),
      { cls: IOError, code: IOErrorEnum.CANCELLED, message: 'Operation was cancelled' },
      () => {
        const c = new Cancellable();
        c.cancel();
        return c;
      },
    );
    assert.equal(received, 0);
  });

  it('close() during the handshake aborts it', async (t) => {
    await against(
      t,
      () => undefined,
      { cls: TlsError, code: TlsErrorEnum.EOF, message: 'TLS connection closed unexpectedly' },
      (_s, tls) => {
        setTimeout(() => void tls.close(), 50);
        return null;
      },
    );
  });
});

describe('TlsClientConnection: close()', () => {
  let baseline: Record<string, number>;
  before(() => {
    baseline = activeResources();
  });
  after(async () => {
    assert.deepEqual(await settleLeaks(baseline), {}, 'no sockets or timers left behind');
  });

  /**
   * A TCP relay in front of a TLS server recording what the client sends, so the records can be
   * inspected: in TLS 1.2 an alert record (content type 21) carries close_notify.
   */
  async function relay(target: number): Promise<{ port: number; sent: Buffer[]; close(): Promise<void> }> {
    const sent: Buffer[] = [];
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      const upstream = netConnect({ host: '127.0.0.1', port: target });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      client.on('data', (d: Buffer) => sent.push(d));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      sent,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  }

  /** The content types of the TLS records in `bytes`. */
  function recordTypes(bytes: Buffer): number[] {
    const types: number[] = [];
    for (let i = 0; i + 5 <= bytes.length; i += 5 + bytes.readUInt16BE(i + 3)) types.push(bytes[i]);
    return types;
  }

  it('sends close_notify, then closes the TCP connection', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.valid, { maxVersion: 'TLSv1.2' });
    const r = await relay(server.port);
    try {
      const { tcp, tls } = await tlsClient('127.0.0.1', r.port, localhost(server.port), { ca: p.ca });
      await tls.handshake();
      assert.equal(await echo(tls.stream, 'bye'), 'bye');
      await tls.close();
      assert.equal(tcp.socket.destroyed, true);
      const types = recordTypes(Buffer.concat(r.sent));
      assert.equal(types.at(-1), 21, `last record is an alert (close_notify): ${types.join(',')}`);
      await tls.close(); // idempotent
    } finally {
      await r.close();
      await server.close();
    }
  });

  it('close() before any handshake just closes the base stream', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.valid);
    try {
      const { tcp, tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port));
      await tls.close();
      assert.equal(tcp.socket.destroyed, true);
      assert.equal(tls.tlsSocket, null);
    } finally {
      await server.close();
    }
  });

  it('Symbol.asyncDispose closes', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.valid);
    try {
      const { tcp, tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), { ca: p.ca });
      await tls.handshake();
      await tls[Symbol.asyncDispose]();
      assert.equal(tcp.socket.destroyed, true);
    } finally {
      await server.close();
    }
  });
});
