// RSASSA-PSS (RFC 4055) certificates and CRLs, made by the openssl CLI with
// `-sigopt rsa_padding_mode:pss` (test/helpers/certs.ts pssPki), judged by TlsClientConnection in
// real handshakes with a Node tls server and with `openssl s_server`: valid PSS chains are
// accepted with no flag; a tampered signature, an untrusted PSS root, a PSS-signed CRL and a
// SHA-1 PSS signature give GIO's flags (glib-networking maps GnuTLS's SIGNATURE_FAILURE to
// GENERIC_ERROR, SIGNER_NOT_FOUND to UNKNOWN_CA, INSECURE_ALGORITHM to INSECURE).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { ConnectionOptions } from 'node:tls';
import { NetworkAddress } from '../../src/address/network-address.js';
import { TlsCertificateFlags as F, TlsErrorEnum } from '../../src/errors/enums.js';
import { TlsError } from '../../src/errors/gerror.js';
import { formatCertificateFlags as flagNames } from '../../src/tls/certificate-flags.js';
import { certificateInfo } from '../../src/tls/certificate-info.js';
import { HAS_OPENSSL, pssPki, type CertPair, type PssPki } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { startOpensslServer } from '../interop/tls-openssl-server.js';
import { echo, startTlsServer, tlsClient } from './tls-peers.js';

function pki(t: TestContext): PssPki | null {
  return requireOrSkip(t, HAS_OPENSSL, 'openssl CLI (the PSS certificates, s_server)') ? pssPki() : null;
}

const localhost = (port: number): NetworkAddress => new NetworkAddress('localhost', port);

/** Handshakes with the server at `port`; the flags, and whether the handshake was refused. */
async function judge(
  port: number,
  options: ConnectionOptions,
): Promise<{ flags: F; refused: boolean; echoed: string | null }> {
  const { tls } = await tlsClient('127.0.0.1', port, localhost(port), options);
  try {
    await tls.handshake();
  } catch (err) {
    assert.ok(err instanceof TlsError, String(err));
    assert.equal(err.code, TlsErrorEnum.BAD_CERTIFICATE);
    assert.equal(err.message, 'Unacceptable TLS certificate');
    return { flags: tls.peerCertificateErrors, refused: true, echoed: null };
  }
  const echoed = await echo(tls.stream, 'pss');
  await tls.close();
  return { flags: tls.peerCertificateErrors, refused: false, echoed };
}

interface PssCase {
  readonly name: string;
  readonly pair: (p: PssPki) => CertPair;
  readonly flags: F;
  readonly client?: (p: PssPki) => ConnectionOptions;
}

const CASES: readonly PssCase[] = [
  { name: 'PSS SHA-256, salt 32', pair: (p) => p.sha256, flags: F.NO_FLAGS },
  { name: 'PSS SHA-384, salt = digest length', pair: (p) => p.sha384, flags: F.NO_FLAGS },
  { name: 'PSS SHA-512, maximum salt', pair: (p) => p.sha512MaxSalt, flags: F.NO_FLAGS },
  { name: 'a leaf with an RSA-PSS key', pair: (p) => p.pssKey, flags: F.NO_FLAGS },
  { name: 'leaf + intermediate, both PSS', pair: (p) => p.chain, flags: F.NO_FLAGS },
  { name: 'a tampered PSS signature', pair: (p) => p.tampered, flags: F.GENERIC_ERROR },
  { name: 'an untrusted PSS root', pair: (p) => p.unknownCa, flags: F.UNKNOWN_CA },
  {
    name: 'revoked by a PSS-signed CRL',
    pair: (p) => p.revoked,
    flags: F.REVOKED,
    client: (p) => ({ ca: p.ca, crl: p.crl }),
  },
  {
    name: 'a forged PSS CRL is ignored',
    pair: (p) => p.sha256,
    flags: F.NO_FLAGS,
    client: (p) => ({ ca: p.ca, crl: p.forgedCrl }),
  },
  {
    name: 'PSS with its SHA-1 defaults',
    pair: (p) => p.sha1,
    flags: F.INSECURE,
    // OpenSSL refuses SHA-1 signatures above security level 0; GIO's verdict is INSECURE.
    client: (p) => ({ ca: p.ca, ciphers: 'DEFAULT@SECLEVEL=0' }),
  },
];

