// The GTlsCertificateFlags computed for each kind of certificate of the test PKI (gio-behaviour
// §8.3): every flag that applies, not just the first problem, for host and IP identities.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { TlsCertificateFlags as F } from '../../src/errors/enums.js';
import { formatCertificateFlags } from '../../src/tls/certificate-flags.js';
import { verifyCertificateChain, type VerifyInput } from '../../src/tls/certificate-verifier.js';
import { CertificateRevocationList } from '../../src/tls/crl.js';
import type { ServerIdentity } from '../../src/tls/server-identity.js';
import { parseCertificates } from '../../src/tls/trust-anchors.js';
import { requireOrSkip } from '../helpers/env.js';
import { HAS_OPENSSL, testPki, type CertKind, type TestPki } from '../helpers/certs.js';

const HOST: ServerIdentity = { kind: 'host', host: 'localhost' };
const V4: ServerIdentity = { kind: 'ip', ip: '127.0.0.1' };
const V6: ServerIdentity = { kind: 'ip', ip: '::1' };

function pki(t: TestContext): TestPki | null {
  return requireOrSkip(t, HAS_OPENSSL, 'openssl CLI (test PKI)') ? testPki() : null;
}

const flags = (input: Partial<VerifyInput> & Pick<VerifyInput, 'chain'>, p: TestPki): string =>
  formatCertificateFlags(
    verifyCertificateChain({ anchors: parseCertificates(p.ca), identity: HOST, ...input }),
  );

type Kind = CertKind;

const TABLE: readonly (readonly [Kind, number])[] = [
  ['valid', F.NO_FLAGS],
  ['expired', F.EXPIRED],
  ['notYetValid', F.NOT_ACTIVATED],
  ['wrongName', F.BAD_IDENTITY],
  ['selfSigned', F.UNKNOWN_CA],
  ['unknownCa', F.UNKNOWN_CA],
  ['expiredUnknownWrongName', F.UNKNOWN_CA | F.BAD_IDENTITY | F.EXPIRED],
  ['sha1', F.INSECURE],
  ['rsa1024', F.INSECURE],
  ['revoked', F.REVOKED],
  ['intermediate', F.NO_FLAGS],
  ['intermediateLeafOnly', F.UNKNOWN_CA],
  ['impostor', F.UNKNOWN_CA],
  // A client certificate served by a server: no name, and not for TLS servers (EKU clientAuth).
  ['client', F.BAD_IDENTITY | F.GENERIC_ERROR],
];

describe('verifyCertificateChain: one flag set per certificate kind', () => {
  for (const [kind, expected] of TABLE) {
    for (const [idName, identity] of [
      ['localhost', HOST],
      ['127.0.0.1', V4],
      ['::1', V6],
    ] as const) {
      it(`${kind} for ${idName} → ${formatCertificateFlags(expected)}`, (t) => {
        const p = pki(t);
        if (!p) return;
        const crls = CertificateRevocationList.parse(p.crl);
        assert.equal(
          flags({ chain: parseCertificates(p[kind].cert), identity, crls }, p),
          formatCertificateFlags(expected),
        );
      });
    }
  }
});

