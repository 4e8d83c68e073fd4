// CRL parsing and signature checks (RFC 5280 §5) over CRLs made by `openssl ca -gencrl`.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { certificateInfo } from '../../src/tls/certificate-info.js';
import { CertificateRevocationList } from '../../src/tls/crl.js';
import { DerError } from '../../src/tls/der.js';
import { parseCertificates } from '../../src/tls/trust-anchors.js';
import { requireOrSkip } from '../helpers/env.js';
import { HAS_OPENSSL, testPki, type TestPki } from '../helpers/certs.js';

function pki(t: TestContext): TestPki | null {
  return requireOrSkip(t, HAS_OPENSSL, 'openssl CLI (test PKI)') ? testPki() : null;
}

describe('CertificateRevocationList', () => {
  it('lists the revoked serial, in the form certificateInfo gives serials', (t) => {
    const p = pki(t);
    if (!p) return;
    const [crl] = CertificateRevocationList.parse(p.crl);
    const [revoked] = parseCertificates(p.revoked.cert);
    const [valid] = parseCertificates(p.valid.cert);
    assert.deepEqual([...crl.revokedSerials], [certificateInfo(revoked).serial]);
    assert.equal(crl.revokedSerials.has(certificateInfo(valid).serial), false);
    assert.equal(certificateInfo(revoked).serial, revoked.serialNumber.replace(/^0+(?=.)/, ''));
  });

  it('PEM, DER, several at once', (t) => {
    const p = pki(t);
    if (!p) return;
    assert.equal(CertificateRevocationList.parse(p.crlDer).length, 1);
    assert.equal(CertificateRevocationList.parse(p.crl + p.staleCrl).length, 2);
    assert.equal(CertificateRevocationList.parse([p.crl, p.crlDer, Buffer.from(p.staleCrl)]).length, 3);
  });

  it('is issued by the CA that signed it, not by a CA of the same name', (t) => {
    const p = pki(t);
    if (!p) return;
    const [ca] = parseCertificates(p.ca);
    const [other] = parseCertificates(p.otherCa);
    const [crl] = CertificateRevocationList.parse(p.crl);
    const [forged] = CertificateRevocationList.parse(p.forgedCrl);
    assert.equal(crl.isIssuedBy(ca, certificateInfo(ca).subjectDer), true);
    assert.equal(crl.isIssuedBy(other, certificateInfo(other).subjectDer), false);
    assert.equal(forged.issuerDer.equals(crl.issuerDer), true, 'same issuer name');
    assert.equal(forged.isIssuedBy(ca, certificateInfo(ca).subjectDer), false);
  });

  it('validity window', (t) => {
    const p = pki(t);
    if (!p) return;
    const [stale] = CertificateRevocationList.parse(p.staleCrl);
    assert.equal(stale.thisUpdate.toISOString(), '2020-01-01T00:00:00.000Z');
    assert.equal(stale.nextUpdate?.toISOString(), '2021-01-01T00:00:00.000Z');
    assert.equal(stale.isCurrent(new Date()), false);
    assert.equal(stale.isCurrent(new Date('2020-06-01T00:00:00Z')), true);
    assert.equal(stale.isCurrent(new Date('2019-06-01T00:00:00Z')), false);
  });

  it('malformed input throws', () => {
    assert.throws(() => CertificateRevocationList.parse(Buffer.from('3003020100', 'hex')), DerError);
    assert.throws(() =>
      CertificateRevocationList.parse('-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----'),
    );
  });
});
