// The DER reader under the CRL and certificate parsing (X.690 definite-length encoding).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bitStringBytes,
  children,
  decodeOid,
  decodeTime,
  DerError,
  DerTag,
  integerHex,
  parseRoot,
  pemBlocks,
  readElement,
} from '../../src/tls/der.js';

const el = (hex: string) => readElement(Buffer.from(hex.replace(/\s/g, ''), 'hex')).element;

describe('DER reader', () => {
  const oids: [string, string][] = [
    ['06 09 2a 86 48 86 f7 0d 01 01 0b', '1.2.840.113549.1.1.11'],
    ['06 05 2b 0e 03 02 1a', '1.3.14.3.2.26'],
    ['06 03 55 1d 25', '2.5.29.37'],
    ['06 03 2b 65 70', '1.3.101.112'],
    ['06 03 88 37 01', '2.999.1'],
  ];
  for (const [hex, dotted] of oids) {
    it(`OID ${dotted}`, () => assert.equal(decodeOid(el(hex)), dotted));
  }

  const times: [string, string][] = [
    ['17 0d 323030313031303030303030 5a', '2020-01-01T00:00:00.000Z'],
    // RFC 5280 §4.1.2.5.1: UTCTime years 50-99 are 19xx.
    ['17 0d 353030313031303030303030 5a', '1950-01-01T00:00:00.000Z'],
    ['17 0d 343931323331323335393539 5a', '2049-12-31T23:59:59.000Z'],
    ['18 0f 3231303030313031303030303030 5a', '2100-01-01T00:00:00.000Z'],
  ];
  for (const [hex, iso] of times) {
    it(`time ${iso}`, () => assert.equal(decodeTime(el(hex)).toISOString(), iso));
  }

  it('INTEGER serials lose leading zero bytes and are upper-case hex', () => {
    assert.equal(integerHex(el('02 01 17')), '17');
    assert.equal(integerHex(el('02 03 00 ab cd')), 'ABCD');
    assert.equal(integerHex(el('02 01 00')), '00');
  });

  it('long-form lengths and nested children', () => {
    const content = Buffer.alloc(200, 0x41);
    const der = Buffer.concat([Buffer.from([0x30, 0x81, 203, 0x04, 0x81, 200]), content]);
    const root = parseRoot(der, DerTag.SEQUENCE);
    const [octets] = children(root);
    assert.equal(octets.tag, 0x04);
    assert.equal(octets.content.length, 200);
  });

  it('BIT STRING bytes, unused bits refused', () => {
    assert.deepEqual(bitStringBytes(el('03 03 00 ab cd')), Buffer.from([0xab, 0xcd]));
    assert.throws(() => bitStringBytes(el('03 02 04 f0')), DerError);
  });

  const malformed: [string, string][] = [
    ['truncated header', '30'],
    ['length past the end', '30 05 02 01'],
    ['indefinite length', '30 80 00 00'],
    ['multi-byte tag', '1f 81 01 00'],
    ['bad time', '17 03 414243'],
  ];
  for (const [name, hex] of malformed) {
    it(`malformed: ${name}`, () => {
      assert.throws(() => {
        const e = el(hex);
        if (e.tag === DerTag.UTC_TIME) decodeTime(e);
      }, DerError);
    });
  }

  it('parseRoot refuses trailing bytes and wrong tags', () => {
    assert.throws(() => parseRoot(Buffer.from('300000', 'hex'), DerTag.SEQUENCE), DerError);
    assert.throws(() => parseRoot(Buffer.from('0400', 'hex'), DerTag.SEQUENCE), DerError);
  });

  it('PEM blocks of one label, in order', () => {
    const pem = [
      '-----BEGIN X509 CRL-----\nAQI=\n-----END X509 CRL-----',
      '-----BEGIN CERTIFICATE-----\nAwQ=\n-----END CERTIFICATE-----',
      '-----BEGIN X509 CRL-----\nBQY=\n-----END X509 CRL-----',
    ].join('\n');
    assert.deepEqual(pemBlocks(pem, 'X509 CRL'), [Buffer.from([1, 2]), Buffer.from([5, 6])]);
    assert.deepEqual(pemBlocks(pem, 'CERTIFICATE'), [Buffer.from([3, 4])]);
  });
});