describe('verifyCertificateChain: rules', () => {
  it('no identity, or one of an unknown kind: BAD_IDENTITY', (t) => {
    const p = pki(t);
    if (!p) return;
    assert.equal(
      flags({ chain: parseCertificates(p.valid.cert), identity: { kind: 'none' } }, p),
      'BAD_IDENTITY',
    );
  });

  it('a name the certificate does not carry, and an IP it does not carry', (t) => {
    const p = pki(t);
    if (!p) return;
    const chain = parseCertificates(p.valid.cert);
    assert.equal(flags({ chain, identity: { kind: 'host', host: 'other.localhost' } }, p), 'BAD_IDENTITY');
    assert.equal(flags({ chain, identity: { kind: 'ip', ip: '127.0.0.2' } }, p), 'BAD_IDENTITY');
  });

  it('REVOKED needs the CRL: without it the revoked certificate is clean', (t) => {
    const p = pki(t);
    if (!p) return;
    assert.equal(flags({ chain: parseCertificates(p.revoked.cert) }, p), 'NO_FLAGS');
  });

  it('a DER CRL works like the PEM one', (t) => {
    const p = pki(t);
    if (!p) return;
    const crls = CertificateRevocationList.parse(p.crlDer);
    assert.equal(flags({ chain: parseCertificates(p.revoked.cert), crls }, p), 'REVOKED');
  });

  it('a CRL in the issuer’s name but not signed by it is ignored', (t) => {
    const p = pki(t);
    if (!p) return;
    const crls = CertificateRevocationList.parse(p.forgedCrl);
    assert.equal(flags({ chain: parseCertificates(p.valid.cert), crls }, p), 'NO_FLAGS');
  });

  it('an out-of-date CRL adds GENERIC_ERROR, and its entries still count', (t) => {
    const p = pki(t);
    if (!p) return;
    const crls = CertificateRevocationList.parse(p.staleCrl);
    assert.equal(flags({ chain: parseCertificates(p.valid.cert), crls }, p), 'GENERIC_ERROR');
    assert.equal(flags({ chain: parseCertificates(p.revoked.cert), crls }, p), 'REVOKED|GENERIC_ERROR');
  });

  it('CRLs of other CAs do not matter', (t) => {
    const p = pki(t);
    if (!p) return;
    const crls = CertificateRevocationList.parse(p.crl);
    assert.equal(flags({ chain: parseCertificates(p.unknownCa.cert), crls }, p), 'UNKNOWN_CA');
  });

  it('a pinned self-signed certificate (given as the CA) is trusted', (t) => {
    const p = pki(t);
    if (!p) return;
    const anchors = parseCertificates(p.selfSigned.cert);
    assert.equal(flags({ chain: parseCertificates(p.selfSigned.cert), anchors }, p), 'NO_FLAGS');
  });

  it('a certificate whose signature does not verify under its trusted issuer: GENERIC_ERROR', (t) => {
    const p = pki(t);
    if (!p) return;
    const raw = Buffer.from(new X509Certificate(p.valid.cert).raw);
    raw[raw.length - 5] ^= 0xff; // inside the signature BIT STRING, the last field
    assert.equal(flags({ chain: [new X509Certificate(raw)] }, p), 'GENERIC_ERROR');
  });

  it('dates are checked against the given time, for every certificate on the path', (t) => {
    const p = pki(t);
    if (!p) return;
    const chain = parseCertificates(p.intermediate.cert);
    assert.equal(flags({ chain, now: new Date('2000-01-01T00:00:00Z') }, p), 'NOT_ACTIVATED');
    assert.equal(flags({ chain, now: new Date('2090-01-01T00:00:00Z') }, p), 'EXPIRED');
    // In 2020 the expired leaf was fine, but the CA (made today) was not active yet: the trust
    // anchor's own dates count too (GnuTLS checks them unless told not to).
    assert.equal(
      flags({ chain: parseCertificates(p.expired.cert), now: new Date('2020-06-01T00:00:00Z') }, p),
      'NOT_ACTIVATED',
    );
  });

  it('validity is compared at one-second resolution (certificate times are whole seconds)', (t) => {
    const p = pki(t);
    if (!p) return;
    // The CA pinned as its own anchor: one certificate, one validity window.
    const chain = parseCertificates(p.ca);
    const dates = (now: Date): string =>
      formatCertificateFlags(
        verifyCertificateChain({ chain, anchors: chain, identity: { kind: 'none' }, now }) & ~F.BAD_IDENTITY,
      );
    const notAfter = new Date(chain[0].validTo).getTime();
    const notBefore = new Date(chain[0].validFrom).getTime();
    // Within the notAfter second: still valid (x509-limbo notafter-fractional); the next: expired.
    assert.equal(dates(new Date(notAfter + 999)), 'NO_FLAGS');
    assert.equal(dates(new Date(notAfter + 1000)), 'EXPIRED');
    // Just before the notBefore second: not active yet (x509-limbo notbefore-fractional).
    assert.equal(dates(new Date(notBefore - 1)), 'NOT_ACTIVATED');
    assert.equal(dates(new Date(notBefore)), 'NO_FLAGS');
  });

  it('extra, unrelated certificates sent by the peer are ignored; order does not matter', (t) => {
    const p = pki(t);
    if (!p) return;
    const [leaf, inter] = parseCertificates(p.intermediate.cert);
    const noise = parseCertificates(p.otherCa + p.unknownCa.cert);
    assert.equal(flags({ chain: [leaf, ...noise, inter] }, p), 'NO_FLAGS');
  });

  it('a chain that does not lead to the given CA: UNKNOWN_CA (trust store replaced by `ca`)', (t) => {
    const p = pki(t);
    if (!p) return;
    const anchors = parseCertificates(p.otherCa);
    assert.equal(flags({ chain: parseCertificates(p.valid.cert), anchors }, p), 'UNKNOWN_CA');
    assert.equal(flags({ chain: parseCertificates(p.unknownCa.cert), anchors }, p), 'NO_FLAGS');
  });

  it('an empty chain', () => {
    assert.equal(
      formatCertificateFlags(verifyCertificateChain({ chain: [], anchors: [], identity: HOST })),
      'UNKNOWN_CA|GENERIC_ERROR',
    );
  });
});

describe('formatCertificateFlags', () => {
  it('names every bit, or NO_FLAGS', () => {
    assert.equal(formatCertificateFlags(F.NO_FLAGS), 'NO_FLAGS');
    assert.equal(
      formatCertificateFlags(F.VALIDATE_ALL),
      'UNKNOWN_CA|BAD_IDENTITY|NOT_ACTIVATED|EXPIRED|REVOKED|INSECURE|GENERIC_ERROR',
    );
  });
});