describe('RSA-PSS: the signature parameters are read (RFC 4055 section 3.1)', () => {
  it('hash and salt length of each certificate, defaults included', (t) => {
    const p = pki(t);
    if (!p) return;
    const signature = (pair: CertPair): unknown => {
      const s = certificateInfo(new X509Certificate(pair.cert)).signature;
      return s && { hash: s.hash, weak: s.weak, saltLength: s.pss?.saltLength };
    };
    assert.deepEqual(signature(p.sha256), { hash: 'sha256', weak: false, saltLength: 32 });
    assert.deepEqual(signature(p.sha384), { hash: 'sha384', weak: false, saltLength: 48 });
    // 2048-bit key: emLen 256 - hLen 64 - 2.
    assert.deepEqual(signature(p.sha512MaxSalt), { hash: 'sha512', weak: false, saltLength: 190 });
    assert.deepEqual(signature(p.sha1), { hash: 'sha1', weak: true, saltLength: 20 });
    assert.deepEqual(signature(p.pssKey), { hash: 'sha256', weak: false, saltLength: 32 });
  });
});

describe('RSA-PSS chains against a Node tls server', () => {
  let baseline: Record<string, number>;
  before(() => {
    baseline = activeResources();
  });
  after(async () => {
    assert.deepEqual(await settleLeaks(baseline), {}, 'no sockets or timers left behind');
  });

  for (const c of CASES) {
    it(`${c.name} → ${flagNames(c.flags)}`, async (t) => {
      const p = pki(t);
      if (!p) return;
      const weak = c.flags === F.INSECURE ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {};
      const server = await startTlsServer('127.0.0.1', c.pair(p), weak);
      try {
        const got = await judge(server.port, c.client?.(p) ?? { ca: p.ca });
        assert.equal(flagNames(got.flags), flagNames(c.flags));
        assert.equal(got.refused, c.flags !== F.NO_FLAGS);
        if (!got.refused) assert.equal(got.echoed, 'pss');
      } finally {
        await server.close();
      }
    });
  }

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version}: an RSA-PSS server key signs the handshake with rsa_pss_pss_*`, async (t) => {
      const p = pki(t);
      if (!p) return;
      const server = await startTlsServer('127.0.0.1', p.pssKey, {
        minVersion: version,
        maxVersion: version,
      });
      try {
        const got = await judge(server.port, { ca: p.ca, minVersion: version, maxVersion: version });
        assert.equal(flagNames(got.flags), flagNames(F.NO_FLAGS));
        assert.equal(got.echoed, 'pss');
      } finally {
        await server.close();
      }
    });
  }
});

describe('RSA-PSS chains against openssl s_server', () => {
  for (const c of [CASES[0], CASES[3], CASES[4], CASES[5], CASES[6]]) {
    it(`${c.name} → ${flagNames(c.flags)}`, async (t) => {
      const p = pki(t);
      if (!p) return;
      const pair = c.pair(p);
      // s_server sends the leaf from -cert and the rest of the file with -cert_chain.
      const server = await startOpensslServer([
        '-cert',
        pair.certFile,
        '-key',
        pair.keyFile,
        '-cert_chain',
        pair.certFile,
        '-rev',
      ]);
      try {
        const { tls } = await tlsClient('127.0.0.1', server.port, localhost(server.port), { ca: p.ca });
        if (c.flags === F.NO_FLAGS) {
          await tls.handshake();
          assert.equal(tls.peerCertificateErrors, F.NO_FLAGS);
          // -rev: s_server answers each line reversed.
          assert.equal(await echo(tls.stream, 'abc\n', 5000), 'cba\n');
          await tls.close();
        } else {
          await assert.rejects(tls.handshake(), TlsError);
          assert.equal(flagNames(tls.peerCertificateErrors), flagNames(c.flags));
        }
      } finally {
        await server.stop();
      }
    });
  }
});
